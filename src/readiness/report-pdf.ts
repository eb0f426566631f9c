// Printable PDF of the readiness report (考前检测报告, issue 17 item 7): A4, Noto Sans CJK, campaign,
// roll-up per city, site states with reasons, every camera with its verdict, the results that are
// not a pass with value and reason, the signed checklist items, signature lines, page numbers.
import { DEFAULT_CJK_FONT, finishA4, startA4, table } from '../exams/report-pdf.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { STATE_LABELS, VERDICT_LABELS, problemRows } from './report-data.ts';
import type { ReadinessReport } from './report-data.ts';

export async function readinessPdf(r: ReadinessReport, font = DEFAULT_CJK_FONT): Promise<Buffer> {
  const { doc, done } = await startA4(`考前检测报告 ${r.campaign.name}`, font);
  doc.fontSize(16).text('国家教育考试考点考前检测报告', { align: 'center' });
  doc.moveDown(0.5).fontSize(10);
  doc.text(`检测：${r.campaign.name}（${r.campaign.checks === 'full' ? '全面检测' : '校时与工作站检查'}）    发起单位：${r.campaign.orgNodeName}    截止：${r.campaign.deadline}`);
  doc.text(`范围：${r.scopeName}    生成：${formatBeijing(r.generatedAtMs)}（北京时间） ${r.generatedBy}`);

  table(doc, '一、汇总（按设区市）', ['设区市', '考点数', '就绪', '未就绪', '未检测', '摄像机', '不合格摄像机'], [120, 60, 55, 55, 55, 85, 85],
    r.rollups.map((u) => [u.cityName, String(u.sites), String(u.ready), String(u.notReady), String(u.unchecked), String(u.cameras), String(u.camerasFailed)]));
  table(doc, '二、考点', ['设区市', '考点', '状态', '摄像机 合格/警告/不合格/未检', '检查表 签/需', '联系人', '原因'], [60, 90, 40, 95, 50, 75, 105],
    r.sites.map((s) => [s.cityName, s.siteName, STATE_LABELS[s.state], `${s.cameras.pass}/${s.cameras.warn}/${s.cameras.fail}/${s.cameras.unchecked}`, `${s.checklist.signed}/${s.checklist.needed}`, s.contact, s.reasons.join('；')]));
  table(doc, '三、摄像机', ['考点', '房间', '摄像机', '结论', '参考画面'], [120, 110, 110, 60, 115],
    r.cameras.map((c) => [c.siteName, c.roomName, c.cameraName, VERDICT_LABELS[c.verdict], c.reference ? `${c.reference.signerName} ${c.reference.signedAt.slice(0, 10)}${c.reference.stale ? ' 需重签' : ''}` : '未签字']));
  table(doc, '四、未通过项', ['考点', '房间', '摄像机', '检测项', '结论', '测量值', '原因'], [70, 60, 60, 45, 40, 95, 145], problemRows(r));
  table(doc, '五、检查表签字', ['考点', '要求', '检查项', '对象', '结论', '签字人', '时间'], [75, 45, 160, 45, 40, 50, 100],
    r.checklist.map((c) => [c.siteName, c.requirement, c.text, c.subject, c.outcome, c.signerName, c.signedAt]));

  finishA4(doc, ['考点负责人：______________    技术负责人：______________    日期：______________', '上级检查人：______________    单位（盖章）：______________']);
  return done;
}
