// R-PRE-6: every wall clock a user types or reads is Beijing time; an impossible one is refused, not moved.
import { describe, expect, it } from 'vitest';
import { formatBeijing, parseBeijing } from '../../src/util/beijing-time.ts';

describe('Beijing time (R-PRE-6)', () => {
  it('parses a Beijing wall clock as the instant 8 h earlier in UTC', () => {
    expect(parseBeijing('2026-06-07 09:00')).toBe(Date.UTC(2026, 5, 7, 1, 0, 0));
    expect(parseBeijing('2026-06-07T09:00:30')).toBe(Date.UTC(2026, 5, 7, 1, 0, 30));
    expect(formatBeijing(Date.UTC(2026, 5, 6, 16, 0, 0))).toBe('2026-06-07 00:00:00');
  });

  it('accepts the leap day of a leap year and the last second of a day', () => {
    expect(formatBeijing(parseBeijing('2028-02-29 23:59:59')!)).toBe('2028-02-29 23:59:59');
  });

  it.each(['2026-02-30 09:00', '2027-02-29 09:00', '2026-04-31 09:00', '2026-13-01 09:00', '2026-00-10 09:00',
    '2026-06-00 09:00', '2026-06-07 24:00', '2026-06-07 09:60', '2026-06-07 09:00:60', '2026-6-7 9:00', 'tomorrow'])(
    'refuses %s instead of rolling it over', (text) => {
      expect(parseBeijing(text)).toBeUndefined();
    });
});
