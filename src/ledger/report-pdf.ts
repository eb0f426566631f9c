// The periodic health report as a printable A4 PDF (issue 19 item 3; R-FN-3, R-FLT-1): the same
// three tables as the Excel (report-xlsx.ts) — roll-up per level, tickets per site, ticket detail —
// through the shared startA4 / table / finishA4 of src/exams/report-pdf.ts. Beijing times.
import { DEFAULT_CJK_FONT, finishA4, startA4, table } from '../exams/report-pdf.ts';
import { ROLLUP_NOTE, STATS_NOTE, periodLine, reportTables } from './report-xlsx.ts';
import type { PeriodFigures, ReportPeriod } from './period-figures.ts';
import type { RollupView } from './rollup.ts';
import type { ReportedTicketView } from './upward.ts';

export async function healthReportPdf(title: string, view: RollupView, tickets: readonly ReportedTicketView[], period: ReportPeriod, periods: Readonly<Record<string, PeriodFigures>> = {}, font = DEFAULT_CJK_FONT): Promise<Buffer> {
  const t = reportTables(view, tickets, period, periods);
  const { doc, done } = await startA4(`${title} ${period.label}`, font);
  doc.fontSize(16).text(`${title} · 设备运行${period.label}`, { align: 'center' });
  doc.fontSize(9).text(periodLine(period, view.generatedAtMs), { align: 'center' }).moveDown(0.5);
  // Widths add up to 515 (A4 less the margins).
  table(doc, '一、分级汇总', ['节点', '级别', '考点', '失联', '摄像机', '平均在线率', '平均在录率', '考试录像完整率', '缺失路数', '未验证', '超时', '数据时间（最早）', '状态'], [80, 26, 26, 26, 34, 40, 40, 44, 38, 32, 28, 61, 40], t.rollup);
  doc.fontSize(8).text(ROLLUP_NOTE);
  table(doc, '二、故障统计（按考点）', ['考点/节点', '上报经由', '本期新开', '修复验证', '自行恢复', '未验证', '超时', '平均修复（小时）', '状态'], [100, 85, 40, 45, 45, 40, 35, 55, 70], t.stats);
  doc.fontSize(8).text(STATS_NOTE);
  table(doc, '三、工单明细（本期新开或仍未验证）', ['考点/节点', '设备', '类型', '状态', '描述', '开单', '验证', '次数', '超时'], [75, 70, 40, 45, 95, 70, 70, 25, 25], t.detail.map((r) => [r[0]!, `${r[1]}\n${r[2]}`, r[3]!, r[4]!, r[5]!, r[6]!, r[8]!, r[9]!, [r[10], r[11]].filter(Boolean).join(' ')]));
  finishA4(doc, ['系统管理员（签字）：________________    日期：____________', '负责人（签字）：________________    日期：____________']);
  return done;
}
