import { describe, expect, it } from 'vitest';
import { fuzzSeeds, runFuzz } from '../media/fuzz/targets.ts';
import { parseCheckpoints } from './checkpoints.ts';
import './fuzz-targets.ts';

describe('audit checkpoint parser fuzzing (deterministic; R-ACC-1, R-SEC-7)', () => {
  it('audit-checkpoints: no crash other than a reasoned refusal, invariants hold, no hang (5000 inputs)', () => {
    const report = runFuzz('audit-checkpoints', 5000, 0x0014, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
    expect(report.iterations).toBe(5000);
  });

  it('audit-checkpoint-body: the upper\'s judgement of a lower\'s checkpoint never throws, flags every head that went back (3000 inputs)', () => {
    const report = runFuzz('audit-checkpoint-body', 3000, 0x0027, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
  });

  it('seeds are read as checkpoints', () => {
    for (const s of fuzzSeeds['audit-checkpoints']) expect(parseCheckpoints(Buffer.from(s).toString('utf8')).claims.length).toBeGreaterThan(0);
  });
});
