// `xuncha verify-recordings`: compares what the index calls recorded with what the files hold
// (R-REC-4). Reads every file in the range (box structure, fragment timestamps, sample sizes,
// parameter sets, optionally every sample's NAL structure) and names each disagreement:
// a hole inside what the index calls recorded, a recorded span with no file, a damaged tail past
// the indexed length, a row pointing past its file, an index entry that does not match its
// fragment, media on disk that no row indexes. Users run it before handing evidence over; tests
// run it after every fault scenario.
import type { Store } from '../../store/db.ts';
import type { FileRow, RunRow } from '../../store/repos/recording-repo.ts';
import { repos } from '../../store/repos/index.ts';
import type { FileStore } from '../file-store.ts';
import { FragmentIndexError, decodeFragmentIndex } from '../fragment-index.ts';
import { scanRecordingFile } from '../fragment-scan.ts';
import { FILE_JOIN_TOLERANCE_MS, timeline } from '../timeline.ts';

export type ProblemKind =
  /** The index calls a span recorded and no file covers it. */
  | 'uncovered-span'
  /** A row whose file is gone. */
  | 'missing-file'
  /** A row whose indexed length is past the end of its file. */
  | 'row-past-file'
  /** Bytes after the indexed length of a closed file (damage a crash or full disk left). */
  | 'damaged-tail'
  /** The file's init segment or parameter sets are unusable. */
  | 'bad-init'
  /** A fragment's bytes do not parse, or a sample is not well-formed video. */
  | 'bad-fragment'
  /** The fragment index, sizes, durations or frame counts of the row disagree with the file. */
  | 'index-mismatch'
  /** Media time missing inside a file or between files of one span (beyond the tolerance). */
  | 'hole'
  /** A file below the recordings directory that no row indexes. */
  | 'unindexed-file';

export interface VerifyProblem {
  kind: ProblemKind;
  cameraId?: number;
  relPath?: string;
  /** Wall-clock extent of the problem when it has one, ms since epoch. */
  fromMs?: number;
  toMs?: number;
  detail: string;
}

export interface VerifyOptions {
  cameraId?: number;
  fromMs?: number;
  toMs?: number;
  /** Read every video sample too (slower: a full read of each file). Default true. */
  checkSamples?: boolean;
}

export interface VerifyResult {
  ok: boolean;
  cameras: number;
  files: number;
  bytes: number;
  /** Media time the index calls recorded in the range, ms. */
  recordedMs: number;
  problems: VerifyProblem[];
}

/** A hole is a step between frames longer than this many frame intervals (stated in recording.md). */
export const HOLE_TOLERANCE_FRAMES = 3;
/** Frame interval assumed when a file has too few frames to measure one (25 fps), 90 kHz. */
const DEFAULT_FRAME_90K = 3600;
/** Index and media may differ by this much rounding when ms are derived from 90 kHz. */
const ROUNDING_MS = 2;

const median = (xs: number[]): number => {
  if (xs.length === 0) return DEFAULT_FRAME_90K;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function verifyFile(files: FileStore, f: FileRow, checkSamples: boolean, problems: VerifyProblem[]): Promise<{ frame90k: number; bytes: number }> {
  const base = { cameraId: f.camera_id, relPath: f.rel_path };
  const indexedBytes = Number(f.bytes);
  const span = { fromMs: Number(f.start_ms), toMs: Number(f.end_ms) };
  const size = await files.size(f.rel_path);
  if (size === undefined) {
    problems.push({ kind: 'missing-file', ...base, ...span, detail: `indexed as ${indexedBytes} bytes but the file does not exist` });
    return { frame90k: DEFAULT_FRAME_90K, bytes: 0 };
  }
  if (size < indexedBytes) problems.push({ kind: 'row-past-file', ...base, ...span, detail: `index says ${indexedBytes} bytes, the file has ${size}` });
  // An open file grows past its index until the next commit: only a closed file's tail is damage.
  if (size > indexedBytes && f.status === 'closed') problems.push({ kind: 'damaged-tail', ...base, detail: `${size - indexedBytes} bytes after the indexed length ${indexedBytes}` });
  let scan;
  try {
    scan = await scanRecordingFile(files.absolute(f.rel_path), { limitBytes: indexedBytes, checkSamples });
  } catch (err) {
    problems.push({ kind: 'bad-fragment', ...base, ...span, detail: `cannot read: ${(err as Error).message}` });
    return { frame90k: DEFAULT_FRAME_90K, bytes: 0 };
  }
  if (scan.initProblem) {
    problems.push({ kind: 'bad-init', ...base, ...span, detail: scan.initProblem });
    return { frame90k: DEFAULT_FRAME_90K, bytes: size };
  }
  if (scan.initBytes !== Number(f.init_bytes)) problems.push({ kind: 'index-mismatch', ...base, detail: `init segment is ${scan.initBytes} bytes, index says ${f.init_bytes}` });
  if (scan.completeEnd !== Math.min(indexedBytes, size)) problems.push({ kind: 'index-mismatch', ...base, ...span, detail: `indexed length ${indexedBytes} ends inside a fragment: ${scan.trailing ?? 'incomplete'} at byte ${scan.completeEnd}` });

  let entries: ReturnType<typeof decodeFragmentIndex> = [];
  try {
    entries = decodeFragmentIndex(new Uint8Array(f.fragment_index), Number(f.init_bytes));
  } catch (err) {
    if (!(err instanceof FragmentIndexError)) throw err;
    problems.push({ kind: 'index-mismatch', ...base, detail: err.message });
  }
  if (entries.length !== scan.fragments.length) problems.push({ kind: 'index-mismatch', ...base, ...span, detail: `index lists ${entries.length} fragments, the indexed bytes hold ${scan.fragments.length}` });
  const frame90k = median(scan.fragments.flatMap((fr) => fr.sampleDurations90k));
  const holeOver90k = HOLE_TOLERANCE_FRAMES * frame90k;
  const startMs = Number(f.start_ms);
  let expectedDecode90k: number | undefined;
  let duration90k = 0;
  let frames = 0;
  scan.fragments.forEach((fr, i) => {
    const at = (o90k: number) => startMs + Math.round(o90k / 90);
    const e = entries[i];
    if (e && (e.fileOffset !== fr.fileOffset || e.byteLength !== fr.byteLength || e.duration90k !== fr.duration90k || e.frameCount !== fr.frameCount || (e.keyframeOffset90k === undefined) !== (fr.keyframeOffset90k === undefined))) {
      problems.push({ kind: 'index-mismatch', ...base, fromMs: at(duration90k), toMs: at(duration90k + fr.duration90k), detail: `fragment ${i}: index (${e.byteLength} B, ${e.duration90k} ticks, ${e.frameCount} frames) vs file (${fr.byteLength} B, ${fr.duration90k} ticks, ${fr.frameCount} frames)` });
    }
    if (fr.problem) problems.push({ kind: 'bad-fragment', ...base, fromMs: at(duration90k), toMs: at(duration90k + fr.duration90k), detail: `fragment ${i}: ${fr.problem}` });
    if (i === 0 && fr.keyframes[0] !== true) problems.push({ kind: 'bad-fragment', ...base, fromMs: startMs, detail: 'file does not start with a keyframe' });
    if (expectedDecode90k !== undefined && Math.abs(fr.baseDecodeTime90k - expectedDecode90k) > holeOver90k) {
      problems.push({ kind: 'hole', ...base, fromMs: at(expectedDecode90k), toMs: at(fr.baseDecodeTime90k), detail: `fragment ${i} starts ${Math.round((fr.baseDecodeTime90k - expectedDecode90k) / 90)} ms away from where the previous one ended` });
    }
    let o = duration90k;
    for (const d of fr.sampleDurations90k) {
      if (d > holeOver90k) problems.push({ kind: 'hole', ...base, fromMs: at(o), toMs: at(o + d), detail: `one frame lasts ${Math.round(d / 90)} ms (frame interval ${Math.round(frame90k / 90)} ms): ${Math.round((d - frame90k) / 90)} ms of video missing` });
      o += d;
    }
    expectedDecode90k = fr.baseDecodeTime90k + fr.duration90k;
    duration90k += fr.duration90k;
    frames += fr.frameCount;
  });
  if (duration90k !== Number(f.duration_90k) || frames !== Number(f.frame_count)) {
    problems.push({ kind: 'index-mismatch', ...base, ...span, detail: `index says ${f.duration_90k} ticks / ${f.frame_count} frames, the indexed bytes hold ${duration90k} / ${frames}` });
  }
  return { frame90k, bytes: size };
}

/** Parts of [fromMs, toMs) that no interval covers, ignoring slivers up to `toleranceMs`. */
function uncovered(fromMs: number, toMs: number, covered: Array<[number, number]>, toleranceMs: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let cursor = fromMs;
  for (const [a, b] of [...covered].sort((x, y) => x[0] - y[0])) {
    if (b <= cursor) continue;
    if (a >= toMs) break;
    if (a - cursor > toleranceMs) out.push([cursor, a]);
    cursor = Math.max(cursor, b);
  }
  if (toMs - cursor > toleranceMs) out.push([cursor, toMs]);
  return out;
}

export async function verifyRecordings(store: Store, files: FileStore, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const fromMs = opts.fromMs ?? 0;
  const toMs = opts.toMs ?? Number.MAX_SAFE_INTEGER;
  const checkSamples = opts.checkSamples ?? true;
  const r = repos(store.db).recordings;
  const cameraIds = opts.cameraId !== undefined ? [opts.cameraId] : await r.cameraIdsWithRecordings();
  const result: VerifyResult = { ok: true, cameras: cameraIds.length, files: 0, bytes: 0, recordedMs: 0, problems: [] };
  const indexedPaths = new Set<string>();
  for (const cameraId of cameraIds) {
    const rows = await r.filesBetween(cameraId, fromMs, toMs);
    const runs: RunRow[] = await r.runsBetween(cameraId, fromMs, toMs);
    let frame90k = DEFAULT_FRAME_90K;
    for (const f of rows) {
      indexedPaths.add(f.rel_path);
      const checked = await verifyFile(files, f, checkSamples, result.problems);
      frame90k = Math.max(frame90k, checked.frame90k);
      result.files++;
      result.bytes += checked.bytes;
    }
    // What the index calls recorded (the timeline users see; open runs only as far as indexed)
    // must be covered by files that exist.
    const present = rows.filter((f) => !result.problems.some((p) => p.kind === 'missing-file' && p.relPath === f.rel_path));
    const covered = present.map((f): [number, number] => [Number(f.start_ms), Number(f.end_ms)]);
    const { spans, recordedMs } = timeline(runs, fromMs, toMs, 0, rows);
    result.recordedMs += recordedMs;
    const toleranceMs = Math.max(FILE_JOIN_TOLERANCE_MS, Math.round((HOLE_TOLERANCE_FRAMES * frame90k) / 90) + ROUNDING_MS);
    for (const s of spans) {
      for (const [a, b] of uncovered(s.startMs, s.endMs, covered, toleranceMs)) {
        result.problems.push({ kind: 'uncovered-span', cameraId, fromMs: a, toMs: b, detail: `recorded span of run ${s.runId} has no file for ${b - a} ms` });
      }
    }
  }
  // Media on disk that no row indexes (only meaningful for a whole-camera, whole-time check).
  if (opts.fromMs === undefined && opts.toMs === undefined) {
    const prefix = opts.cameraId !== undefined ? `${opts.cameraId}/` : '';
    const all = new Set((await r.allFilePaths()).map((f) => f.rel_path));
    const garbage = new Set((await r.garbage()).map((g) => g.rel_path));
    for (const rel of await files.list()) {
      if (!rel.startsWith(prefix) || all.has(rel) || garbage.has(rel) || indexedPaths.has(rel)) continue;
      result.problems.push({ kind: 'unindexed-file', relPath: rel, detail: `${(await files.size(rel)) ?? 0} bytes on disk that no index row describes` });
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}
