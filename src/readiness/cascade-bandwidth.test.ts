// The cascade bandwidth verdict (R-PRE-4): pass only when the achieved sum reaches the stated
// requirement with loss under 1 %; loss, a shortfall or a dead stream fail; no requirement warns.
import { describe, expect, it } from 'vitest';
import { judgeCascadeBandwidth } from './cascade-bandwidth.ts';
import type { CascadeBandwidthResult, StreamMeasure } from './cascade-bandwidth.ts';

const stream = (kbps: number, lossPercent = 0, error: string | null = null): StreamMeasure => ({ channel: `c${kbps}`, kbps, packets: kbps ? 100 : 0, lost: Math.round(lossPercent), lossPercent, jitterMs: 1, error });
const result = (streams: StreamMeasure[], lossPercent = 0): CascadeBandwidthResult => ({ streams, achievedKbps: streams.reduce((a, s) => a + s.kbps, 0), lossPercent, jitterMs: 1 });

describe('judgeCascadeBandwidth (R-PRE-4)', () => {
  it('passes at or above the requirement with loss under 1 %', () => {
    expect(judgeCascadeBandwidth(result([stream(2000), stream(2000)], 0.5), 4000).verdict).toBe('pass');
  });
  it('fails below the requirement, at 1 % loss, or with a stream that delivered nothing', () => {
    expect(judgeCascadeBandwidth(result([stream(2000), stream(1999)]), 4000)).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/3999 kbit\/s 低于所需 4000/) });
    expect(judgeCascadeBandwidth(result([stream(5000)], 1), 4000)).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/丢包 1\.00%/) });
    expect(judgeCascadeBandwidth(result([stream(5000), stream(0, 0, 'offline')]), 4000).verdict).toBe('fail');
    expect(judgeCascadeBandwidth(result([]), 1).verdict).toBe('fail');
  });
  it('warns when nobody stated a requirement, and still fails a broken link', () => {
    expect(judgeCascadeBandwidth(result([stream(3000)]), null).verdict).toBe('warn');
    expect(judgeCascadeBandwidth(result([stream(0, 0, 'lower platform x is offline')]), null)).toMatchObject({ verdict: 'fail', reason: expect.stringMatching(/offline/) });
  });
});
