// Readiness upward (R-PRE-2): what an upper node shows from the channel's items — a stale lower or
// one that never reported is "not reported", never "ready".
import { describe, expect, it } from 'vitest';
import { reportedSites, siteItemBody } from '../../src/readiness/upward.ts';
import type { SiteItemBody } from '../../src/readiness/upward.ts';
import type { CameraResultView, CampaignView, SiteStateView } from '../../src/readiness/schemas.ts';
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

  it('an upper sees each site\'s probe results, the failing probes with value and rule, and its bandwidth verdict (R-PRE-2, R-PRE-4)', () => {
    const site: SiteStateView = { siteId: 9, siteName: '一中考点', sitePath: '/1/9/', state: 'not_ready', reasons: ['上行带宽不足'], cameras: { total: 2, pass: 1, warn: 0, fail: 1, unchecked: 0 }, checklist: { needed: 2, signed: 2, failed: 0 }, bandwidth: { requiredKbps: 8000, measuredCameras: 2, capacityKbps: 4000, verdict: 'fail' } };
    const b = siteItemBody(campaign, site, [cam(1, 'fail', 'picture'), cam(2, 'pass')]);
    expect(b.probes).toEqual({ online: { pass: 2, warn: 0, fail: 0 }, picture: { pass: 1, warn: 0, fail: 1 } });
    const v = reportedSites([{ ...item('S', 'not_ready', false, 1), body: JSON.parse(JSON.stringify(b)) }], [peer('P', 1, false)], '本级')[0];
    expect(v.bandwidth).toEqual({ requiredKbps: 8000, measuredCameras: 2, capacityKbps: 4000, verdict: 'fail' });
    expect(v.cameras).toEqual(site.cameras);
    expect(v.probes.map((p) => p.probe)).toEqual(['online', 'picture']);
    expect(v.problems).toEqual([expect.objectContaining({ camera: '摄像机1', results: [{ probe: 'picture', verdict: 'fail', value: '平均亮度 12', rule: '≥ 25', reason: '画面过暗' }] })]);
  });
  it('a site with 1000 failing cameras still fits one channel item (≤ 64 KiB), the rest counted', () => {
    const many = Array.from({ length: 1000 }, (_, i) => cam(i, 'fail', 'picture', 'x'.repeat(400)));
    const b = siteItemBody(campaign, { ...baseSite, cameras: { total: 1000, pass: 0, warn: 0, fail: 1000, unchecked: 0 } }, many);
    expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(64 * 1024);
    expect(b.problems.length).toBeGreaterThan(10);
    expect(b.problems.length + b.problemsOmitted!).toBe(1000);
  });
  it('an item from an older node (no probes, no bandwidth) is shown without them', () => {
    const v = reportedSites([item('S', 'ready', false, 1)], [peer('P', 1, false)], '本级')[0];
    expect([v.bandwidth, v.probes, v.problemsOmitted]).toEqual([null, [], 0]);
  });
});

const campaign = { id: 1, name: '考前检测', examId: null, checks: 'full', deadlineMs: 0 } as CampaignView;
const baseSite: SiteStateView = { siteId: 9, siteName: '一中考点', sitePath: '/1/9/', state: 'not_ready', reasons: [], cameras: { total: 0, pass: 0, warn: 0, fail: 0, unchecked: 0 }, checklist: { needed: 0, signed: 0, failed: 0 }, bandwidth: { requiredKbps: 0, measuredCameras: 0, capacityKbps: null, verdict: 'unset' } };
function cam(id: number, verdict: 'pass' | 'fail', failing?: string, reason = '画面过暗'): CameraResultView {
  const r = (probe: string, v: 'pass' | 'fail') => ({ probe, verdict: v, value: v === 'fail' ? '平均亮度 12' : 'ok', rule: '≥ 25', reason: v === 'fail' ? reason : null, measuredAtMs: 0, measuredAt: '', measuredKbps: null }) as CameraResultView['results'][number];
  const results = [r('online', 'pass'), ...(failing ? [r(failing, 'fail')] : []), ...(verdict === 'pass' ? [r('picture', 'pass')] : [])];
  return { cameraId: id, cameraName: `摄像机${id}`, roomId: 1, roomName: '第01考场', roomKind: 'exam', siteId: 9, siteName: '一中考点', verdict, running: false, results, reference: null, hasSnapshot: false };
}
