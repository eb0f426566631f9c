// R-PRE-4 measured through the cascade (issue 17 item 4, docs/design/readiness.md): an upper node
// pulls every stream of one lower at once (GB/T 28181 live INVITE, as live view does) for a fixed
// time and its receiver counts bytes, sequence gaps and interarrival jitter per stream. The verdict
// compares the achieved sum with what the lower must carry upward (R-PRE-2: the site's own
// reported requirement). The pulling is injected (`open`), so this module knows no SIP.
import { RtpReceiverStats } from '../media/rtp/receiver-stats.ts';

export type CascadeVerdict = 'pass' | 'warn' | 'fail';

/** Loss at or above this share of expected packets fails the link (R-PRE-4: a link that drops is not ready). */
export const MAX_LOSS_PERCENT = 1;
/** Streams pulled at once at most: a catalog of hundreds must not flood the upper's own link. */
export const MAX_STREAMS = 32;

export interface StreamMeasure {
  channel: string;
  kbps: number;
  packets: number;
  lost: number;
  lossPercent: number;
  jitterMs: number;
  /** Why this stream delivered nothing (INVITE refused, stalled); null when it played. */
  error: string | null;
}

export interface CascadeBandwidthResult {
  streams: StreamMeasure[];
  achievedKbps: number;
  lossPercent: number;
  /** Worst stream's jitter, ms. */
  jitterMs: number;
}

export interface OpenedStream {
  stop(): Promise<void>;
}

export type StreamOpener = (channel: string, onRtp: (seq: number, timestamp: number, sizeBytes: number, arrivalMs: number) => void) => Promise<OpenedStream>;

/**
 * Opens every channel at once, measures for `durationMs` from the moment the last one answered
 * (so every stream counts over the same window), then hangs up. A channel that cannot be opened is
 * a stream with an error and 0 kbit/s — it is part of what the link must carry.
 */
export async function measureStreams(open: StreamOpener, channels: readonly string[], durationMs: number, nowMs: () => number = Date.now): Promise<CascadeBandwidthResult> {
  const stats = channels.map(() => new RtpReceiverStats());
  let windowStartMs = Number.POSITIVE_INFINITY;
  const opened = await Promise.all(
    channels.map(async (ch, i) => {
      try {
        // Packets before the common window starts are not counted (streams start at different times).
        const s = await open(ch, (seq, ts, size, at) => at >= windowStartMs && stats[i].push(seq, ts, size, at));
        return { s, error: null };
      } catch (err) {
        return { s: undefined, error: (err as Error).message };
      }
    }),
  );
  windowStartMs = nowMs();
  await new Promise((r) => setTimeout(r, durationMs));
  const elapsedMs = Math.max(1, nowMs() - windowStartMs);
  await Promise.all(opened.map((o) => (o.s ? o.s.stop().catch(() => undefined) : Promise.resolve())));
  const streams = channels.map((channel, i): StreamMeasure => {
    const r = stats[i].summary(elapsedMs);
    const error = opened[i].error ?? (r.packets === 0 ? '测量期间未收到 RTP (no RTP received)' : null);
    return { channel, kbps: Math.round(r.kbps), packets: r.packets, lost: r.lost, lossPercent: r.lossPercent, jitterMs: r.jitterMs, error };
  });
  const expected = channels.reduce((a, _, i) => a + stats[i].summary(elapsedMs).expected, 0);
  const lost = streams.reduce((a, s) => a + s.lost, 0);
  return {
    streams,
    achievedKbps: streams.reduce((a, s) => a + s.kbps, 0),
    lossPercent: expected === 0 ? 0 : (lost / expected) * 100,
    jitterMs: streams.reduce((a, s) => Math.max(a, s.jitterMs), 0),
  };
}

export interface CascadeJudgement {
  verdict: CascadeVerdict;
  rule: string;
  reason: string | null;
}

/**
 * Pass when the achieved sum reaches what is required and loss stays under 1 %; a stream that
 * failed, loss, or a shortfall fails; an unknown requirement (the lower reported none) warns —
 * never a pass on a number nobody stated.
 */
export function judgeCascadeBandwidth(r: CascadeBandwidthResult, requiredKbps: number | null): CascadeJudgement {
  const rule = `实测总码率 ≥ 所需${requiredKbps === null ? '' : ` ${requiredKbps} kbit/s`} 且丢包 < ${MAX_LOSS_PERCENT}% (achieved ≥ required, loss < ${MAX_LOSS_PERCENT} %)`;
  const broken = r.streams.filter((s) => s.error !== null);
  if (r.streams.length === 0) return { verdict: 'fail', rule, reason: '下级目录中没有可拉取的通道 (no channel to pull)' };
  if (broken.length === r.streams.length) return { verdict: 'fail', rule, reason: `全部 ${broken.length} 路未收到码流：${broken[0].error} (no stream delivered)` };
  const reasons: string[] = [];
  if (broken.length > 0) reasons.push(`${broken.length} 路未收到码流 (${broken.map((s) => s.channel).join(', ')})`);
  if (r.lossPercent >= MAX_LOSS_PERCENT) reasons.push(`丢包 ${r.lossPercent.toFixed(2)}% (loss)`);
  if (requiredKbps !== null && r.achievedKbps < requiredKbps) reasons.push(`实测 ${r.achievedKbps} kbit/s 低于所需 ${requiredKbps} kbit/s (achieved below required)`);
  if (reasons.length > 0) return { verdict: 'fail', rule, reason: reasons.join('；') };
  if (requiredKbps === null) return { verdict: 'warn', rule, reason: '下级未上报所需带宽，无法判定是否足够 (required bitrate not reported)' };
  return { verdict: 'pass', rule, reason: null };
}
