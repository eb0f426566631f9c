import { describe, it, expect } from 'vitest';
import { fuzzSeeds, fuzzTargets, runFuzz } from '../media/fuzz/targets.ts';
import './fuzz-targets.ts';

const ITERATIONS: Record<string, number> = {
  'gb-sip-message': 4000, 'gb-sip-stream': 3000, 'gb-manscdp': 3000, 'gb-ptz': 5000, 'gb-sdp-auth': 3000, 'gb-sip-events': 3000, 'gb-ps-demux': 2000, 'gb-commands': 2000, 'gb-keepalive': 3000, 'gb-catalog-info': 3000,
};

describe('GB/T 28181 parser fuzzing (deterministic; R-FN-3, R-DIS-2, R-SEC-5)', () => {
  for (const [target, iterations] of Object.entries(ITERATIONS)) {
    it(`${target}: only declared errors, no hang, bounded memory (${iterations} inputs)`, () => {
      const heapBefore = process.memoryUsage().heapUsed;
      const report = runFuzz(target, iterations, 0x28181, { maxInputMs: 1000 });
      expect(report.failures).toEqual([]);
      expect(report.iterations).toBe(iterations);
      // No bound on the whole run's time: speed belongs to `npm run fuzz`/benchmarks; the
      // per-input guard above (confirmed on a second run) catches hangs.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
    });
  }

  it('seeds are accepted cleanly by their targets', () => {
    for (const name of Object.keys(ITERATIONS)) {
      expect(fuzzSeeds[name].length).toBeGreaterThan(0);
      for (const s of fuzzSeeds[name]) expect(() => fuzzTargets[name](s)).not.toThrow();
    }
  });
});
