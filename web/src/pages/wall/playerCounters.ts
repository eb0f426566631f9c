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
  /** Queue over 100 fragments dropped (the decoder fell behind) and append failures. */
  queueResets: number;
  quotaErrors: number;
  rateChanges: number;
  /** Wall seconds spent at a playback rate above 1. */
  speedupS: number;
}

export function newPlayerCounters(): PlayerCounters {
  return { appends: 0, fragments: 0, waitedFragments: 0, keyJumps: 0, gopJumps: 0, gapJumps: 0, hiddenDecodeS: 0, starvedSamples: 0, skippedS: 0, queueResets: 0, quotaErrors: 0, rateChanges: 0, speedupS: 0 };
}
