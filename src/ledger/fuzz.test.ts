import { describe, expect, it } from 'vitest';
import { parseManscdp } from '../gb28181/index.ts';
import { fuzzSeeds, fuzzTargets, runFuzz } from '../media/fuzz/targets.ts';
import { factsProblem } from './device-facts.ts';
import { answerFacts } from './gb-device-info.ts';
import './fuzz-targets.ts';

describe('GB/T 28181 DeviceInfo answers judged for the ledger, fuzzed (deterministic; R-SEC-1, R-CITY-4)', () => {
  it('gb-device-info: never throws, only plausible answers accepted, no hang (5000 inputs)', () => {
    const report = runFuzz('gb-device-info', 5000, 0x0019, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
    expect(report.iterations).toBe(5000);
  });

  it('seeds: two accepted answers and one refused for its Result', () => {
    const verdicts = fuzzSeeds['gb-device-info'].map((s) => {
      expect(() => fuzzTargets['gb-device-info'](s)).not.toThrow();
      const m = parseManscdp(s);
      if (m.kind !== 'device-info-response') throw new Error('seed is not a DeviceInfo answer');
      const f = answerFacts(m);
      return 'error' in f ? 'refused' : factsProblem(f) ?? 'accepted';
    });
    expect(verdicts).toEqual(['accepted', 'accepted', 'refused']);
  });
});
