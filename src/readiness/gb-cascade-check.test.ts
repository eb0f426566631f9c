// Verdicts of an upper's probe of a lower's camera through the cascade (issue 17 item 6, R-PRE-2,
// R-PRE-3): DeviceStatus + catalog Status, and RecordInfo over the test window in the lower's time.
import { describe, expect, it } from 'vitest';
import { formatGbTime } from '../gb28181/index.ts';
import { coveredMs, deviceTimeBounds, judgeGbRecording, judgeGbStatus, ownerClock } from './gb-cascade-check.ts';
import type { GbCascadeCalls } from './gb-cascade-check.ts';

const T = Date.UTC(2026, 11, 7, 2, 0, 0);
const ok = { result: 'OK', online: 'ONLINE', status: 'OK', encode: 'ON', record: 'ON' };
function calls(over: Partial<GbCascadeCalls> = {}): GbCascadeCalls {
  return {
    deviceStatus: () => Promise.resolve(ok),
    catalogStatus: () => Promise.resolve({ status: 'ON', updatedAtMs: T }),
    recordInfo: () => Promise.resolve([]),
    ...over,
  };
}

describe('lower camera through the cascade: device status (R-PRE-2)', () => {
  it('passes only when DeviceStatus and the catalog agree it is online; each failure is named', async () => {
    expect(await judgeGbStatus(calls(), 'c')).toMatchObject({ verdict: 'pass', reason: null, value: 'DeviceStatus OK ONLINE/OK 编码 ON 录像 ON；目录状态 ON' });
    expect(await judgeGbStatus(calls({ deviceStatus: () => Promise.resolve({ ...ok, record: 'OFF' }) }), 'c')).toMatchObject({ verdict: 'warn', reason: '下级报告此通道当前未录像 (Record OFF)' });
    expect(await judgeGbStatus(calls({ deviceStatus: () => Promise.resolve({ ...ok, online: 'OFFLINE', status: 'ERROR' }) }), 'c')).toMatchObject({ verdict: 'fail', reason: '下级报告设备离线 (OFFLINE)' });
    expect(await judgeGbStatus(calls({ deviceStatus: () => Promise.resolve({ ...ok, result: 'ERROR', reason: 'unknown device' }), catalogStatus: () => Promise.resolve(undefined) }), 'c')).toMatchObject({ verdict: 'fail', reason: 'DeviceStatus 结果 ERROR (unknown device)；通道不在下级目录中' });
    expect(await judgeGbStatus(calls({ catalogStatus: () => Promise.resolve({ status: 'OFF', updatedAtMs: T }) }), 'c')).toMatchObject({ verdict: 'fail', reason: '下级目录中通道状态 OFF' });
    const silent = await judgeGbStatus(calls({ deviceStatus: () => Promise.reject(new Error('timeout')) }), 'c');
    expect(silent).toMatchObject({ verdict: 'fail', value: 'DeviceStatus 无应答；目录状态 ON' });
    expect(silent.reason).toContain('下级未应答 DeviceStatus (timeout)');
  });
});

describe('lower camera through the cascade: RecordInfo of the test window (R-PRE-3)', () => {
  const w = { fromMs: T, toMs: T + 14_000 };
  const item = (a: number, b: number) => ({ startTime: formatGbTime(a), endTime: formatGbTime(b) });

  it('counts overlaps once and only inside the window', () => {
    expect(coveredMs([{ startMs: 0, endMs: 10 }, { startMs: 5, endMs: 20 }, { startMs: 30, endMs: 40 }], 2, 35)).toBe(8 + 10 + 5);
    expect(coveredMs([], 0, 10)).toBe(0);
  });

  it('≥ 10 s of the window in the index passes; less fails; none fails; the window is asked in the lower’s time', async () => {
    const asked: string[][] = [];
    const ri = (items: Array<{ startTime: string; endTime: string }>) => calls({ recordInfo: (_c, a, b) => (asked.push([a, b]), Promise.resolve(items)) });
    const now = () => w.toMs + 3_000; // settled: no wait
    const pass = await judgeGbRecording(ri([item(T + 5000, T + 19_000)]), 'c', w, 5200, now);
    expect(asked[0]).toEqual([formatGbTime(T + 5000), formatGbTime(T + 19_000)]);
    expect(pass).toMatchObject({ verdict: 'pass', value: '下级录像覆盖 14.0 秒 (RecordInfo 1 段，按下级时钟 +5 秒查询)' });
    const short = await judgeGbRecording(ri([item(T, T + 6000), item(T + 4000, T + 9000)]), 'c', w, undefined, now);
    expect(short).toMatchObject({ verdict: 'fail', value: '下级录像覆盖 9.0 秒 (RecordInfo 2 段)', reason: '下级试录时段内录像不足 10 秒 (recorded less than required)' });
    expect(await judgeGbRecording(ri([]), 'c', w, undefined, now)).toMatchObject({ verdict: 'fail', reason: '下级在试录时段内无录像 (RecordInfo found no recording)' });
    const silent = await judgeGbRecording(calls({ recordInfo: () => Promise.reject(new Error('offline')) }), 'c', w, undefined, now);
    expect(silent).toMatchObject({ verdict: 'fail', value: 'RecordInfo 无应答' });
  });
});

describe('lower camera through the cascade: whose clock (R-PRE-6, R-PRE-2)', () => {
  const date = { offsetMs: 20, accuracyMs: 150, via: '应答 Date ±0.15 秒' };
  it('DeviceTime bounds: whole seconds stamped between send and receive', () => {
    expect(deviceTimeBounds(formatGbTime(T + 5000), T, T + 200)).toEqual({ lowMs: 4800, highMs: 5999 });
    expect(deviceTimeBounds('garbage', T, T + 200)).toBeUndefined();
    expect(deviceTimeBounds(undefined, T, T + 200)).toBeUndefined();
  });

  it('the answers’ Date stands when DeviceTime agrees (a direct lower); DeviceTime when they cannot both be right (relayed: the Date is the middle level’s)', () => {
    // Direct lower: same clock, DeviceTime only coarser.
    expect(ownerClock(date, deviceTimeBounds(formatGbTime(T), T, T + 100))).toBe(date);
    // Site 5 s ahead behind a city whose clock is right: the Date says +0.02 s, DeviceTime +5 s.
    const relayed = ownerClock(date, deviceTimeBounds(formatGbTime(T + 5000), T, T + 100))!;
    expect(relayed.offsetMs).toBe(5450);
    expect(relayed.via).toBe('DeviceStatus DeviceTime ±0.55 秒 (下级设备所在节点)；应答 Date 为中继节点时钟 +0.02 秒');
    // No Date at all: DeviceTime; no DeviceTime: the Date.
    expect(ownerClock(undefined, { lowMs: 0, highMs: 1000 })).toMatchObject({ offsetMs: 500 });
    expect(ownerClock(date, undefined)).toBe(date);
  });

  it('judgeGbStatus returns the owner’s DeviceTime bounds with its verdict', async () => {
    let now = T;
    const j = await judgeGbStatus(calls({ deviceStatus: () => ((now += 100), Promise.resolve({ ...ok, deviceTime: formatGbTime(T + 3000) })) }), 'c', undefined, () => now);
    expect(j).toMatchObject({ verdict: 'pass', deviceTime: { lowMs: 2900, highMs: 3999 } });
  });
});
