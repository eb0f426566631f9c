// The "memory flat" check of the chaos runs (issue 12, R-REC-4): growth past the bounds is named,
// growth within them is not, and samples are taken after a real full collection (without it,
// garbage not yet collected would count as growth).
import { describe, expect, it } from 'vitest';
import { HEAP_GROWTH_BOUND_MB, RSS_GROWTH_BOUND_MB, memoryGrowthProblem, sampleMemory } from './chaos-memory.ts';

describe('chaos memory check (R-REC-4)', () => {
  it('names heap or rss growth beyond the bounds, and only that', () => {
    const first = { atS: 30, rssMb: 200, heapMb: 30 };
    expect(memoryGrowthProblem(first, { atS: 300, rssMb: 200 + RSS_GROWTH_BOUND_MB, heapMb: 30 + HEAP_GROWTH_BOUND_MB })).toBeUndefined();
    expect(memoryGrowthProblem(first, { atS: 300, rssMb: 150, heapMb: 20 })).toBeUndefined();
    expect(memoryGrowthProblem(first, { atS: 300, rssMb: 200, heapMb: 31 + HEAP_GROWTH_BOUND_MB })).toMatch(/heap grew 25 MB \(30 → 55 MB; bound 24 MB\)/);
    expect(memoryGrowthProblem(first, { atS: 300, rssMb: 201 + RSS_GROWTH_BOUND_MB, heapMb: 30 })).toMatch(/rss grew 129 MB/);
  });

  it('samples after a full collection: garbage does not count, live data does', () => {
    const before = sampleMemory(Date.now());
    let garbage: unknown[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `x${i}` }));
    expect(garbage.length).toBe(400_000);
    garbage = undefined;
    expect(sampleMemory(Date.now()).heapMb - before.heapMb).toBeLessThan(5);
    const live = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `y${i}` }));
    expect(sampleMemory(Date.now()).heapMb - before.heapMb).toBeGreaterThan(10);
    expect(live.length).toBe(400_000);
  });
});
