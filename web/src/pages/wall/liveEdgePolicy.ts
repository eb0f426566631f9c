// How a live tile stays near the live edge (R-FN-1, issue 16; docs/design/live.md "Staying at the
// live edge"). Pure: MsePlayer feeds it the video's position, the SourceBuffer's last range and
// the newest keyframe, and applies the answer (a seek or a playback rate).

/**
 * Seconds the player stays behind the newest buffered frame. Frames arrive one by one (40 ms at
 * 25 fps), so three frames absorb network and event-loop jitter; more is pure latency (0.3 s gave
 * p50 467 ms camera→screen on a 4-tile wall, 0.12 s gave 255 ms; docs/benchmarks.md).
 */
export const LIVE_HOLD_S = 0.12;
/** Further behind than this (a join, a gap, a busy tab) jumps instead of speeding up. */
export const LIVE_JUMP_S = 1.0;
/** Further behind than this, a keyframe ahead of the playhead is jumped to (it costs one picture). */
export const KEY_JUMP_S = 0.45;
/**
 * A jump inside a GOP makes the decoder decode every frame from the keyframe before the target
 * (up to a GOP, 50 frames at 2 s) without showing them (Chromium does not even count them in
 * getVideoPlaybackQuality). At most this often, and only on a tile that keeps up (see starved).
 */
export const GOP_JUMP_MIN_INTERVAL_MS = 10_000;

export interface EdgeInput {
  currentTimeS: number;
  /** The SourceBuffer's last buffered range, s. */
  startS: number;
  endS: number;
  /** Media time of the newest keyframe appended, s (-1: none yet). */
  newestKeyS: number;
  nowMs: number;
  lastGopJumpAtMs: number;
}

export type EdgeAction =
  | { kind: 'gap' | 'key' | 'gop'; seekToS: number; /** media seconds decoded for nothing (GOP jump) */ hiddenS: number }
  | { kind: 'rate'; rate: number };

/** What to do after an append (the video has shown its first picture). */
export function liveEdgeAction(i: EdgeInput): EdgeAction {
  const lag = i.endS - i.currentTimeS;
  const key = i.newestKeyS >= i.startS && i.newestKeyS <= i.endS ? i.newestKeyS : -1;
  // A gap: the range after it starts at a keyframe.
  if (i.currentTimeS < i.startS) return { kind: 'gap', seekToS: key >= 0 ? key : i.startS, hiddenS: 0 };
  if (lag > KEY_JUMP_S && key > i.currentTimeS + LIVE_HOLD_S) return { kind: 'key', seekToS: key, hiddenS: 0 };
  if (lag > LIVE_JUMP_S && i.nowMs - i.lastGopJumpAtMs > GOP_JUMP_MIN_INTERVAL_MS) {
    const target = i.endS - LIVE_HOLD_S;
    return { kind: 'gop', seekToS: target, hiddenS: target - (key >= 0 && key <= target ? key : i.startS) };
  }
  return { kind: 'rate', rate: lag > KEY_JUMP_S ? 1.2 : lag > LIVE_HOLD_S * 2.5 ? 1.1 : lag < LIVE_HOLD_S / 2 ? 0.95 : 1 };
}
