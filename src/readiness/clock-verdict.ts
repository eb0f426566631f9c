// The clock verdict (R-PRE-6): |offset| ≤ 1 s pass, ≤ 3 s warn, beyond fail; no report is a warn.
// The camera's offset is measured against this node's clock (RTCP sender report or ONVIF
// GetSystemDateAndTime). When the node knows its own offset from its SNTP time source (the ledger's
// node health sample), the camera is judged against that source instead — Beijing time, not a node
// that may itself be off — and a node more than 1 s off makes every clock row at least a warning,
// because every recording's timestamps come from the node. Pure.
import type { Judgement } from './profile.ts';
import type { StatedClock } from '../media/rtsp/date-clock.ts';

export const CLOCK_RULE = '|偏差| ≤1 秒 合格, ≤3 秒 警告 (RTCP SR / ONVIF / RTSP Date / GB/T 28181 Date)';

/** This node against its SNTP time source: source time − node time, ms (the SNTP offset). */
export interface NodeClockOffset {
  offsetMs: number;
  server: string;
}

/** Beyond this the node itself is said to be off, ms. */
export const NODE_CLOCK_TOLERANCE_MS = 1000;

const seconds = (ms: number, digits: number) => `${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(digits)}`;

/** `cameraMinusNodeMs`: camera time − node time, as measured. */
export function judgeClock(cameraMinusNodeMs: number | undefined, source: string, node?: NodeClockOffset): Judgement {
  if (cameraMinusNodeMs === undefined) return withNodeClock({ verdict: 'warn', value: '未获取 (not reported)', rule: CLOCK_RULE, reason: '摄像机未报告时间 (no RTCP SR, ONVIF time or Date header)' }, node);
  // camera − source = (camera − node) − (source − node)
  const offsetMs = node ? cameraMinusNodeMs - node.offsetMs : cameraMinusNodeMs;
  const via = node ? `${source}，按 ${node.server} 校正本机 ${seconds(-node.offsetMs, 2)} 秒` : source;
  const value = `${seconds(offsetMs, 2)} 秒 (${via})`;
  const abs = Math.abs(offsetMs);
  if (abs <= 1000) return withNodeClock({ verdict: 'pass', value, rule: CLOCK_RULE, reason: null }, node);
  const reason = `摄像机时钟偏差 ${(offsetMs / 1000).toFixed(1)} 秒，需校准为北京时间 (camera clock is off)`;
  return withNodeClock({ verdict: abs <= 3000 ? 'warn' : 'fail', value, rule: CLOCK_RULE, reason }, node);
}

/** A node whose own clock is off taints the check: at least a warning, with why. */
export function withNodeClock(j: Judgement, node?: NodeClockOffset): Judgement {
  if (!node || Math.abs(node.offsetMs) <= NODE_CLOCK_TOLERANCE_MS) return j;
  const why = `本机时钟与时间源 ${node.server} 相差 ${seconds(-node.offsetMs, 1)} 秒，录像时间不准，须先为本机对时 (this node's clock is off)`;
  return { ...j, verdict: j.verdict === 'fail' ? 'fail' : 'warn', reason: j.reason ? `${j.reason}；${why}` : why };
}

/** Beijing time (UTC+8), ms. */
export const CST_MS = 8 * 3_600_000;
/** Within this of +8 h (inclusive, either side), a Date header is read as Beijing time labelled GMT. */
export const CST_LABEL_WINDOW_MS = 15 * 60_000;
/** Said in the value (and, when not a pass, in the reason) whenever the reading was applied. */
export const CST_LABEL_NOTE = '北京时间标作 GMT (local time labelled GMT)';

/**
 * Whether a Date-stated offset (camera − node) is read as Beijing time labelled GMT: within
 * ±15 min of +8 h. A camera whose clock is right but writes local time as GMT states ≈ +8 h; a
 * camera that is really 8 h off is indistinguishable from one that is 8 h off and labelled
 * correctly, so the window is kept narrow (15 min: a clock that far off fails either way, and the
 * result names the reading so a person can tell).
 */
export function readsAsBeijingLabelledGmt(statedOffsetMs: number): boolean {
  return Math.abs(statedOffsetMs - CST_MS) <= CST_LABEL_WINDOW_MS;
}

/**
 * A camera that sends no RTCP SR and has no ONVIF service, judged by the Date headers of its RTSP
 * replies (one-second resolution: the value carries the ± the replies allow). Many domestic cameras
 * write their local (Beijing) time into Date and label it GMT; a stated time within 15 minutes of
 * UTC+8 is read that way and the value says so (and the reason, when the row is not a pass, so a
 * failing offset is never shown without the reading it rests on). Beyond the window the offset is
 * judged exactly as stated (an 8 h 16 min offset is a fail of +29 760 s, not of +16 min).
 */
export function judgeRtspDate(stated: StatedClock, node?: NodeClockOffset): Judgement {
  const cst = readsAsBeijingLabelledGmt(stated.offsetMs);
  const offsetMs = cst ? stated.offsetMs - CST_MS : stated.offsetMs;
  const via = `RTSP Date ±${(stated.uncertaintyMs / 1000).toFixed(2)} 秒，${stated.samples} 次应答${cst ? `，${CST_LABEL_NOTE}` : ''}`;
  const j = judgeClock(offsetMs, via, node);
  if (!cst || !j.reason) return j;
  const said = `${(stated.offsetMs / 1000).toFixed(1)} 秒`;
  return { ...j, reason: `${j.reason}；摄像机 Date 标作 GMT 比本机快 ${said}，按${CST_LABEL_NOTE}读取` };
}
