// Pure rules behind the wall tile's exam status and the camera dialog's brand templates
// (issue 14 items 8 and 10; R-FN-1 patrol, R-ORG-2 device archive).
import { describe, expect, it } from 'vitest';
import { beijingDayStartMs, examStateOf } from '../../src/exams/room-status.ts';
import { brandStreams } from '../../web/src/pages/org/brandTemplates.ts';
import { snapshotFileName } from '../../web/src/pages/wall/snapshot.ts';

const MIN = 60_000;
// 2026-06-07 09:00 Beijing.
const T9 = Date.UTC(2026, 5, 7, 1, 0, 0);
const w = (startMs: number, endMs: number, endSource = 'default') => ({ start_ms: startMs, end_ms: endMs, end_source: endSource, subject: '语文', exam_name: '2026 高考' });

describe('tile exam status (issue 14 item 8)', () => {
  it('考试中 inside a window, 已封门 after a seal for the rest of that Beijing day, 空闲 otherwise', () => {
    expect(examStateOf([w(T9 - 30 * MIN, T9 + 180 * MIN)], T9)).toMatchObject({ state: 'running', subject: '语文', examName: '2026 高考' });
    expect(examStateOf([w(T9 + MIN, T9 + 180 * MIN)], T9).state).toBe('idle');
    expect(examStateOf([w(T9 - 180 * MIN, T9 - 10 * MIN, 'sealed')], T9)).toMatchObject({ state: 'sealed', endMs: T9 - 10 * MIN });
    // An unsealed window that ran out by its default end is not 已封门.
    expect(examStateOf([w(T9 - 180 * MIN, T9 - 10 * MIN)], T9).state).toBe('idle');
    // A seal of yesterday is not shown today.
    expect(examStateOf([w(T9 - 26 * 60 * MIN, T9 - 24 * 60 * MIN, 'sealed')], T9).state).toBe('idle');
    // The next window opening wins over the seal before it.
    expect(examStateOf([w(T9 - 180 * MIN, T9 - 60 * MIN, 'sealed'), w(T9 - 5 * MIN, T9 + 90 * MIN)], T9).state).toBe('running');
  });

  it('the Beijing day starts at 16:00 UTC', () => {
    expect(beijingDayStartMs(T9)).toBe(Date.UTC(2026, 5, 6, 16, 0, 0));
    expect(beijingDayStartMs(Date.UTC(2026, 5, 6, 15, 59, 0))).toBe(Date.UTC(2026, 5, 5, 16, 0, 0));
  });
});

describe('camera dialog brand templates (issue 14 item 10)', () => {
  it('Hikvision, Dahua and Uniview main/sub paths by channel', () => {
    expect(brandStreams('hikvision', 1)).toEqual({ main: '/Streaming/Channels/101', sub: '/Streaming/Channels/102' });
    expect(brandStreams('hikvision', 12)).toEqual({ main: '/Streaming/Channels/1201', sub: '/Streaming/Channels/1202' });
    expect(brandStreams('dahua', 3)).toEqual({ main: '/cam/realmonitor?channel=3&subtype=0', sub: '/cam/realmonitor?channel=3&subtype=1' });
    expect(brandStreams('uniview', 2)).toEqual({ main: '/unicast/c2/s0/live', sub: '/unicast/c2/s1/live' });
  });

  it('snapshot file names carry room, camera and Beijing time, without characters Windows refuses', () => {
    expect(snapshotFileName('第01考场', '前置摄像机', T9)).toBe('抓图_第01考场_前置摄像机_20260607-090000.jpg');
    expect(snapshotFileName('A/B', 'c:d', T9)).toBe('抓图_A_B_c_d_20260607-090000.jpg');
  });
});
