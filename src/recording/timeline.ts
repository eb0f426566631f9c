// Recorded spans and gaps of one camera over a range, derived from runs and (when given) the
// files that still exist in the index: a gap is the time between runs and carries the reason the
// run before it ended; a part of a run whose files retention deleted is a gap 'deleted' (R-REC-4).
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
  /** end_reason of the run before the gap; 'no-recording' when none precedes it in the range; 'deleted' when retention removed the files. */
  reason: string;
  detail?: string;
}

/** The extent of one file row: what of its run is still on disk. */
export interface FileExtent {
  run_id: number;
  start_ms: number;
  end_ms: number;
}

/**
 * Files of one run abut up to rounding and the last frame's estimated duration; closer than this
 * they are one span. Equal to the verifier's tolerance (3 frame intervals at 25 fps + rounding).
 */
export const FILE_JOIN_TOLERANCE_MS = 122;

const DELETED_DETAIL = 'recording files deleted (retention or disk pressure)';

/** Pieces of [start, end) covered by the run's files, joined across slivers. */
function filePieces(start: number, end: number, files: FileExtent[]): Array<[number, number]> {
  const pieces: Array<[number, number]> = [];
  for (const f of files) {
    const a = Math.max(start, Number(f.start_ms));
    const b = Math.min(end, Number(f.end_ms));
    if (b <= a) continue;
    const last = pieces[pieces.length - 1];
    if (last && a - last[1] <= FILE_JOIN_TOLERANCE_MS) last[1] = Math.max(last[1], b);
    else pieces.push([a, b]);
  }
  // Slivers at the run's edges are rounding, not deletions.
  if (pieces.length > 0 && pieces[0][0] - start <= FILE_JOIN_TOLERANCE_MS) pieces[0][0] = start;
  if (pieces.length > 0 && end - pieces[pieces.length - 1][1] <= FILE_JOIN_TOLERANCE_MS) pieces[pieces.length - 1][1] = end;
  return pieces;
}

export function timeline(runs: RunRow[], fromMs: number, toMs: number, nowMs: number, files?: FileExtent[]): { spans: Span[]; gaps: Gap[]; recordedMs: number } {
  const spans: Span[] = [];
  const gaps: Gap[] = [];
  let cursor = fromMs;
  let prevReason: { reason: string; detail?: string } | undefined;
  let recordedMs = 0;
  const byRun = new Map<number, FileExtent[]>();
  for (const f of [...(files ?? [])].sort((a, b) => Number(a.start_ms) - Number(b.start_ms))) byRun.set(f.run_id, [...(byRun.get(f.run_id) ?? []), f]);
  const add = (start: number, end: number, runId: number): void => {
    if (end <= start) return;
    if (start > cursor) gaps.push({ startMs: cursor, endMs: start, durationMs: start - cursor, reason: prevReason?.reason ?? 'no-recording', detail: prevReason?.detail });
    spans.push({ startMs: start, endMs: end, runId });
    recordedMs += end - Math.max(start, cursor);
    cursor = Math.max(cursor, end);
  };
  for (const run of runs) {
    const start = Math.max(fromMs, Number(run.started_at_ms));
    const open = run.ended_at_ms === null;
    const durableEnd = Number(run.started_at_ms) + Math.round(Number(run.duration_90k) / 90);
    // An open run reaches as far as its recorded media, or now if frames are still flowing.
    const runEnd = open ? Math.max(durableEnd, nowMs) : Number(run.ended_at_ms);
    const end = Math.min(toMs, runEnd);
    if (end <= start) continue;
    if (!files) {
      add(start, end, run.id);
    } else {
      // What is not yet indexed of an open run (its live tail) counts as it always did.
      const indexedEnd = open ? Math.min(end, durableEnd) : end;
      const pieces = filePieces(start, indexedEnd, byRun.get(run.id) ?? []);
      if (open && indexedEnd < end) {
        const last = pieces[pieces.length - 1];
        if (last && last[1] >= indexedEnd - FILE_JOIN_TOLERANCE_MS) last[1] = end;
        else pieces.push([Math.max(start, indexedEnd), end]);
      }
      for (const [a, b] of pieces) {
        // Inside one run, only deletion removes files.
        if (a > start) prevReason = { reason: 'deleted', detail: DELETED_DETAIL };
        add(a, b, run.id);
      }
      if (pieces.length === 0 || pieces[pieces.length - 1][1] < end) {
        prevReason = { reason: 'deleted', detail: DELETED_DETAIL };
        continue;
      }
    }
    prevReason = { reason: run.end_reason ?? 'no-recording', detail: run.end_detail ?? undefined };
  }
  const last = Math.min(toMs, nowMs);
  if (cursor < last) gaps.push({ startMs: cursor, endMs: last, durationMs: last - cursor, reason: prevReason?.reason ?? 'no-recording', detail: prevReason?.detail });
  return { spans, gaps, recordedMs };
}
