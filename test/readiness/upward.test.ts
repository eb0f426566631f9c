// Readiness upward (R-PRE-2): what an upper node shows from the channel's items — a stale lower or
// one that never reported is "not reported", never "ready".
import { describe, expect, it } from 'vitest';
import { reportedSites } from '../../src/readiness/upward.ts';
import type { SiteItemBody } from '../../src/readiness/upward.ts';
import type { UplinkItemView, UplinkPeerView } from '../../src/uplink/index.ts';

const body = (state: SiteItemBody['state']): SiteItemBody => ({ campaignId: 1, campaignName: '考前检测', examId: null, checks: 'full', deadlineMs: 0, siteId: 9, siteName: '一中考点', state, reasons: state === 'ready' ? [] : ['1 路摄像机检测不合格'], cameras: { total: 2, pass: 1, warn: 0, fail: 1, unchecked: 0 }, checklist: { needed: 1, signed: 1, failed: 0 }, problems: [] });
// Items carry org-node codes (S…), peers SIP ids (P…): tied by the direct lower they came through.
const item = (originCode: string, state: SiteItemBody['state'], stale: boolean, viaLowerId: number | null): UplinkItemView => ({ originCode, topic: 'readiness.site', key: '1:9', body: body(state), updatedAtMs: 1, receivedAtMs: 2, scopePath: '/1/', stale, viaLowerId });
const peer = (code: string, lowerId: number | null, stale: boolean, viaCode: string | null = null): UplinkPeerView => ({ code, name: `下级${code}`, lowerId, viaCode, lastReceivedAtMs: 1, backlog: 0, itemsReceived: 1, stale });

describe('reported sites at an upper node (R-PRE-2)', () => {
  it('fresh reports keep their state; a stale lower is not reported; a silent lower is not reported', () => {
    const v = reportedSites([item('SA', 'ready', false, 1), item('SB', 'ready', true, 2), item('SC', 'not_ready', false, 3), item('OWN', 'unchecked', false, null)], [peer('PA', 1, false), peer('PB', 2, true), peer('PC', 3, false), peer('PD', 4, false)], '本级');
    expect(v.map((x) => [x.originCode, x.via, x.state])).toEqual([['SA', '下级PA', 'ready'], ['SB', '下级PB', 'not_reported'], ['SC', '下级PC', 'not_ready'], ['OWN', '本级', 'unchecked'], ['PD', '下级PD', 'not_reported']]);
    expect(v[1].lastReportedState).toBe('ready');
    expect(v[4].reasons[0]).toContain('尚未上报');
  });
  it('a middle level that relays its lowers is not listed as silent, nor are its sites', () => {
    const v = reportedSites([item('S', 'ready', false, 7)], [peer('CITY', 7, false), peer('PS', null, false, 'CITY'), peer('OTHER', 8, false), peer('PX', null, false, 'OTHER')], '省');
    expect(v.map((x) => [x.originCode, x.via, x.state])).toEqual([['S', '下级CITY', 'ready'], ['OTHER', '下级OTHER', 'not_reported'], ['PX', '下级PX', 'not_reported']]);
  });
});
