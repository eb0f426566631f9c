// Probing a camera that lives at a lower node, from an upper node, through the cascade (issue 17
// item 6, R-PRE-2, R-PRE-3): the upper verifies with GB/T 28181 itself instead of taking the site's
// word for it. The live pull and decode are the ordinary probe over `gb28181://` (GbCameraOpener);
// this adds what only the lower can answer:
// - `device`: DeviceStatus of the channel (Online, Status, Encode, Record) and the channel's Status
//   in the lower's catalog (query or notification): offline or OFF fails, no answer fails.
// - `recording`: RecordInfo over the run's test window, asked after it ended: the lower's index must
//   cover ≥ 10 s of it (the same rule as a site's own test recording). The window is shifted by the
//   lower's measured clock offset, since the lower answers in its own time.
// Pure judgement over injected calls (the cascade's UpperCalls in the app).
import { formatGbTime, parseGbTime } from '../gb28181/index.ts';
import type { Judgement } from './profile.ts';
import { MIN_RECORDED_MS } from './test-recording.ts';
import type { TestWindow } from './test-recording.ts';

export interface GbCascadeCalls {
  deviceStatus(channelId: string): Promise<{ result: string; online: string; status: string; reason?: string; encode?: string; record?: string; deviceTime?: string }>;
  /** The channel's Status in its lower's catalog, asked again when the catalog is older than `notBeforeMs`. */
  catalogStatus(channelId: string, notBeforeMs?: number): Promise<{ status: string; updatedAtMs: number } | undefined>;
  recordInfo(channelId: string, startTime: string, endTime: string): Promise<Array<{ startTime: string; endTime: string }>>;
}

export const GB_STATUS_RULE = 'DeviceStatus 在线且正常、目录状态 ON (经级联查询下级)';
export const GB_RECORDING_RULE = `RecordInfo 经级联查得试录时段内下级录像 ≥${MIN_RECORDED_MS / 1000} 秒`;
/** After the window: the lower's index has the last fragment (its batched write), ms. */
export const GB_RECORDING_SETTLE_MS = 3_000;

const upper = (v: string | undefined) => (v ?? '').trim().toUpperCase();

/** Bounds of (channel owner's clock − this node's), ms, from a whole-second time stamped between `sentMs` and `recvMs`. */
export interface OffsetBounds { lowMs: number; highMs: number }

export function deviceTimeBounds(deviceTime: string | undefined, sentMs: number, recvMs: number): OffsetBounds | undefined {
  if (!deviceTime) return undefined;
  try {
    const t = parseGbTime(deviceTime);
    return { lowMs: t - recvMs, highMs: t + 999 - sentMs };
  } catch {
    return undefined;
  }
}

/**
 * Which clock the `clock` row judges for a lower's channel. The Date of the answers is the clock of
 * the node that answered — at three levels the middle one, which relays the query — while the
 * DeviceTime in DeviceStatus is the channel owner's (a relaying level passes it on unchanged). The
 * Date is the finer of the two (its bounds are intersected over several answers), so it stands
 * unless the two cannot both be right: then the answering node is not the owner, and DeviceTime is
 * taken with its own ± (half a second plus half the round trip).
 */
export function ownerClock(date: { offsetMs: number; accuracyMs?: number; via: string } | undefined, dt: OffsetBounds | undefined): { offsetMs: number; via: string } | undefined {
  if (!dt) return date;
  const mid = (dt.lowMs + dt.highMs) / 2;
  const half = (dt.highMs - dt.lowMs) / 2;
  const viaDt = { offsetMs: Math.round(mid), via: `DeviceStatus DeviceTime ±${(half / 1000).toFixed(2)} 秒 (下级设备所在节点)` };
  if (!date) return viaDt;
  // No stated ± (a REGISTER/keepalive Date): whole seconds plus an unknown transit, taken as 1 s.
  const slack = half + (date.accuracyMs ?? 1000) + 250;
  return Math.abs(date.offsetMs - mid) > slack ? { ...viaDt, via: `${viaDt.via}；应答 Date 为中继节点时钟 ${date.offsetMs >= 0 ? '+' : ''}${(date.offsetMs / 1000).toFixed(2)} 秒` } : date;
}

/** DeviceStatus through the cascade plus the catalog's Status: what the lower says about the channel now, and the owner's DeviceTime. */
export async function judgeGbStatus(calls: GbCascadeCalls, channelId: string, runStartedMs?: number, nowMs: () => number = Date.now): Promise<Judgement & { deviceTime?: OffsetBounds }> {
  const cat = await calls.catalogStatus(channelId, runStartedMs).catch(() => undefined);
  const catText = cat ? `目录状态 ${cat.status || '-'}` : '目录中无此通道';
  let s: Awaited<ReturnType<GbCascadeCalls['deviceStatus']>>;
  const sentMs = nowMs();
  try {
    s = await calls.deviceStatus(channelId);
  } catch (err) {
    return { verdict: 'fail', value: `DeviceStatus 无应答；${catText}`, rule: GB_STATUS_RULE, reason: `下级未应答 DeviceStatus (${(err as Error).message})`.slice(0, 500) };
  }
  const deviceTime = deviceTimeBounds(s.deviceTime, sentMs, nowMs());
  const value = `DeviceStatus ${s.result} ${s.online}/${s.status} 编码 ${s.encode ?? '-'} 录像 ${s.record ?? '-'}；${catText}`;
  const problems: string[] = [];
  if (upper(s.result) !== 'OK') problems.push(`DeviceStatus 结果 ${s.result}${s.reason ? ` (${s.reason})` : ''}`);
  if (upper(s.online) !== 'ONLINE') problems.push('下级报告设备离线 (OFFLINE)');
  else if (upper(s.status) !== 'OK') problems.push(`下级报告设备状态 ${s.status}${s.reason ? ` (${s.reason})` : ''}`);
  if (!cat) problems.push('通道不在下级目录中');
  else if (upper(cat.status) !== 'ON') problems.push(`下级目录中通道状态 ${cat.status || '未报'}`);
  if (problems.length) return { verdict: 'fail', value, rule: GB_STATUS_RULE, reason: problems.join('；'), deviceTime };
  // Online but not recording now: the `recording` row asks the index; here it is a warning only.
  if (upper(s.record) === 'OFF') return { verdict: 'warn', value, rule: GB_STATUS_RULE, reason: '下级报告此通道当前未录像 (Record OFF)', deviceTime };
  return { verdict: 'pass', value, rule: GB_STATUS_RULE, reason: null, deviceTime };
}

/** Milliseconds of [fromMs, toMs) covered by the items (overlaps counted once). */
export function coveredMs(items: ReadonlyArray<{ startMs: number; endMs: number }>, fromMs: number, toMs: number): number {
  const spans = items.map((i) => [Math.max(fromMs, i.startMs), Math.min(toMs, i.endMs)] as const).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of spans) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * RecordInfo over the test window (this node's time, shifted into the lower's by `lowerOffsetMs`,
 * lower − this node, when known), asked once the window has ended and settled.
 */
export async function judgeGbRecording(calls: GbCascadeCalls, channelId: string, w: TestWindow, lowerOffsetMs: number | undefined, nowMs: () => number): Promise<Judgement> {
  const waitMs = w.toMs + GB_RECORDING_SETTLE_MS - nowMs();
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  const shift = lowerOffsetMs !== undefined ? Math.round(lowerOffsetMs / 1000) * 1000 : 0;
  const fromMs = w.fromMs + shift;
  const toMs = w.toMs + shift;
  let items: Array<{ startTime: string; endTime: string }>;
  try {
    items = await calls.recordInfo(channelId, formatGbTime(fromMs), formatGbTime(toMs));
  } catch (err) {
    return { verdict: 'fail', value: 'RecordInfo 无应答', rule: GB_RECORDING_RULE, reason: `下级未应答 RecordInfo (${(err as Error).message})`.slice(0, 500) };
  }
  const spans = items.flatMap((i) => {
    try {
      return [{ startMs: parseGbTime(i.startTime), endMs: parseGbTime(i.endTime) }];
    } catch {
      return [];
    }
  });
  // GB times are whole seconds: the window's own ends are rounded the same way.
  const covered = coveredMs(spans, Math.floor(fromMs / 1000) * 1000, Math.floor(toMs / 1000) * 1000);
  const s = (Math.floor(covered / 100) / 10).toFixed(1);
  const value = `下级录像覆盖 ${s} 秒 (RecordInfo ${items.length} 段${shift ? `，按下级时钟 ${shift > 0 ? '+' : ''}${shift / 1000} 秒查询` : ''})`;
  if (covered >= MIN_RECORDED_MS) return { verdict: 'pass', value, rule: GB_RECORDING_RULE, reason: null };
  return { verdict: 'fail', value, rule: GB_RECORDING_RULE, reason: items.length ? `下级试录时段内录像不足 ${MIN_RECORDED_MS / 1000} 秒 (recorded less than required)` : '下级在试录时段内无录像 (RecordInfo found no recording)' };
}
