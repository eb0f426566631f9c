// Gap arithmetic from runs alone (R-REC-4): exact bounds, reasons, open runs, overlaps.
import { describe, expect, it } from 'vitest';
import { coverageOf } from '../../src/exams/coverage.ts';
import { participatingRooms } from '../../src/exams/windows.ts';

const W = { startMs: 1_000_000, endMs: 1_000_000 + 3600_000 };
const end = W.endMs;

describe('coverage of a window by runs (R-REC-4)', () => {
  it('one 120 s interruption: one gap with the reason of the run before it', () => {
    const c = coverageOf(W, [
      { startMs: W.startMs - 60_000, endMs: W.startMs + 1800_000, endReason: 'stall' },
      { startMs: W.startMs + 1920_000, endMs: end + 60_000, endReason: 'stopped' },
    ], end + 3600_000);
    expect(c.gaps).toEqual([{ startMs: W.startMs + 1800_000, endMs: W.startMs + 1920_000, lengthMs: 120_000, reason: 'stall', ongoing: false }]);
    expect(c.coverage).toBe((3600_000 - 120_000) / 3600_000);
  });

  it('late start, early end, overlapping runs and runs outside the window', () => {
    const c = coverageOf(W, [
      { startMs: W.startMs - 7200_000, endMs: W.startMs - 3600_000, endReason: 'eof' },
      { startMs: W.startMs + 10_000, endMs: W.startMs + 600_000, endReason: 'timeout' },
      { startMs: W.startMs + 500_000, endMs: W.startMs + 900_000, endReason: 'garbage' },
      { startMs: end + 1, endMs: end + 5000, endReason: 'eof' },
    ], end + 10_000);
    expect(c.gaps.map((g) => [g.startMs - W.startMs, g.endMs - W.startMs, g.reason])).toEqual([
      [0, 10_000, 'not started'],
      [900_000, 3600_000, 'garbage'],
    ]);
    expect(c.recordedMs).toBe(890_000);
  });

  it('an open run counts until now; a window not yet begun requires nothing; no runs at all is one gap', () => {
    expect(coverageOf(W, [{ startMs: W.startMs, endMs: null, endReason: null }], W.startMs + 60_000)).toMatchObject({ requiredMs: 60_000, recordedMs: 60_000, coverage: 1, gaps: [], inProgress: true });
    expect(coverageOf(W, [], W.startMs - 1)).toMatchObject({ requiredMs: 0, coverage: 1, gaps: [] });
    expect(coverageOf(W, [], end).gaps).toEqual([{ startMs: W.startMs, endMs: end, lengthMs: 3600_000, reason: 'no recording', ongoing: false }]);
    expect(coverageOf(W, [], end, { noCamera: true }).gaps[0].reason).toBe('no camera');
  });
});

describe('participating rooms (R-REC-2, R-REC-3, R-CITY-1)', () => {
  const rooms = [
    { id: 1, site_id: 9, kind: 'exam' as const },
    { id: 2, site_id: 9, kind: 'lab' as const },
    { id: 3, site_id: 9, kind: 'affairs' as const },
    { id: 4, site_id: 9, kind: 'secrecy' as const },
    { id: 5, site_id: 9, kind: 'monitoring' as const },
    { id: 6, site_id: 8, kind: 'exam' as const },
  ];
  it('all exam/lab rooms by default, custody rooms always, a selection narrows only its own site', () => {
    expect(participatingRooms(rooms, []).map((r) => [r.id, r.windowKind])).toEqual([[1, 'exam'], [2, 'exam'], [3, 'custody'], [4, 'custody'], [6, 'exam']]);
    expect(participatingRooms(rooms, [2]).map((r) => r.id)).toEqual([2, 3, 4, 6]);
  });
});
