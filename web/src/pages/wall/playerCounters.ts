// What a wall tile's player did (MsePlayer.counters): bench/live-page.ts prints them to show where
// pictures are lost (issue 16, docs/benchmarks.md).

/** What the player did since it was made (bench/live-page.ts prints them: where pictures are lost, issue 16). */
export interface PlayerCounters {
  /** appendBuffer calls and the fragments (pictures) they carried. */
  appends: number;
  fragments: number;
  /** Fragments that arrived while the SourceBuffer was updating (appended later, with others). */
  waitedFragments: number;
  keyJumps: number;
  /** Jumps inside a GOP: the policy makes none (liveEdgePolicy.ts); kept for the benchmark's figures. */
  gopJumps: number;
  gapJumps: number;
  /** Media seconds decoded and never shown by GOP jumps (from the GOP's keyframe to the target). */
  hiddenDecodeS: number;
  /** Quality samples (about 1 s apart) in which this tile dropped pictures: the browser did not keep up. */
  starvedSamples: number;
  /** Media seconds passed over by keyframe jumps (never decoded). */
  skippedS: number;
  /** Media seconds missing from the stream at full rate (the server skipped to a keyframe: a slow socket). */
  gapS: number;
  /** Queue over 100 fragments dropped (the decoder fell behind) and append failures. */
  queueResets: number;
  quotaErrors: number;
  rateChanges: number;
  /** Wall seconds spent at a playback rate above 1. */
  speedupS: number;
}

export function newPlayerCounters(): PlayerCounters {
  return { appends: 0, fragments: 0, waitedFragments: 0, keyJumps: 0, gopJumps: 0, gapJumps: 0, hiddenDecodeS: 0, starvedSamples: 0, skippedS: 0, gapS: 0, queueResets: 0, quotaErrors: 0, rateChanges: 0, speedupS: 0 };
}

/**
 * Pictures missing from a full-rate stream because of this page (the server skipped to a keyframe
 * for this slow socket, or the player dropped its queue): the jump in decode time before the frame
 * that follows the skip, less one frame interval, in `counters.gapS`. A camera that stalls is not
 * the page's doing: its gaps are not counted. Nor in the overview (one picture per GOP).
 */
export class StreamGaps {
  private lastDtsS = -1;
  /** Frame interval, s (from the stream's fps when the server says it). */
  frameS = 0.04;

  constructor(private readonly counters: PlayerCounters) {}

  add(dtsS: number, afterSkip: boolean): void {
    const d = dtsS - this.lastDtsS;
    if (this.lastDtsS >= 0 && afterSkip && d > 1.5 * this.frameS) this.counters.gapS += d - this.frameS;
    this.lastDtsS = dtsS;
  }

  /** A new MediaSource: decode times start again. */
  reset(): void {
    this.lastDtsS = -1;
  }
}
