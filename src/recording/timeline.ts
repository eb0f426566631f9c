// Recorded spans and gaps of one camera over a range, derived from runs alone: a gap is the time
// between runs and carries the reason the run before it ended (R-REC-4).
import type { RunRow } from '../store/repos/recording-repo.ts';

export interface Span {
  startMs: number;
  endMs: number;
  runId: number;
}

export interface Gap {
  startMs: number;
  endMs: number;
  durationMs: number;
  /** end_reason of the run before the gap; 'no-recording' when none precedes it in the range. */
  reason: string;
  detail?: string;
}

export function timeline(runs: RunRow[], fromMs: number, toMs: number, nowMs: number): { spans: Span[]; gaps: Gap[]; recordedMs: number } {
  const spans: Span[] = [];
  const gaps: Gap[] = [];
  let cursor = fromMs;
  let prev: RunRow | undefined;
  let recordedMs = 0;
  for (const run of runs) {
    const start = Math.max(fromMs, Number(run.started_at_ms));
    // An open run reaches as far as its recorded media, or now if frames are still flowing.
    const runEnd = run.ended_at_ms === null ? Math.max(Number(run.started_at_ms) + Math.round(Number(run.duration_90k) / 90), nowMs) : Number(run.ended_at_ms);
    const end = Math.min(toMs, runEnd);
    if (end <= start) continue;
    if (start > cursor) gaps.push({ startMs: cursor, endMs: start, durationMs: start - cursor, reason: prev?.end_reason ?? 'no-recording', detail: prev?.end_detail ?? undefined });
    spans.push({ startMs: start, endMs: end, runId: run.id });
    recordedMs += end - Math.max(start, cursor);
    cursor = Math.max(cursor, end);
    prev = run;
  }
  const last = Math.min(toMs, nowMs);
  if (cursor < last) gaps.push({ startMs: cursor, endMs: last, durationMs: last - cursor, reason: prev?.end_reason ?? 'no-recording', detail: prev?.end_detail ?? undefined });
  return { spans, gaps, recordedMs };
}
