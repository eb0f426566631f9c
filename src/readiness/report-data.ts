// The printable readiness report (考前检测报告, issue 17 item 7): one campaign, per site or every
// site in the caller's scope, rolled up per city. Built from the campaign detail the caller may
// see (scope already applied) and the names of the sites' ancestors. Pure.
import type { CampaignDetailView } from './schemas.ts';

export const VERDICT_LABELS = { pass: '合格', warn: '警告', fail: '不合格', unchecked: '未检测' } as const;
export const STATE_LABELS = { ready: '就绪', not_ready: '未就绪', unchecked: '未检测' } as const;
export const PROBE_LABELS: Record<string, string> = { online: '在线', decode: '解码', profile: '标准配置', picture: '画面质量', moved: '位置', audio: '声音', recording: '试录', clock: '时钟', device: '设备信息', config: '配置比对' };

export interface ReportRollup { cityName: string; sites: number; ready: number; notReady: number; unchecked: number; cameras: number; camerasFailed: number }

export interface ReadinessReport {
  campaign: Pick<CampaignDetailView, 'id' | 'name' | 'checks' | 'deadline' | 'orgNodeName' | 'createdBy'>;
  /** What the report covers: one site's name, or the campaign's node. */
  scopeName: string;
  generatedAtMs: number;
  generatedBy: string;
  rollups: ReportRollup[];
  sites: Array<CampaignDetailView['sites'][number] & { cityName: string; contact: string }>;
  cameras: CampaignDetailView['cameras'];
  checklist: Array<{ siteName: string; requirement: string; title: string; text: string; subject: string; outcome: string; signerName: string; signedAt: string; note: string }>;
}

/** `cityOf(sitePath)` names the site's city (its ancestor of kind city), '-' when none. */
export function buildReport(d: CampaignDetailView, opts: { siteId?: number; cityOf: (sitePath: string) => string; nowMs: number; user: string }): ReadinessReport {
  const sites = d.sites.filter((s) => opts.siteId === undefined || s.siteId === opts.siteId);
  const ids = new Set(sites.map((s) => s.siteId));
  const contactOf = (siteId: number) => d.contacts.find((c) => c.orgNodeId === siteId);
  const withCity = sites.map((s) => {
    const c = contactOf(s.siteId);
    return { ...s, cityName: opts.cityOf(s.sitePath), contact: c ? `${c.name} ${c.phone}` : '' };
  });
  const rollups = new Map<string, ReportRollup>();
  for (const s of withCity) {
    const r = rollups.get(s.cityName) ?? { cityName: s.cityName, sites: 0, ready: 0, notReady: 0, unchecked: 0, cameras: 0, camerasFailed: 0 };
    r.sites++;
    if (s.state === 'ready') r.ready++;
    else if (s.state === 'not_ready') r.notReady++;
    else r.unchecked++;
    r.cameras += s.cameras.total;
    r.camerasFailed += s.cameras.fail;
    rollups.set(s.cityName, r);
  }
  const items = new Map(d.checklistItems.map((i) => [i.itemId, i]));
  const siteName = new Map(sites.map((s) => [s.siteId, s.siteName]));
  const checklist = d.signatures
    .filter((g) => ids.has(g.siteId))
    .map((g) => {
      const i = items.get(g.itemId);
      return { siteName: siteName.get(g.siteId) ?? '', requirement: i?.requirement ?? '', title: i?.title ?? '', text: i?.text ?? '', subject: g.subject, outcome: g.outcome === 'ok' ? '合格' : '不合格', signerName: g.signerName, signedAt: g.signedAt, note: g.note ?? '' };
    });
  return {
    campaign: { id: d.id, name: d.name, checks: d.checks, deadline: d.deadline, orgNodeName: d.orgNodeName, createdBy: d.createdBy },
    scopeName: opts.siteId !== undefined ? (sites[0]?.siteName ?? '') : d.orgNodeName,
    generatedAtMs: opts.nowMs,
    generatedBy: opts.user,
    rollups: [...rollups.values()],
    sites: withCity,
    cameras: d.cameras.filter((c) => ids.has(c.siteId)),
    checklist,
  };
}

/** One line per camera result that is not a pass, for the report's problem table. */
export function problemRows(r: ReadinessReport): string[][] {
  return r.cameras.flatMap((c) => c.results.filter((x) => x.verdict !== 'pass').map((x) => [c.siteName, c.roomName, c.cameraName, PROBE_LABELS[x.probe] ?? x.probe, VERDICT_LABELS[x.verdict], x.value, x.reason ?? '']));
}
