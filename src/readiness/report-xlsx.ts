// Excel export of the readiness report (issue 17 item 7): 汇总 (per city), 考点, 摄像机 (one row per
// camera and probe), 检查表 (signed items), 签字 (signature lines). Names typed by users are never
// formulas (CWE-1236).
import { loadExcelJS } from '../util/lazy-libs.ts';
import { neutralise } from '../org/transfer/columns.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { PROBE_LABELS, STATE_LABELS, VERDICT_LABELS } from './report-data.ts';
import type { ReadinessReport } from './report-data.ts';

const cells = (values: ReadonlyArray<string | number>): Array<string | number> => values.map((v) => (typeof v === 'string' ? neutralise(v) : v));

export async function readinessXlsx(r: ReadinessReport): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const title = [`考前检测报告：${r.campaign.name}  发起单位：${r.campaign.orgNodeName}  截止：${r.campaign.deadline}`, `范围：${r.scopeName}  生成：${formatBeijing(r.generatedAtMs)}（北京时间） ${r.generatedBy}`];
  const sheet = (name: string, headers: string[], widths: number[]) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: title.length + 1 }] });
    ws.columns = widths.map((width) => ({ width }));
    for (const t of title) ws.addRow(cells([t]));
    ws.addRow(headers).font = { bold: true };
    return ws;
  };
  const sum = sheet('汇总', ['设区市', '考点数', '就绪', '未就绪', '未检测', '摄像机', '不合格摄像机'], [16, 8, 8, 8, 8, 8, 12]);
  for (const u of r.rollups) sum.addRow(cells([u.cityName, u.sites, u.ready, u.notReady, u.unchecked, u.cameras, u.camerasFailed]));
  const sites = sheet('考点', ['设区市', '考点', '状态', '合格', '警告', '不合格', '未检测', '检查表已签', '检查表需签', '联系人', '原因'], [12, 24, 8, 6, 6, 6, 6, 10, 10, 18, 60]);
  for (const s of r.sites) sites.addRow(cells([s.cityName, s.siteName, STATE_LABELS[s.state], s.cameras.pass, s.cameras.warn, s.cameras.fail, s.cameras.unchecked, s.checklist.signed, s.checklist.needed, s.contact, s.reasons.join('；')]));
  const cams = sheet('摄像机', ['考点', '房间', '摄像机', '总结论', '检测项', '结论', '测量值', '判定规则', '原因', '检测时间'], [20, 14, 16, 8, 10, 8, 28, 32, 40, 20]);
  for (const c of r.cameras) {
    if (c.results.length === 0) cams.addRow(cells([c.siteName, c.roomName, c.cameraName, VERDICT_LABELS[c.verdict], '', '', '', '', '', '']));
    for (const x of c.results) cams.addRow(cells([c.siteName, c.roomName, c.cameraName, VERDICT_LABELS[c.verdict], PROBE_LABELS[x.probe] ?? x.probe, VERDICT_LABELS[x.verdict], x.value, x.rule, x.reason ?? '', x.measuredAt]));
  }
  const list = sheet('检查表', ['考点', '要求', '检查表', '检查项', '对象', '结论', '签字人', '签字时间', '备注'], [20, 10, 20, 40, 12, 8, 10, 20, 30]);
  for (const c of r.checklist) list.addRow(cells([c.siteName, c.requirement, c.title, c.text, c.subject, c.outcome, c.signerName, c.signedAt, c.note]));
  const sign = wb.addWorksheet('签字');
  sign.columns = [{ width: 16 }, { width: 30 }];
  for (const who of ['考点负责人', '技术负责人', '上级检查人', '日期']) sign.addRow([`${who}：`, '______________________']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
