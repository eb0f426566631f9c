import { describe, it, expect } from 'vitest';
import { fuzzSeeds, fuzzTargets, registerFuzzTarget, runFuzz } from './targets.ts';
import { Prng } from './prng.ts';
import { mutate } from './mutate.ts';

const ITERATIONS: Record<string, number> = { 'rtsp-message': 3000, sdp: 3000, rtp: 5000, rtcp: 5000, auth: 3000, 'rtsp-headers': 3000 };

describe('parser fuzzing (deterministic)', () => {
  for (const [target, iterations] of Object.entries(ITERATIONS)) {
    it(`${target}: only declared errors, no hang, bounded buffers (${iterations} inputs)`, () => {
      const report = runFuzz(target, iterations, 0xc0ffee, { maxInputMs: 1000 });
      expect(report.failures).toEqual([]);
      expect(report.iterations).toBe(iterations);
    });
  }

  it('seeds parse cleanly (the corpus is valid input)', () => {
    for (const name of Object.keys(ITERATIONS)) {
      expect(fuzzSeeds[name].length).toBeGreaterThan(0);
      for (const s of fuzzSeeds[name]) expect(() => fuzzTargets[name](s)).not.toThrow();
    }
  });

  it('is deterministic and reports failures of registered targets', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const seed = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mutate(seed, a, [seed])).toEqual(mutate(seed, b, [seed]));
    registerFuzzTarget('test-throws-on-ff', (input) => {
      if (input.includes(0xff)) throw new TypeError('found 0xff');
    }, [seed]);
    const r1 = runFuzz('test-throws-on-ff', 500, 1);
    const r2 = runFuzz('test-throws-on-ff', 500, 1);
    expect(r1.failures.length).toBeGreaterThan(0);
    expect(r1.failures).toEqual(r2.failures);
    expect(r1.failures[0].error).toContain('TypeError');
    expect(() => runFuzz('nope', 1, 1)).toThrow(/unknown fuzz target/);
    delete fuzzTargets['test-throws-on-ff'];
  });
});
