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
/** A site item's JSON is kept below this (the channel refuses bodies over 64 KiB): cameras beyond it are counted only. */
const MAX_BODY_CHARS = 56_000;
const PROBES = ['online', 'decode', 'profile', 'picture', 'moved', 'audio', 'recording', 'clock', 'device', 'config'] as const;
type Verdict = 'pass' | 'warn' | 'fail';

/** One probe result that is not a pass, as the site judged it: what was measured against which rule. */
export interface ProblemResult {
  probe: string;
  verdict: Verdict;
  value: string;
  rule: string;
  reason: string | null;
}

export interface SiteProblem {
  camera: string;
  room: string;
  verdict: CameraResultView['verdict'];
  reasons: string[];
  /** The probes that are not a pass, with value and rule (absent in items from older nodes). */
  results?: ProblemResult[];
}

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
  /** R-PRE-4 (absent in items from nodes older than migration 0022). */
  bandwidth?: SiteStateView['bandwidth'];
  /** Cameras that are not a pass, with why. */
  problems: SiteProblem[];
  /** Cameras that are not a pass but were left out of `problems` to keep the item small. */
  problemsOmitted?: number;
  /** Per probe, how many of the site's cameras passed, warned and failed (absent in items from older nodes). */
  probes?: Record<string, { pass: number; warn: number; fail: number }>;
}

export function siteItemBody(c: CampaignView, s: SiteStateView, cameras: readonly CameraResultView[]): SiteItemBody {
  const mine = cameras.filter((v) => v.siteId === s.siteId);
  const probes: NonNullable<SiteItemBody['probes']> = {};
  for (const v of mine)
    for (const r of v.results) {
      const p = (probes[r.probe] ??= { pass: 0, warn: 0, fail: 0 });
      p[r.verdict] += 1;
    }
  const notPass = mine.filter((v) => v.verdict !== 'pass').sort((a, b) => (a.verdict === 'fail' ? -1 : 0) - (b.verdict === 'fail' ? -1 : 0));
  const all = notPass.map((v): SiteProblem => ({
    camera: v.cameraName,
    room: v.roomName,
    verdict: v.verdict,
    reasons: v.results.filter((r) => r.reason).map((r) => `${r.probe}: ${r.reason}`),
    results: v.results.filter((r) => r.verdict !== 'pass').map((r) => ({ probe: r.probe, verdict: r.verdict, value: clip(r.value), rule: clip(r.rule), reason: r.reason === null ? null : clip(r.reason) })),
  }));
  const base = { campaignId: c.id, campaignName: c.name, examId: c.examId, checks: c.checks, deadlineMs: c.deadlineMs, siteId: s.siteId, siteName: s.siteName, state: s.state, reasons: s.reasons, cameras: s.cameras, checklist: s.checklist, bandwidth: s.bandwidth, probes };
  // Failing cameras first, as many as fit: a site with hundreds of failing cameras still goes up.
  let n = Math.min(all.length, MAX_CAMERAS);
  for (;;) {
    const body: SiteItemBody = { ...base, problems: all.slice(0, n), problemsOmitted: all.length - n };
    if (n === 0 || JSON.stringify(body).length <= MAX_BODY_CHARS) return body;
    n = Math.floor(n * 0.8);
  }
}

const clip = (t: string) => (t.length > 300 ? `${t.slice(0, 299)}…` : t);

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
  problemsOmitted: number;
  /** Camera and checklist counts the site reported (null: nothing reported, or not yet). */
  cameras: SiteItemBody['cameras'] | null;
  checklist: SiteItemBody['checklist'] | null;
  /** R-PRE-4 as the site judged it (null: not reported, or a node older than the bandwidth check). */
  bandwidth: SiteStateView['bandwidth'] | null;
  /** Per probe pass / warn / fail counts over the site's cameras. */
  probes: Array<{ probe: string; pass: number; warn: number; fail: number }>;
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
      problemsOmitted: b.problemsOmitted ?? 0,
      cameras: b.cameras ?? null,
      checklist: b.checklist ?? null,
      bandwidth: b.bandwidth ?? null,
      probes: probeRows(b.probes),
      updatedAtMs: it.updatedAtMs,
    });
  }
  const reportingLowers = new Set(items.flatMap((i) => (i.viaLowerId === null ? [] : [i.viaLowerId])));
  const reportingCodes = new Set(direct.filter((p) => p.lowerId !== null && reportingLowers.has(p.lowerId)).map((p) => p.code));
  for (const p of peers) {
    if (p.lowerId !== null ? reportingLowers.has(p.lowerId) : p.viaCode !== null && reportingCodes.has(p.viaCode)) continue;
    out.push({ originCode: p.code, via: p.name, campaignName: null, siteName: p.name, state: 'not_reported', lastReportedState: null, reasons: [p.stale ? '下级通道中断 (lower channel stale)' : '尚未上报检测结果 (nothing reported yet)'], problems: [], problemsOmitted: 0, cameras: null, checklist: null, bandwidth: null, probes: [], updatedAtMs: null });
  }
  return out;
}

/** Probe counts in the order the site page shows them; probes this node does not know go last. */
function probeRows(p: SiteItemBody['probes']): ReportedSiteView['probes'] {
  if (!p || typeof p !== 'object') return [];
  const order = (k: string) => {
    const i = (PROBES as readonly string[]).indexOf(k);
    return i < 0 ? PROBES.length : i;
  };
  return Object.entries(p)
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([probe, c]) => ({ probe, pass: c.pass ?? 0, warn: c.warn ?? 0, fail: c.fail ?? 0 }));
}

/**
 * What a direct lower must carry upward (R-PRE-4) as its sites reported it (R-PRE-2): per site,
 * the newest item's required bitrate, summed. Null when none of its sites reported one.
 */
export function reportedRequiredKbps(items: readonly UplinkItemView[], lowerId: number): number | null {
  const newest = new Map<string, { atMs: number; kbps: number }>();
  for (const it of items) {
    const b = it.body as SiteItemBody | null;
    if (it.viaLowerId !== lowerId || !b || typeof b !== 'object' || typeof b.bandwidth?.requiredKbps !== 'number' || b.bandwidth.measuredCameras === 0) continue;
    const site = `${it.originCode}:${b.siteId}`;
    const prev = newest.get(site);
    if (!prev || prev.atMs < it.updatedAtMs) newest.set(site, { atMs: it.updatedAtMs, kbps: b.bandwidth.requiredKbps });
  }
  return newest.size === 0 ? null : [...newest.values()].reduce((a, v) => a + v.kbps, 0);
}
