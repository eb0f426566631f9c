// Short deterministic fuzz run of the organisation parsers of typed input (issue 13); the long run
// is `npm run fuzz`.
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../media/fuzz/targets.ts';
import './fuzz-targets.ts';

describe('organisation input fuzzing', () => {
  for (const target of ['stream-url-credentials', 'display-name']) {
    it(`${target}: no exception, invariants hold (3000 inputs)`, () => {
      const report = runFuzz(target, 3000, 0x5ec, { maxInputMs: 1000 });
      expect(report.failures).toEqual([]);
    });
  }
});
