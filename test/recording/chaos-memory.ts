// "Memory flat" in the chaos runs (issue 12, R-REC-4): memory after warm-up and at the end of the
// run, each measured after a full garbage collection so that the comparison is of what is still
// referenced, not of when V8 last collected. Bounds and why: docs/design/recording.md, "Proof".
import v8 from 'node:v8';
import vm from 'node:vm';

export interface MemorySample {
  atS: number;
  rssMb: number;
  heapMb: number;
}

/**
 * Growth allowed from the sample after warm-up to the end. The recording path's steady state is
 * bounded (per camera: one fragment being built, two reused fragment buffers, a ≤ 1 s index
 * batch), so a leak shows as growth with time: one retained 500 ms fragment per camera and
 * second is ~125 MB a minute at 10 × 2 Mb/s. Heap after a full collection moves by a few MB
 * between samples; rss also holds SQLite's page cache, native buffers and allocator arenas that
 * are not returned to the system, hence the larger rss bound.
 */
export const HEAP_GROWTH_BOUND_MB = 24;
export const RSS_GROWTH_BOUND_MB = 128;

let gc: (() => void) | undefined;

/** A full collection without the --expose-gc command-line flag (the test runner's workers lack it). */
function collect(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

export function sampleMemory(fromMs: number): MemorySample {
  collect();
  const m = process.memoryUsage();
  return { atS: Math.round((Date.now() - fromMs) / 1000), rssMb: Math.round(m.rss / 1e6), heapMb: Math.round(m.heapUsed / 1e6) };
}

/** Why memory is not flat between `first` (after warm-up) and `last`, or undefined. */
export function memoryGrowthProblem(first: MemorySample, last: MemorySample): string | undefined {
  const heap = last.heapMb - first.heapMb;
  const rss = last.rssMb - first.rssMb;
  const out: string[] = [];
  if (heap > HEAP_GROWTH_BOUND_MB) out.push(`heap grew ${heap} MB (${first.heapMb} → ${last.heapMb} MB; bound ${HEAP_GROWTH_BOUND_MB} MB)`);
  if (rss > RSS_GROWTH_BOUND_MB) out.push(`rss grew ${rss} MB (${first.rssMb} → ${last.rssMb} MB; bound ${RSS_GROWTH_BOUND_MB} MB)`);
  return out.length > 0 ? `memory not flat from ${first.atS} s to ${last.atS} s: ${out.join('; ')}` : undefined;
}
