// Short deterministic fuzz run of the ONVIF response parser (issue 17); the long run is `npm run fuzz`.
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../media/fuzz/targets.ts';
import './fuzz-targets.ts';

describe('ONVIF response fuzzing', () => {
  it('onvif-response: only OnvifError, accepted answers within bounds (2000 inputs)', () => {
    const report = runFuzz('onvif-response', 2000, 0x0f1f, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
  });
});
