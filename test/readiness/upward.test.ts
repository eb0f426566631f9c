// Readiness upward (R-PRE-2): what an upper node shows from the channel's items — a stale lower or
// one that never reported is "not reported", never "ready".
import { describe, expect, it } from 'vitest';
import { reportedSites } from '../../src/readiness/upward.ts';
import type { SiteItemBody } from '../../src/readiness/upward.ts';
import type { UplinkItemView, UplinkPeerView } from '../../src/uplink/index.ts';

const body = (state: SiteItemBody['state']): SiteItemBody => ({ campaignId: 1, campaignName: '考前检测', examId: null, checks: 'full', deadlineMs: 0, siteId: 9, siteName: '一中考点', state, reasons: state === 'ready' ? [] : ['1 路摄像机检测不合格'], cameras: { total: 2, pass: 1, warn: 0, fail: 1, unchecked: 0 }, checklist: { needed: 1, signed: 1, failed: 0 }, problems: [] });
const item = (originCode: string, state: SiteItemBody['state'], stale: boolean): UplinkItemView => ({ originCode, topic: 'readiness.site', key: '1:9', body: body(state), updatedAtMs: 1, receivedAtMs: 2, scopePath: '/1/', stale });
const peer = (code: string, stale: boolean, viaCode: string | null = null): UplinkPeerView => ({ code, name: `下级${code}`, lowerId: 1, viaCode, lastReceivedAtMs: 1, backlog: 0, itemsReceived: 1, stale });

describe('reported sites at an upper node (R-PRE-2)', () => {
  it('fresh reports keep their state; a stale lower is not reported; a silent lower is not reported', () => {
    const v = reportedSites([item('A', 'ready', false), item('B', 'ready', true), item('C', 'not_ready', false)], [peer('A', false), peer('B', true), peer('C', false), peer('D', false)], '本级');
    expect(v.map((x) => [x.originCode, x.state])).toEqual([['A', 'ready'], ['B', 'not_reported'], ['C', 'not_ready'], ['D', 'not_reported']]);
    expect(v[1].lastReportedState).toBe('ready');
    expect(v[3].reasons[0]).toContain('尚未上报');
  });
  it('a middle level that relays its lowers is not listed as silent', () => {
    const v = reportedSites([item('S', 'ready', false)], [peer('CITY', false), peer('S', false, 'CITY')], '省');
    expect(v.map((x) => x.originCode)).toEqual(['S']);
  });
});
