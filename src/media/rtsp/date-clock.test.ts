// The camera clock from RTSP Date headers (issue 17, R-PRE-6): the forms cameras write, and the
// offset each reply allows, narrowed across replies.
import { describe, expect, it } from 'vitest';
import { parseRtspDate, statedClock } from './date-clock.ts';

const T = Date.UTC(2026, 11, 7, 1, 51, 50);

describe('RTSP Date header (R-PRE-6)', () => {
  it('reads the forms cameras send', () => {
    expect(parseRtspDate('Mon, 07 Dec 2026 01:51:50 GMT')).toBe(T); // RFC 1123 (RFC 2326 §3.7)
    expect(parseRtspDate('Monday, 07-Dec-26 01:51:50 GMT')).toBe(T); // RFC 850
    expect(parseRtspDate('Mon Dec  7 01:51:50 2026')).toBe(T); // asctime
    expect(parseRtspDate(' Mon, Dec 07 2026 01:51:50 GMT')).toBe(T); // month first, as some cameras write it
    expect(parseRtspDate('07 Dec 2026 09:51:50 +0800')).toBe(T); // numeric zone
  });

  it('refuses what is not a date', () => {
    for (const bad of [undefined, '', 'yesterday', 'Mon, 31 Feb 2026 01:00:00 GMT', 'Mon, 07 Foo 2026 01:51:50 GMT', 'Mon, 07 Dec 2026 25:00:00 GMT', '2026-12-07T01:51:50Z'])
      expect(parseRtspDate(bad), String(bad)).toBeUndefined();
  });

  it('one reply allows a window of a second plus the round trip', () => {
    // The camera read 01:51:50.xxx somewhere between the request (node T+3000) and the reply (T+3040).
    const c = statedClock([{ dateMs: T, sentAtMs: T + 3000, receivedAtMs: T + 3040 }])!;
    // offset ∈ [T − (T+3040), T+1000 − (T+3000)] = [−3040, −2000]
    expect(c).toEqual({ offsetMs: -2520, uncertaintyMs: 520, samples: 1, atMs: T + 3040 });
  });

  it('replies on both sides of the camera’s second tick narrow it; a contradicting older reply is dropped', () => {
    // Camera 2.3 s behind the node: at node time T+k·100 ms it reads T−2300+k·100 ms (its second ticks between k=2 and k=3).
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => {
      const node = T + k * 100;
      const cam = node - 2300;
      return { dateMs: Math.floor(cam / 1000) * 1000, sentAtMs: node - 5, receivedAtMs: node + 5 };
    });
    const c = statedClock(samples)!;
    expect(c.samples).toBe(8);
    expect(c.uncertaintyMs).toBeLessThanOrEqual(55);
    expect(Math.abs(c.offsetMs - -2300)).toBeLessThanOrEqual(c.uncertaintyMs);
    // The camera was set in between: what it said before the set no longer counts.
    const reset = statedClock([{ dateMs: T - 60_000, sentAtMs: T, receivedAtMs: T + 10 }, ...samples])!;
    expect(reset.samples).toBe(8);
    expect(statedClock([])).toBeUndefined();
  });
});
