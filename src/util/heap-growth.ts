// How far V8 lets the old generation grow between full collections (issue 16). A node that records
// cameras allocates ~0.5 MB/s of ArrayBuffers per camera (socket reads, reassembled NAL units), and
// V8 counts external memory allocated since the last mark-compact against the old generation's
// headroom: with its default limit (live size + 8 MB + the young generation's capacity) and a
// 16 MB young generation, 50 cameras used up that headroom every ~0.35 s, so the node ran an
// incremental mark-compact of its whole ~22 MB heap 2–3 times a second (70–79 in 30 s;
// `npm run bench:record -- --worker-flags=--trace-gc`). Growing the limit to twice the live size
// cut that to 42 in 30 s when set here at run time (30 when given on node's command line) and
// peak memory by ~20 MB; the CPU saving was within the noise of the shared machine it was measured
// on (docs/benchmarks.md, 2026-12-08).
import v8 from 'node:v8';

/** Old-generation limit after a collection = live size × (1 + HEAP_GROWING_PERCENT / 100) + young generation. */
export const HEAP_GROWING_PERCENT = 100;

let applied = false;

/** Once per process; a --heap-growing-percent given on node's command line wins. */
export function setHeapGrowth(): void {
  if (applied) return;
  applied = true;
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
