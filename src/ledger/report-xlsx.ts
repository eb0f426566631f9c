// Periodic health report per level as Excel (issue 19 item 3, R-FN-3, R-FLT-1): 分级汇总 (the roll-up
// tree, with each level's online and recording rates averaged over the period from the sites' health
// history and the period's exam recording completeness — period-figures.ts), 故障统计 (per site: tickets opened,
// repaired and verified, or closed by the system because the fault cleared by itself (自行恢复, self-clear.ts:
// counted apart and never in the mean time to repair), still unverified, overdue, mean time to repair) and 工单明细 (tickets opened
// in the period or still unverified). Times in Beijing time. Pure apart from writing the workbook.
import { loadExcelJS } from '../util/lazy-libs.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { RollupRow, RollupView } from './rollup.ts';
import { SELF_CLEARED_LABEL, STATE_LABELS } from './ticket-state.ts';
import type { TicketView } from './schemas.ts';
import type { ReportedTicketView } from './upward.ts';
import { periodTotals } from './period-figures.ts';
import type { PeriodFigures, ReportPeriod } from './period-figures.ts';

export { lastPeriod } from './period-figures.ts';
export type { PeriodKind, ReportPeriod } from './period-figures.ts';

const KIND: Record<string, string> = { offline: '离线', recording_gap: '录像缺失', disk: '磁盘', clock_drift: '时钟偏差', picture: '画面', manual: '人工报修' };
const LEVEL: Record<string, string> = { province: '省', city: '市', district: '区县', site: '考点' };
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const when = (ms: number | null) => (ms === null ? '' : formatBeijing(ms));
/** Closed by the system because the fault cleared by itself; a lower older than the `selfCleared` field says so by a verified ticket never repaired. */
const selfCleared = (t: TicketView) => t.selfCleared ?? (t.state === 'verified' && t.repairedAtMs === null);

/** The report's tables as text rows (shared by the Excel and the PDF). */
export interface HealthReportTables { rollup: string[][]; stats: string[][]; detail: string[][] }

export const ROLLUP_HEAD = ['节点', '级别', '考点数', '失联考点', '摄像机', '本期平均在线率', '本期平均在录率', '本期考试录像完整率', '有缺失的录像路数', '未验证工单', '超时工单', '数据时间（最早）', '状态'];
export const STATS_HEAD = ['考点/节点', '上报经由', '本期新开', '本期修复验证', '本期自行恢复', '未验证', '超时', '平均修复时长（小时）', '状态'];
export const DETAIL_HEAD = ['考点/节点', '设备', '设备编码', '故障类型', '状态', '描述', '开单时间', '修复时间', '验证时间', '次数', '超时', '状态来源'];

/**
 * `periods`: each site's figures of this period by GB code (period-figures.ts); a site without them
 * shows '—' rates, never the current ones.
 */
export function reportTables(view: RollupView, tickets: readonly ReportedTicketView[], period: ReportPeriod, periods: Readonly<Record<string, PeriodFigures>> = {}): HealthReportTables {
  const rollupRows: string[][] = [];
  const totals = periodTotals(view.tree, periods);
  const walk = (r: RollupRow, depth: number) => {
    const p = totals.get(r.key)!;
    const state = [r.stale ? '失联（上次上报的数值）' : r.staleSites > 0 ? '含失联考点' : '', p.sites < r.sites ? `${r.sites - p.sites} 个考点无本期记录` : ''].filter(Boolean).join('；');
    rollupRows.push([`${'  '.repeat(depth)}${r.name}`, LEVEL[r.kind] ?? r.kind, String(r.sites), String(r.staleSites), String(r.cameras), pct(p.onlineRate), pct(p.recordingRate), pct(p.examCoverage), p.examSites === 0 ? '—' : `${p.examLinesWithGaps}/${p.examLines}`, String(r.unverified), String(r.overdue), when(r.oldestReportAtMs), state]);
    for (const c of r.children ?? []) walk(c, depth + 1);
  };
  for (const r of view.tree) walk(r, 0);

  const inPeriod = (ms: number | null) => ms !== null && ms >= period.fromMs && ms < period.toMs;
  const shown = tickets.filter((t) => inPeriod(t.ticket.openedAtMs) || t.ticket.state !== 'verified');
  const bySite = new Map<string, ReportedTicketView[]>();
  for (const t of tickets) bySite.set(t.ticket.nodeName, [...(bySite.get(t.ticket.nodeName) ?? []), t]);
  const stats = [...bySite].sort(([a], [b]) => a.localeCompare(b, 'zh')).map(([name, list]) => {
    // A self-cleared ticket was never repaired: it is neither a repair nor part of the repair time.
    const repaired = list.filter((t) => inPeriod(t.ticket.repairedAtMs) && !selfCleared(t.ticket));
    const meanH = repaired.length === 0 ? '—' : (repaired.reduce((s, t) => s + t.ticket.timeToRepairMs, 0) / repaired.length / 3_600_000).toFixed(1);
    const verified = list.filter((t) => inPeriod(t.ticket.verifiedAtMs));
    const cleared = verified.filter((t) => selfCleared(t.ticket)).length;
    return [name, list[0]!.via, String(list.filter((t) => inPeriod(t.ticket.openedAtMs)).length), String(verified.length - cleared), String(cleared), String(list.filter((t) => t.ticket.state !== 'verified').length), String(list.filter((t) => t.ticket.state !== 'verified' && (t.ticket.ackOverdue || t.ticket.repairOverdue)).length), meanH, list.some((t) => t.stale) ? '失联（上次上报的状态）' : ''];
  });
  const detail = [...shown].sort((a, b) => a.ticket.openedAtMs - b.ticket.openedAtMs).map(({ ticket: t, stale }) => [t.nodeName, t.deviceName, t.deviceCode, KIND[t.kind] ?? t.kind, selfCleared(t) ? SELF_CLEARED_LABEL : STATE_LABELS[t.state], t.summary, when(t.openedAtMs), when(t.repairedAtMs), when(t.verifiedAtMs), String(t.faultCount), t.ackOverdue || t.repairOverdue ? '是' : '', stale ? '失联（上次上报）' : '']);
  return { rollup: rollupRows, stats, detail };
}

export const periodLine = (period: ReportPeriod, generatedAtMs: number) => `${period.label}：${formatBeijing(period.fromMs)} 至 ${formatBeijing(period.toMs)}（北京时间），生成于 ${formatBeijing(generatedAtMs)}`;
export const STATS_NOTE = '本期修复验证：经人工修复、系统检测正常后验证恢复的工单；本期自行恢复：故障在无人处理时自行消失、系统关闭的工单（已自行恢复（未经维修）），单独计数，不计入平均修复时长。';
export const ROLLUP_NOTE = '平均在线率、在录率为本期健康历史的时间加权平均（在线时长 ÷ 有监测记录的时长；节点停机未监测的时间不计入）；考试录像完整率按本期考试时段计算，与完整率报告口径一致；考点数、摄像机数、工单数为报告生成时的数值。';

export async function healthReportXlsx(view: RollupView, tickets: readonly ReportedTicketView[], period: ReportPeriod, periods: Readonly<Record<string, PeriodFigures>> = {}): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const t = reportTables(view, tickets, period, periods);
  const sheet = (name: string, header: string[], rows: string[][], counts: number[]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow([periodLine(period, view.generatedAtMs)]);
    ws.addRow(header).font = { bold: true };
    ws.columns = header.map((h) => ({ width: Math.max(10, h.length * 2.5) }));
    // Counts stay numbers in Excel (sums work); everything else — device codes too — is text.
    for (const r of rows) ws.addRow(r.map((c, i) => (counts.includes(i) ? Number(c) : c)));
    return ws;
  };
  const roll = sheet('分级汇总', ROLLUP_HEAD, t.rollup, [2, 3, 4, 9, 10]);
  roll.addRow([]);
  roll.addRow([ROLLUP_NOTE]);
  const stats = sheet('故障统计', STATS_HEAD, t.stats, [2, 3, 4, 5, 6]);
  stats.addRow([]);
  stats.addRow([STATS_NOTE]);
  sheet('工单明细', DETAIL_HEAD, t.detail, [9]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
