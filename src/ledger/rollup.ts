// Roll-up per level (issue 19 item 5, R-FN-3, R-CITY-4; docs/design/ledger.md): the org tree of
// this node in the user's scope, each node carrying the sum of the site summaries (`ledger.site`)
// reported below it — sites, cameras online and recording, unverified and overdue tickets — and
// how fresh those figures are. A site whose report came through a stale lower counts as stale:
// its cameras are left out of the online and recording rates (never counted healthy) and counted
// apart. Branches without any report are left out. Pure.
import type { UplinkItemView, UplinkPeerView } from '../uplink/index.ts';
import type { SiteSummary } from './site-summary.ts';

export interface RollupFigures {
  sites: number;
  staleSites: number;
  cameras: number;
  /** Cameras of stale sites: not in the rates. */
  camerasStale: number;
  online: number;
  recording: number;
  /** online / cameras of fresh sites; null when there are none. */
  onlineRate: number | null;
  recordingRate: number | null;
  unverified: number;
  overdue: number;
  /** Today's exam windows (issue 19 item 3): sites with one, camera × window lines, their required and recorded ms as each site last reported them. */
  examSites: number;
  examLines: number;
  examLinesWithGaps: number;
  examRequiredMs: number;
  examRecordedMs: number;
  /** examRecordedMs / examRequiredMs of fresh sites; null when none has a window today. */
  examCoverage: number | null;
  /**
   * How fresh the figures are: the oldest "as of" among the sites below, ms since epoch. A site's
   * summary is sent only when it changes, so its "as of" is the last contact of the lower it came
   * through (the channel delivers in order: nothing newer was pending), or now for this node's own.
   */
  oldestReportAtMs: number | null;
}

export interface RollupRow extends RollupFigures {
  /** Org node id, or `site:<code>` for a reported site that is not a node of this tree. */
  key: string;
  name: string;
  kind: string;
  /** GB code of the org node or of the reported site (drill-down matches tickets by it). */
  code: string;
  /** Set on a site row: its report is stale (came through a stale lower). */
  stale?: boolean;
  /** Set on a site row: when the site computed it and when this node received it. */
  reportedAtMs?: number;
  receivedAtMs?: number;
  children?: RollupRow[];
}

export interface RollupView {
  tree: RollupRow[];
  /** Lower levels and whether their channel is stale (also those that reported no site). */
  lowers: Array<{ code: string; name: string; viaCode: string | null; stale: boolean; lastReceivedAtMs: number | null }>;
  generatedAtMs: number;
}

interface OrgNode { id: number; parent_id: number | null; kind: string; name: string; gb_code: string; path: string }
interface Site { s: SiteSummary; stale: boolean; receivedAtMs: number; asOfMs: number; scopePath: string }

const zero = (): RollupFigures => ({ sites: 0, staleSites: 0, cameras: 0, camerasStale: 0, online: 0, recording: 0, onlineRate: null, recordingRate: null, unverified: 0, overdue: 0, examSites: 0, examLines: 0, examLinesWithGaps: 0, examRequiredMs: 0, examRecordedMs: 0, examCoverage: null, oldestReportAtMs: null });

function siteFigures(x: Site): RollupFigures {
  const f = zero();
  f.sites = 1;
  f.cameras = x.s.cameras.total;
  f.unverified = x.s.faults.unverified;
  f.overdue = x.s.faults.overdue;
  f.oldestReportAtMs = x.asOfMs;
  if (x.stale) {
    f.staleSites = 1;
    f.camerasStale = x.s.cameras.total;
  } else {
    f.online = x.s.cameras.online;
    f.recording = x.s.cameras.recording;
    // A stale site's exam figures are as old as its report: left out like its cameras.
    if (x.s.exam) {
      f.examSites = 1;
      f.examLines = x.s.exam.lines;
      f.examLinesWithGaps = x.s.exam.linesWithGaps;
      f.examRequiredMs = x.s.exam.requiredMs;
      f.examRecordedMs = x.s.exam.recordedMs;
    }
  }
  return rates(f);
}

function rates(f: RollupFigures): RollupFigures {
  const fresh = f.cameras - f.camerasStale;
  f.onlineRate = fresh > 0 ? f.online / fresh : null;
  f.recordingRate = fresh > 0 ? f.recording / fresh : null;
  f.examCoverage = f.examSites === 0 ? null : f.examRequiredMs > 0 ? Math.floor((f.examRecordedMs / f.examRequiredMs) * 1000) / 1000 : 1;
  return f;
}

function add(a: RollupFigures, b: RollupFigures): void {
  for (const k of ['sites', 'staleSites', 'cameras', 'camerasStale', 'online', 'recording', 'unverified', 'overdue', 'examSites', 'examLines', 'examLinesWithGaps', 'examRequiredMs', 'examRecordedMs'] as const) a[k] += b[k];
  if (b.oldestReportAtMs !== null) a.oldestReportAtMs = a.oldestReportAtMs === null ? b.oldestReportAtMs : Math.min(a.oldestReportAtMs, b.oldestReportAtMs);
}

export function rollup(nodes: readonly OrgNode[], items: readonly UplinkItemView[], peers: readonly UplinkPeerView[], nowMs: number): RollupView {
  // One report per site: what came from below wins over this node's own view of the same site.
  const sites = new Map<string, Site & { own: boolean }>();
  for (const it of items) {
    if (it.body === null || typeof it.body !== 'object' || typeof (it.body as SiteSummary).cameras !== 'object') continue;
    const s = it.body as SiteSummary;
    const own = it.viaLowerId === null;
    const had = sites.get(s.nodeCode);
    if (had && own && !had.own) continue;
    const via = own ? undefined : peers.find((p) => p.lowerId === it.viaLowerId);
    const asOfMs = own ? nowMs : Math.max(it.receivedAtMs, via?.lastReceivedAtMs ?? 0);
    sites.set(s.nodeCode, { s, stale: it.stale, receivedAtMs: it.receivedAtMs, asOfMs, scopePath: it.scopePath, own });
  }
  const byPath = new Map(nodes.map((n) => [n.path, n]));
  const rows = new Map<number, RollupRow>();
  const rowOf = (n: OrgNode): RollupRow => {
    let r = rows.get(n.id);
    if (!r) rows.set(n.id, (r = { key: String(n.id), name: n.name, kind: n.kind, code: n.gb_code, ...zero(), children: [] }));
    return r;
  };
  const siteRow = (x: Site): RollupRow => ({ key: `site:${x.s.nodeCode}`, name: x.s.nodeName, kind: 'site', code: x.s.nodeCode, ...siteFigures(x), stale: x.stale, reportedAtMs: x.s.atMs, receivedAtMs: x.receivedAtMs });
  for (const x of sites.values()) {
    // The deepest node of this tree the report landed under (its scope path at this node).
    let n = byPath.get(x.scopePath);
    for (let p = x.scopePath; !n && p.length > 1; ) {
      p = p.slice(0, p.slice(0, -1).lastIndexOf('/') + 1);
      n = byPath.get(p);
    }
    if (!n) continue;
    const r = rowOf(n);
    if (n.gb_code === x.s.nodeCode) Object.assign(r, siteRow(x), { key: String(n.id), children: r.children });
    else r.children!.push(siteRow(x));
  }
  // Sum bottom-up: deepest paths first, each into its parent.
  for (const n of [...nodes].sort((a, b) => b.path.length - a.path.length)) {
    const r = rows.get(n.id);
    if (!r) continue;
    const own = r.stale === undefined ? zero() : siteFigures(sites.get(n.gb_code)!);
    for (const c of r.children!) add(own, c);
    Object.assign(r, rates(own));
    const parent = n.parent_id === null ? undefined : nodes.find((p) => p.id === n.parent_id);
    if (parent) rowOf(parent).children!.push(r);
  }
  const roots = nodes.filter((n) => rows.has(n.id) && (n.parent_id === null || !nodes.some((p) => p.id === n.parent_id))).map((n) => rows.get(n.id)!);
  const tidy = (r: RollupRow): RollupRow => {
    if (r.children && r.children.length > 0) r.children.sort((a, b) => a.name.localeCompare(b.name, 'zh')).forEach(tidy);
    else delete r.children;
    return r;
  };
  return {
    tree: roots.map(tidy),
    lowers: peers.map((p) => ({ code: p.code, name: p.name, viaCode: p.viaCode, stale: p.stale, lastReceivedAtMs: p.lastReceivedAtMs })),
    generatedAtMs: nowMs,
  };
}
