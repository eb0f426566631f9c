// Periodic health report per level as Excel (issue 19 item 3, R-FN-3, R-FLT-1): 分级汇总 (the roll-up
// tree as the sites report it, at the time of the report — online rates are not kept as history,
// so they are the current ones and the sheet says so), 故障统计 (per site: tickets opened and
// verified in the period, still unverified, overdue, mean time to repair) and 工单明细 (tickets opened
// in the period or still unverified). Times in Beijing time. Pure apart from writing the workbook.
import type ExcelJS from 'exceljs';
import { loadExcelJS } from '../util/lazy-libs.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { RollupRow, RollupView } from './rollup.ts';
import { STATE_LABELS } from './ticket-state.ts';
import type { ReportedTicketView } from './upward.ts';

const KIND: Record<string, string> = { offline: '离线', recording_gap: '录像缺失', disk: '磁盘', clock_drift: '时钟偏差', picture: '画面', manual: '人工报修' };
const LEVEL: Record<string, string> = { province: '省', city: '市', district: '区县', site: '考点' };
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const when = (ms: number | null) => (ms === null ? '' : formatBeijing(ms));

export interface ReportPeriod { fromMs: number; toMs: number; label: string }

export async function healthReportXlsx(view: RollupView, tickets: readonly ReportedTicketView[], period: ReportPeriod): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const head = (ws: ExcelJS.Worksheet, header: string[]) => {
    ws.addRow([`${period.label}：${formatBeijing(period.fromMs)} 至 ${formatBeijing(period.toMs)}（北京时间），生成于 ${formatBeijing(view.generatedAtMs)}`]);
    ws.addRow(header).font = { bold: true };
    ws.columns = header.map((h) => ({ width: Math.max(10, h.length * 2.5) }));
  };

  const roll = wb.addWorksheet('分级汇总');
  head(roll, ['节点', '级别', '考点数', '失联考点', '摄像机', '在线率（生成时）', '在录率（生成时）', '未验证工单', '超时工单', '数据时间（最早）', '状态']);
  const walk = (r: RollupRow, depth: number) => {
    roll.addRow([`${'  '.repeat(depth)}${r.name}`, LEVEL[r.kind] ?? r.kind, r.sites, r.staleSites, r.cameras, pct(r.onlineRate), pct(r.recordingRate), r.unverified, r.overdue, when(r.oldestReportAtMs), r.stale ? '失联（上次上报的数值）' : r.staleSites > 0 ? '含失联考点，未计入在线率' : '']);
    for (const c of r.children ?? []) walk(c, depth + 1);
  };
  for (const r of view.tree) walk(r, 0);
  roll.addRow([]);
  roll.addRow(['在线率、在录率为报告生成时各考点上报的数值；失联考点的摄像机不计入。']);

  const inPeriod = (ms: number | null) => ms !== null && ms >= period.fromMs && ms < period.toMs;
  const shown = tickets.filter((t) => inPeriod(t.ticket.openedAtMs) || t.ticket.state !== 'verified');
  const bySite = new Map<string, ReportedTicketView[]>();
  for (const t of tickets) bySite.set(t.ticket.nodeName, [...(bySite.get(t.ticket.nodeName) ?? []), t]);
  const stats = wb.addWorksheet('故障统计');
  head(stats, ['考点/节点', '上报经由', '本期新开', '本期验证恢复', '未验证', '超时', '平均修复时长（小时）', '状态']);
  for (const [name, list] of [...bySite].sort(([a], [b]) => a.localeCompare(b, 'zh'))) {
    const repaired = list.filter((t) => inPeriod(t.ticket.repairedAtMs));
    const meanH = repaired.length === 0 ? '—' : (repaired.reduce((s, t) => s + t.ticket.timeToRepairMs, 0) / repaired.length / 3_600_000).toFixed(1);
    stats.addRow([name, list[0]!.via, list.filter((t) => inPeriod(t.ticket.openedAtMs)).length, list.filter((t) => inPeriod(t.ticket.verifiedAtMs)).length, list.filter((t) => t.ticket.state !== 'verified').length, list.filter((t) => t.ticket.state !== 'verified' && (t.ticket.ackOverdue || t.ticket.repairOverdue)).length, meanH, list.some((t) => t.stale) ? '失联（上次上报的状态）' : '']);
  }

  const detail = wb.addWorksheet('工单明细');
  head(detail, ['考点/节点', '设备', '设备编码', '故障类型', '状态', '描述', '开单时间', '修复时间', '验证时间', '次数', '超时', '状态来源']);
  for (const { ticket: t, stale } of [...shown].sort((a, b) => a.ticket.openedAtMs - b.ticket.openedAtMs)) {
    detail.addRow([t.nodeName, t.deviceName, t.deviceCode, KIND[t.kind] ?? t.kind, STATE_LABELS[t.state], t.summary, when(t.openedAtMs), when(t.repairedAtMs), when(t.verifiedAtMs), t.faultCount, t.ackOverdue || t.repairOverdue ? '是' : '', stale ? '失联（上次上报）' : '']);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The last full week (Monday to Monday) or month before `nowMs`, in Beijing time. */
export function lastPeriod(kind: 'week' | 'month', nowMs: number): ReportPeriod {
  const bj = new Date(nowMs + 8 * 3_600_000); // Beijing wall clock read through the UTC getters
  const midnight = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth(), bj.getUTCDate()) - 8 * 3_600_000;
  if (kind === 'week') {
    const toMs = midnight - ((bj.getUTCDay() + 6) % 7) * 86_400_000;
    return { fromMs: toMs - 7 * 86_400_000, toMs, label: '周报' };
  }
  const toMs = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth(), 1) - 8 * 3_600_000;
  const fromMs = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth() - 1, 1) - 8 * 3_600_000;
  return { fromMs, toMs, label: '月报' };
}
