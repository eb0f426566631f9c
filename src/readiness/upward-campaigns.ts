// Campaign progress upward (R-PRE-2): each campaign's progress — sites ready / not ready / not
// checked, cameras checked and failing, checklist items signed — is published on the node-to-node
// channel (topic `readiness.campaign`, key `<campaignId>`) when it opens or closes and whenever a
// site's state in it changes, so every level above follows a lower level's campaign before, and
// beside, its sites' own items. A campaign that came through a stale lower is shown as such. Pure.
import type { UplinkItemView } from '../uplink/index.ts';
import type { CampaignDetailView } from './schemas.ts';

export const CAMPAIGN_TOPIC = 'readiness.campaign';

export interface CampaignItemBody {
  campaignId: number;
  name: string;
  orgNodeName: string;
  examId: number | null;
  checks: CampaignDetailView['checks'];
  origin: CampaignDetailView['origin'];
  deadlineMs: number;
  state: CampaignDetailView['state'];
  sites: { total: number; ready: number; notReady: number; unchecked: number };
  cameras: { total: number; checked: number; fail: number };
  checklist: { needed: number; signed: number };
}

export function campaignItemBody(d: CampaignDetailView): CampaignItemBody {
  const n = (st: string) => d.sites.filter((s) => s.state === st).length;
  return {
    campaignId: d.id,
    name: d.name,
    orgNodeName: d.orgNodeName,
    examId: d.examId,
    checks: d.checks,
    origin: d.origin,
    deadlineMs: d.deadlineMs,
    state: d.state,
    sites: { total: d.sites.length, ready: n('ready'), notReady: n('not_ready'), unchecked: n('unchecked') },
    cameras: { total: d.cameras.length, checked: d.cameras.filter((c) => c.verdict !== 'unchecked').length, fail: d.cameras.filter((c) => c.verdict === 'fail').length },
    checklist: d.sites.reduce((a, s) => ({ needed: a.needed + s.checklist.needed, signed: a.signed + s.checklist.signed }), { needed: 0, signed: 0 }),
  };
}

export interface ReportedCampaignView extends CampaignItemBody {
  originCode: string;
  /** It came through a lower whose channel is stale: the progress may be out of date. */
  stale: boolean;
  updatedAtMs: number;
}

/** Every campaign reported on the channel (this node's and lower levels'), newest deadline first. */
export function reportedCampaigns(items: readonly UplinkItemView[]): ReportedCampaignView[] {
  return items
    .filter((it) => it.body !== null && typeof it.body === 'object' && typeof (it.body as CampaignItemBody).sites === 'object')
    .map((it) => ({ ...(it.body as CampaignItemBody), originCode: it.originCode, stale: it.stale, updatedAtMs: it.updatedAtMs }))
    .sort((a, b) => b.deadlineMs - a.deadlineMs || a.orgNodeName.localeCompare(b.orgNodeName));
}
