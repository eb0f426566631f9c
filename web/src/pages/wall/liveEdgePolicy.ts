// How a live tile stays near the live edge (R-FN-1, issue 16; docs/design/live.md "Staying at the
// live edge"). Pure: MsePlayer feeds it the video's position, the SourceBuffer's last range, the
// newest keyframe and whether the browser keeps up, and applies the answer (a seek or a rate).
//
// What a jump costs Chromium: the decoder restarts at the keyframe at or before the target. To a
// keyframe that is one picture; inside a GOP it is every picture from the GOP's keyframe to the
// target (up to 50 at 2-s GOPs), decoded and never shown (not even counted as dropped: Chromium's
// live "low delay" renderer discards frames before the seek target silently). On walls the
// browser could not decode in full (16 main, 64 sub tiles on 2 cores) such jumps took 16–19 % of
// all decoding, and 16 main tiles spent a third of the time at 1.2× (docs/benchmarks.md, 2026-12-07).

/**
 * Seconds the player stays behind the newest buffered frame. Frames arrive one by one (40 ms at
 * 25 fps), so three frames absorb network and event-loop jitter; more is pure latency (0.3 s gave
 * p50 467 ms camera→screen on a 4-tile wall, 0.12 s gave 255 ms; docs/benchmarks.md).
 */
export const LIVE_HOLD_S = 0.12;
/** Further behind than this, a keyframe ahead of the playhead is jumped to (it costs one picture). */
export const KEY_JUMP_S = 0.45;
/**
 * Catch-up rate when behind by more than KEY_JUMP_S with no keyframe ahead (a join's GOP burst, a
 * switch from overview to full rate, a stall): every picture is decoded once and shown, and the
 * tile is at the live edge after lag/(rate−1) s or at the next keyframe, whichever comes first.
 */
export const CATCH_UP_RATE = 1.5;

export interface EdgeInput {
  currentTimeS: number;
  /** The SourceBuffer's last buffered range, s. */
  startS: number;
  endS: number;
  /** Media time of the newest keyframe appended, s (-1: none yet). */
  newestKeyS: number;
  /**
   * The browser does not keep up (this tile or another on the page dropped pictures lately):
   * faster than 1× would only make it drop more, so the tile plays at 1× and skips at keyframes.
   */
  starved: boolean;
  /**
   * A seek is under way. Another one now would restart it: on a starved browser a seek to a
   * keyframe took 0.45–1.3 s (bench:live), and a new keyframe may arrive meanwhile.
   */
  seeking: boolean;
  /**
   * The patroller just switched this tile from the overview to full rate (a click): one jump to
   * the live edge is allowed even inside a GOP. It costs one GOP's decoding once, for one tile, and
   * shows the room as it is now within a frame or two; catching up by rate from the keyframe took
   * 0.7–1.1 s to reach pictures newer than the click (bench:live, 2026-12-07 21:46).
   */
  switching?: boolean;
  /** Seconds to stay behind the newest frame (default LIVE_HOLD_S; a big wall holds more, see wallProfile). */
  holdS?: number;
}

export type EdgeAction = { kind: 'gap' | 'key' | 'switch'; seekToS: number } | { kind: 'rate'; rate: number } | { kind: 'wait' };

/** What to do after an append (the video has shown its first picture). Never a jump inside a GOP, but once after a switch to full rate. */
export function liveEdgeAction(i: EdgeInput): EdgeAction {
  const hold = i.holdS ?? LIVE_HOLD_S;
  const keyJump = Math.max(KEY_JUMP_S, hold + 0.3);
  const lag = i.endS - i.currentTimeS;
  const key = i.newestKeyS >= i.startS && i.newestKeyS <= i.endS ? i.newestKeyS : -1;
  if (i.seeking) return { kind: 'wait' };
  // A gap (or a trim past the playhead): the range after it starts at a keyframe.
  if (i.currentTimeS < i.startS) return { kind: 'gap', seekToS: key >= 0 ? key : i.startS };
  if (lag > keyJump && key > i.currentTimeS + hold) return { kind: 'key', seekToS: key };
  if (i.switching && lag > keyJump) return { kind: 'switch', seekToS: i.endS - hold };
  if (i.starved) return { kind: 'rate', rate: 1 };
  return { kind: 'rate', rate: lag > keyJump ? CATCH_UP_RATE : lag > hold * 2.5 ? 1.1 : lag < hold / 2 ? 0.95 : 1 };
}

/**
 * From this many tiles on a page the wall plays as a big wall (wallProfile): a browser that cannot
 * decode every picture of such a wall ran its tiles dry a few frames ahead of the playhead, and each
 * stall then cost the rest of a GOP at the next keyframe jump (docs/benchmarks.md, player17).
 */
export const BIG_WALL_TILES = 9;

export interface WallProfile {
  /** Seconds behind the newest frame (EdgeInput.holdS). */
  holdS: number;
  /**
   * Give the init segment a duration so Chromium plays it as recorded media instead of "low delay"
   * (frame-threaded decoding, a renderer that waits for several pictures after a stall). Off: see
   * wallProfile and docs/design/live.md "Big walls".
   */
  recordedInit: boolean;
  /** Appends wait this long for more fragments (one SourceBuffer update for several pictures); 0 = at once. */
  appendBatchMs: number;
}

/** How a tile plays on a page of `wallTiles` tiles (1 = a single tile or full screen). */
export function wallProfile(wallTiles: number): WallProfile {
  if (wallTiles < BIG_WALL_TILES) return { holdS: LIVE_HOLD_S, recordedInit: false, appendBatchMs: 0 };
  // recordedInit stays off: measured, it cut the stalls of a 16-tile wall threefold but its tiles
  // received fewer frames, and a tile on keyframes only could not come back to full rate in it
  // (docs/benchmarks.md, player17).
  return { holdS: 0.3, recordedInit: false, appendBatchMs: 80 };
}
