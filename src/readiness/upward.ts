// Readiness upward (R-PRE-2): each site's state in each campaign is published on the node-to-node
// channel (topic `readiness.site`, key `<campaignId>:<siteId>`, docs/design/readiness.md) whenever
// a probe, a checklist signature or a reference signature changes it; an upper node reads what its
// lowers published. A lower whose channel is stale, or that never published, is "not reported" —
// never "ready". Pure.
import type { UplinkItemView, UplinkPeerView } from '../uplink/index.ts';
import type { CameraResultView, CampaignView, SiteStateView } from './schemas.ts';

export const SITE_TOPIC = 'readiness.site';
/** Cameras listed per site item (failing first); the rest are counted only (items ≤ 64 KiB). */
const MAX_CAMERAS = 100;

export interface SiteItemBody {
  campaignId: number;
  campaignName: string;
  examId: number | null;
  checks: CampaignView['checks'];
  deadlineMs: number;
  siteId: number;
  siteName: string;
  state: SiteStateView['state'];
  reasons: string[];
  cameras: SiteStateView['cameras'];
  checklist: SiteStateView['checklist'];
  /** Cameras that are not a pass, with why. */
  problems: Array<{ camera: string; room: string; verdict: CameraResultView['verdict']; reasons: string[] }>;
}

export function siteItemBody(c: CampaignView, s: SiteStateView, cameras: readonly CameraResultView[]): SiteItemBody {
  const problems = cameras
    .filter((v) => v.siteId === s.siteId && v.verdict !== 'pass')
    .sort((a, b) => (a.verdict === 'fail' ? -1 : 0) - (b.verdict === 'fail' ? -1 : 0))
    .slice(0, MAX_CAMERAS)
    .map((v) => ({ camera: v.cameraName, room: v.roomName, verdict: v.verdict, reasons: v.results.filter((r) => r.reason).map((r) => `${r.probe}: ${r.reason}`) }));
  return { campaignId: c.id, campaignName: c.name, examId: c.examId, checks: c.checks, deadlineMs: c.deadlineMs, siteId: s.siteId, siteName: s.siteName, state: s.state, reasons: s.reasons, cameras: s.cameras, checklist: s.checklist, problems };
}

export interface ReportedSiteView {
  originCode: string;
  /** Lower node the report came through (its name), or this node for its own sites. */
  via: string;
  campaignName: string | null;
  siteName: string;
  state: SiteStateView['state'] | 'not_reported';
  /** The last state the site reported, when it is now "not reported" because its channel is stale. */
  lastReportedState: SiteStateView['state'] | null;
  reasons: string[];
  problems: SiteItemBody['problems'];
  updatedAtMs: number | null;
}

/**
 * Every reported site, and every lower that reported nothing, as ready / not ready / not checked /
 * not reported. An item's origin is an org-node code and a peer's code a SIP id (they differ in
 * general), so items are tied to peers by the direct lower they came through, never by code. An
 * indirect lower (a site behind a city) counts as reporting when anything came through its middle
 * level: which of the middle's sites stayed silent is for the middle to say (its own view).
 */
export function reportedSites(items: readonly UplinkItemView[], peers: readonly UplinkPeerView[], ownName: string): ReportedSiteView[] {
  const out: ReportedSiteView[] = [];
  const direct = peers.filter((p) => p.lowerId !== null);
  for (const it of items) {
    if (it.body === null || typeof it.body !== 'object') continue;
    const b = it.body as SiteItemBody;
    const peer = it.viaLowerId === null ? undefined : direct.find((p) => p.lowerId === it.viaLowerId);
    out.push({
      originCode: it.originCode,
      via: peer?.name ?? ownName,
      campaignName: b.campaignName,
      siteName: b.siteName,
      state: it.stale ? 'not_reported' : b.state,
      lastReportedState: it.stale ? b.state : null,
      reasons: it.stale ? ['下级通道中断，结果可能已过期 (lower channel stale)', ...b.reasons] : b.reasons,
      problems: b.problems ?? [],
      updatedAtMs: it.updatedAtMs,
    });
  }
  const reportingLowers = new Set(items.flatMap((i) => (i.viaLowerId === null ? [] : [i.viaLowerId])));
  const reportingCodes = new Set(direct.filter((p) => p.lowerId !== null && reportingLowers.has(p.lowerId)).map((p) => p.code));
  for (const p of peers) {
    if (p.lowerId !== null ? reportingLowers.has(p.lowerId) : p.viaCode !== null && reportingCodes.has(p.viaCode)) continue;
    out.push({ originCode: p.code, via: p.name, campaignName: null, siteName: p.name, state: 'not_reported', lastReportedState: null, reasons: [p.stale ? '下级通道中断 (lower channel stale)' : '尚未上报检测结果 (nothing reported yet)'], problems: [], updatedAtMs: null });
  }
  return out;
}
