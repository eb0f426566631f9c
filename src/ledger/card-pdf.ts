// Printable device card (设备卡片, issue 19 item 2; R-SEC-2): A4 in the CJK font via the shared
// startA4 / finishA4 — facts, health summary of the period, online/offline spans, daily figures,
// latest readiness results, every ticket. Beijing times.
import { DEFAULT_CJK_FONT, MARGIN, finishA4, startA4, table } from '../exams/report-pdf.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { DeviceCardView, HealthPoint } from './card-view.ts';
import { STATE_LABELS } from './ticket-state.ts';

const KIND: Record<string, string> = { offline: '离线', recording_gap: '录像缺失', disk: '磁盘', clock_drift: '时钟偏差', picture: '画面', manual: '人工报修' };
const CLASS: Record<string, string> = { camera: '摄像机', nvr: '硬盘录像机', encoder: '编码器', switch: '交换机', server: '服务器', workstation: '工作站', monitor: '显示器', ups: 'UPS', clock: '时钟', other: '其他' };
const SPAN: Record<string, string> = { online: '在线', offline: '离线', unknown: '未监测（本机未采样）' };
const VERDICT: Record<string, string> = { pass: '合格', warn: '警告', fail: '不合格', skip: '未检' };
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 0) => (v === null ? '—' : v.toFixed(digits));
const when = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms));
const day = (ms: number | null) => (ms === null ? '—' : formatBeijing(ms).slice(0, 10));
const BEIJING_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** Points grouped by Beijing calendar day, weighted by their span. */
function daily(points: readonly HealthPoint[]): string[][] {
  const days = new Map<number, HealthPoint[]>();
  for (const p of points) {
    const d = Math.floor((p.atMs + BEIJING_MS) / DAY_MS) * DAY_MS - BEIJING_MS;
    days.set(d, [...(days.get(d) ?? []), p]);
  }
  return [...days].map(([d, ps]) => {
    const w = ps.reduce((n, p) => n + p.spanMs, 0);
    const mean = (f: (p: HealthPoint) => number | null) => {
      const m = ps.filter((p) => f(p) !== null);
      const mw = m.reduce((n, p) => n + p.spanMs, 0);
      return mw === 0 ? null : m.reduce((n, p) => n + f(p)! * p.spanMs, 0) / mw;
    };
    return [day(d), pct(ps.reduce((n, p) => n + p.onlineRatio * p.spanMs, 0) / w), pct(ps.reduce((n, p) => n + p.recordingRatio * p.spanMs, 0) / w), num(mean((p) => p.bitrateKbps)), num(mean((p) => p.fps), 1), String(ps.reduce((n, p) => n + (p.lostPackets ?? 0), 0)), num(mean((p) => p.clockOffsetMs))];
  });
}

export async function deviceCardPdf(card: DeviceCardView, font = DEFAULT_CJK_FONT): Promise<Buffer> {
  const d = card.device;
  const { doc, done } = await startA4(`设备卡片 ${d.name}`, font);
  doc.fontSize(16).text(`设备卡片 · ${d.name}`, { align: 'center' });
  doc.fontSize(9).text(`生成时间 ${formatBeijing(card.health.toMs)}（北京时间）  健康记录 ${day(card.health.fromMs)} 至 ${day(card.health.toMs)}`, { align: 'center' }).moveDown(0.5);
  doc.x = MARGIN;
  table(doc, '设备信息', ['项目', '内容', '项目', '内容'], [80, 177, 80, 178], [
    ['所属节点', d.nodeName, '类别', CLASS[d.deviceClass] ?? d.deviceClass],
    ['设备编码', d.code, '型号', d.model || '—'],
    ['序列号', d.serial || '—', '固件', d.firmware || '—'],
    ['安装位置', d.roomName ?? '—', '安装日期', day(d.installedOnMs)],
    ['保修截止', day(d.warrantyUntilMs), '责任人', `${d.responsibleName || '—'} ${d.responsiblePhone}`],
  ]);
  const s = card.health.summary;
  table(doc, '健康概况（记录期内）', ['在线率', '在录率', '平均码率 kbit/s', '平均帧率 fps', '丢包数', '最近时钟偏差 ms', '样本数'], [70, 70, 80, 70, 70, 85, 70], [[pct(s.onlineRatio), pct(s.recordingRatio), num(s.meanBitrateKbps), num(s.meanFps, 1), String(s.lostPackets), s.lastClockOffsetMs === null ? '—' : `${s.lastClockOffsetMs}（限 ±${card.limits.cameraClockDriftMs}）`, String(s.samples)]]);
  table(doc, '在线/离线时段（最近 40 段）', ['开始', '结束', '状态', '时长（分钟）'], [150, 150, 115, 100], card.health.spans.slice(-40).map((x) => [when(x.fromMs), when(x.toMs), SPAN[x.state] ?? x.state, String(Math.round((x.toMs - x.fromMs) / 60_000))]));
  table(doc, '每日统计', ['日期', '在线率', '在录率', '码率 kbit/s', '帧率 fps', '丢包数', '时钟偏差 ms'], [85, 70, 70, 75, 70, 65, 80], daily(card.health.points).map((r) => (d.cameraId === null ? [r[0]!, r[1]!, '—', ...r.slice(3)] : r)));
  table(doc, '最近考前检测结果', ['检测项', '结论', '测量值', '说明', '时间'], [60, 45, 150, 150, 110], card.readiness.map((r) => [r.probe, VERDICT[r.verdict] ?? r.verdict, r.value, r.reason ?? '', when(r.measuredAtMs)]));
  table(doc, '故障工单', ['开单', '类型', '状态', '摘要', '修复', '验证'], [85, 50, 70, 140, 85, 85], card.tickets.map((t) => [when(t.openedAtMs), KIND[t.kind] ?? t.kind, STATE_LABELS[t.state], t.summary, when(t.repairedAtMs), when(t.verifiedAtMs)]));
  finishA4(doc, ['设备责任人（签字）：________________    日期：____________', '考点负责人（签字）：________________    日期：____________']);
  return done;
}
