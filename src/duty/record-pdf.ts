// Printable 值班记录 (the day's duty record, R-DIS-1): A4, Noto Sans CJK, the same tables, header
// and page footer as the exam and readiness reports (src/exams/report-pdf.ts). Beijing times.
import { DEFAULT_CJK_FONT, finishA4, startA4, table } from '../exams/report-pdf.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { DutyRecord } from './record-data.ts';

const hm = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms).slice(5, 16));
const minutes = (ms: number) => String(Math.round(ms / 60_000));

export async function dutyRecordPdf(r: DutyRecord, font = DEFAULT_CJK_FONT): Promise<Buffer> {
  const { doc, done } = await startA4(`值班记录 ${r.date}`, font);
  doc.fontSize(16).text('国家教育考试视频巡查值班记录', { align: 'center' });
  doc.moveDown(0.5).fontSize(10);
  doc.text(`日期：${r.date}（北京时间 00:00–24:00）    生成：${formatBeijing(r.generatedAtMs)} ${r.generatedBy}`);

  table(doc, '一、值班表', ['考点', '监控室', '人员', '职责', '开始', '结束'], [120, 90, 80, 55, 85, 85],
    r.rooms.flatMap((m) => m.roster.map((x) => [m.siteName, m.roomName, x.name, x.role, hm(x.fromMs), hm(x.toMs)])));
  table(doc, '二、签到与签退', ['考点', '监控室', '人员', '终端', '签到', '签退', '签退方式'], [105, 80, 70, 70, 70, 70, 50],
    r.rooms.flatMap((m) => m.checkins.map((c) => [m.siteName, m.roomName, c.name, c.workstation, hm(c.inMs), c.outMs === null ? '在岗' : hm(c.outMs), c.outReason ?? ''])));
  table(doc, '三、巡查记录（调看）', ['巡查人', '房间', '调看次数', '时长(分钟)'], [130, 200, 90, 95],
    r.patrol.totals.map((t) => [t.username, t.roomName ?? '-', String(t.viewings), minutes(t.durationMs)]));
  table(doc, '四、巡查备注', ['时间', '巡查人', '内容'], [85, 80, 350],
    r.patrol.notes.map((n) => [hm(n.atMs), n.username, n.text]));
  table(doc, '五、事件', ['编号', '考点', '时段', '类别', '描述', '上报人', '保全'], [35, 95, 110, 55, 140, 50, 30],
    r.incidents.map((i) => [String(i.id), i.siteName, `${hm(i.fromMs)}～${formatBeijing(i.toMs).slice(11, 16)}`, i.category, i.description, i.reportedBy, String(i.holds)]));

  finishA4(doc, ['值班组长：______________    值班员：______________    日期：______________']);
  return done;
}
