// Bandwidth through the cascade, as the levels above see it (R-PRE-4, R-PRE-2): what the channel
// carried, newest first, marked stale when it came through a lower that went quiet.
import { describe, expect, it } from 'vitest';
import type { UplinkItemView } from '../uplink/index.ts';
import { BANDWIDTH_TOPIC, bandwidthItemBody, reportedBandwidth } from './upward-bandwidth.ts';
import type { CascadeBandwidthView } from './cascade-bandwidth-service.ts';

const view = (lowerName: string, measuredAtMs: number, verdict: CascadeBandwidthView['verdict']): CascadeBandwidthView => ({
  lowerId: 1, lowerName, lowerSipId: '32010600002000000001', measuredAtMs, durationMs: 10_000, streams: 2, channelsTotal: 2, achievedKbps: 4100, requiredKbps: 4000,
  lossPercent: 0, jitterMs: 3, verdict, rule: 'r', reason: null, perStream: [], measuredBy: 'admin',
});
const item = (body: unknown, stale = false): UplinkItemView => ({ originCode: '32010600002160000001', topic: BANDWIDTH_TOPIC, key: 'k', body, updatedAtMs: 5, receivedAtMs: 6, scopePath: '/1/', stale, viaLowerId: stale ? 3 : null });

describe('cascade bandwidth reported upward (R-PRE-4, R-PRE-2)', () => {
  it('lists what the levels measured, newest first, with who measured and whether the path is stale', () => {
    const list = reportedBandwidth([item(bandwidthItemBody(view('鼓楼考点', 100, 'pass'), '南京市')), item(bandwidthItemBody(view('玄武考点', 200, 'fail'), '南京市'), true), item(null), item({ other: 1 })]);
    expect(list.map((x) => [x.lowerName, x.verdict, x.measuredAt, x.stale])).toEqual([['玄武考点', 'fail', '南京市', true], ['鼓楼考点', 'pass', '南京市', false]]);
    expect(list[0]).toMatchObject({ originCode: '32010600002160000001', updatedAtMs: 5, achievedKbps: 4100 });
  });
});
