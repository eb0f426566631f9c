// GB/T 28181 device clock from the Date of the 200 OK answers to our queries (issue 17, R-PRE-6):
// each answer bounds the offset by our send and receive times; answers are intersected.
import { describe, expect, it } from 'vitest';
import { AnswerClocks } from './answer-clock.ts';
import { sipDateText } from './upper-clock.ts';

const T = Date.UTC(2026, 11, 7, 2, 0, 0);

describe('GB/T 28181 answer Date clock (R-PRE-6)', () => {
  it('one millisecond Date is bounded by the round trip: offset at its middle, ± half the round trip', () => {
    const c = new AnswerClocks();
    // The device runs 7 s ahead and wrote its Date 30 ms after we sent (round trip 80 ms).
    expect(c.note('d', sipDateText(T + 30 + 7000), T, T + 80)).toBe(true);
    const s = c.of('d')!;
    expect(s.samples).toBe(1);
    // [Date − received, Date + 1 − sent] = [6950, 7031]
    expect(s.offsetMs).toBe(Math.round((6950 + 7031) / 2));
    expect(s.uncertaintyMs).toBe(Math.round((7031 - 6950) / 2));
    expect(s.atMs).toBe(T + 80);
  });

  it('answers are intersected: a fast answer narrows a slow one; a whole-second RFC 1123 Date allows a second more', () => {
    const c = new AnswerClocks();
    c.note('d', sipDateText(T + 1000 + 500 - 2000), T + 1000, T + 3000); // 2 s round trip (an INVITE)
    c.note('d', sipDateText(T + 5010 - 2000), T + 5000, T + 5020); // 20 ms round trip
    const s = c.of('d')!;
    expect(s.samples).toBe(2);
    expect(Math.abs(s.offsetMs + 2000)).toBeLessThanOrEqual(20);
    expect(s.uncertaintyMs).toBeLessThanOrEqual(11);
    const rfc = new AnswerClocks();
    rfc.note('x', new Date(T).toUTCString(), T - 10, T + 10);
    expect(rfc.of('x')).toMatchObject({ uncertaintyMs: 510 }); // [−10, +1010]
  });

  it('ignores answers without a Date or with an unreadable one, and drops samples older than 10 min', () => {
    const c = new AnswerClocks();
    expect(c.note('d', undefined, T, T + 5)).toBe(false);
    expect(c.note('d', 'yesterday', T, T + 5)).toBe(false);
    expect(c.of('d')).toBeUndefined();
    c.note('d', sipDateText(T + 60_000), T, T + 10); // +60 s then
    c.note('d', sipDateText(T + 700_000 + 5), T + 700_000, T + 700_010); // set since: 0 s now
    expect(Math.abs(c.of('d')!.offsetMs)).toBeLessThan(10);
    expect(c.of('d')!.samples).toBe(1);
  });
});
