// Each site's ledger summary upward (issue 19 items 3 and 5, R-FN-3, R-FLT-1, R-CITY-4;
// docs/design/ledger.md): per org node of kind "site" that has ledger devices, the device counts by
// class, its cameras online / offline / not yet heard and recording now, and its unverified fault
// tickets by kind and state with the overdue ones — published on the node-to-node channel as
// `ledger.site` (key = the site's GB code) so that the city and the province can roll up their
// lower levels from what the sites report. Published when it changed, looked at on every tick
// after a camera status, ticket or ledger change, and with every health sample.
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { CameraStatusEvent } from '../events/bus.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { DeviceRow, TicketRow } from '../store/repos/ledger-repo.ts';
import type { OrgNodeRow } from '../store/repos/org-repo.ts';
import type { Clock } from '../util/clock.ts';
import type { Publish } from './ledger-service.ts';
import type { TicketLimits } from './ticket-state.ts';
import { ticketTiming } from './ticket-state.ts';
import { examDayFigures } from './exam-day.ts';
import type { ExamDayFigures } from './exam-day.ts';
import { lastPeriod, sitePeriodFigures } from './period-figures.ts';
import type { PeriodFigures, PeriodKind } from './period-figures.ts';

export const SITE_TOPIC = 'ledger.site';

export interface SiteSummary {
  /** When this summary was computed at the site, ms since epoch. */
  atMs: number;
  nodeCode: string;
  nodeName: string;
  devices: { total: number; byClass: Record<string, number> };
  /** Cameras in the ledger; online/offline from the recorder's last status, unknown = no status since the node started. */
  cameras: { total: number; online: number; offline: number; unknown: number; recording: number };
  /** Tickets not yet verified by the system. */
  faults: { unverified: number; byKind: Record<string, number>; byState: Record<string, number>; overdue: number; oldestOpenedAtMs: number | null };
  /** Recording completeness of today's exam windows (exam-day.ts); absent on a day without one. */
  exam?: ExamDayFigures;
  /** The site's figures of the last full Beijing day, week and month (period-figures.ts), for the reports above. */
  periods?: { day?: PeriodFigures; week?: PeriodFigures; month?: PeriodFigures };
}

export type CameraState = Pick<CameraStatusEvent, 'state' | 'recording'>;

/** Summaries of every site node that has ledger devices. Pure. */
export function siteSummaries(nodes: readonly OrgNodeRow[], devices: readonly DeviceRow[], tickets: readonly TicketRow[], cameras: ReadonlyMap<number, CameraState>, nowMs: number, limits: TicketLimits, examDay: ReadonlyMap<number, ExamDayFigures> = new Map()): SiteSummary[] {
  const out: SiteSummary[] = [];
  for (const n of nodes) {
    if (n.kind !== 'site') continue;
    const mine = devices.filter((d) => d.org_node_id === n.id);
    if (mine.length === 0) continue;
    const s: SiteSummary = { atMs: nowMs, nodeCode: n.gb_code, nodeName: n.name, devices: { total: mine.length, byClass: {} }, cameras: { total: 0, online: 0, offline: 0, unknown: 0, recording: 0 }, faults: { unverified: 0, byKind: {}, byState: {}, overdue: 0, oldestOpenedAtMs: null } };
    for (const d of mine) {
      s.devices.byClass[d.device_class] = (s.devices.byClass[d.device_class] ?? 0) + 1;
      if (d.camera_id === null) continue;
      s.cameras.total++;
      const st = cameras.get(d.camera_id);
      if (!st || st.state === 'connecting') s.cameras.unknown++;
      else if (st.state === 'online') s.cameras.online++;
      else s.cameras.offline++;
      if (st?.recording) s.cameras.recording++;
    }
    for (const t of tickets) {
      if (t.org_node_id !== n.id || t.state === 'verified') continue;
      const f = s.faults;
      f.unverified++;
      f.byKind[t.kind] = (f.byKind[t.kind] ?? 0) + 1;
      f.byState[t.state] = (f.byState[t.state] ?? 0) + 1;
      const timing = ticketTiming({ openedAtMs: t.opened_at_ms, acknowledgedAtMs: t.acknowledged_at_ms, repairingAtMs: t.repairing_at_ms, repairedAtMs: t.repaired_at_ms }, nowMs, limits);
      if (timing.ackOverdue || timing.repairOverdue) f.overdue++;
      f.oldestOpenedAtMs = f.oldestOpenedAtMs === null ? t.opened_at_ms : Math.min(f.oldestOpenedAtMs, t.opened_at_ms);
    }
    const exam = examDay.get(n.id);
    if (exam) s.exam = exam;
    out.push(s);
  }
  return out;
}

/** Keeps the cameras' last status and publishes each site's summary when it changed. */
export class SiteSummaryPublisher {
  private readonly cameras = new Map<number, CameraState>();
  /** Site code → last published summary without its time (to publish changes only). */
  private readonly sent = new Map<string, string>();
  private dirty = true;
  private readonly periodCache = new Map<PeriodKind, { fromMs: number; bySite: Map<number, PeriodFigures> }>();

  constructor(private readonly d: { store: Store; clock: Clock; log: Logger; publish?: Publish; limits: TicketLimits }) {}

  onCameraStatus = (e: CameraStatusEvent): void => {
    const was = this.cameras.get(e.cameraId);
    if (was?.state !== e.state || was.recording !== e.recording) this.dirty = true;
    this.cameras.set(e.cameraId, { state: e.state, recording: e.recording });
  };

  /**
   * Each site's figures of the last full day, week or month, computed once per period: a finished
   * period's history no longer changes (a month's figures are read once a month, not with every sample).
   */
  async lastFull(kind: PeriodKind, nowMs: number): Promise<Map<number, PeriodFigures>> {
    const p = lastPeriod(kind, nowMs);
    const had = this.periodCache.get(kind);
    if (had?.fromMs === p.fromMs) return had.bySite;
    const bySite = await sitePeriodFigures(this.d.store, p.fromMs, p.toMs, nowMs);
    this.periodCache.set(kind, { fromMs: p.fromMs, bySite });
    return bySite;
  }

  /** Something a summary counts changed (a ticket, a device): look again at the next tick. */
  touch(): void {
    this.dirty = true;
  }

  /** Computes the summaries (always with `force`, else only after a change) and publishes those that changed. */
  async publishChanged(force = false): Promise<SiteSummary[]> {
    if (!this.d.publish || (!force && !this.dirty)) return [];
    this.dirty = false;
    const r = repos(this.d.store.db);
    const nowMs = this.d.clock.nowMs();
    const [nodes, devices, tickets, examDay] = await Promise.all([r.org.list(SYSTEM_ACTOR.scope), r.ledger.listDevices(SYSTEM_ACTOR.scope), r.ledger.listTickets(SYSTEM_ACTOR.scope, { state: 'unverified' }), examDayFigures(this.d.store, nowMs)]);
    const all = siteSummaries(nodes, devices, tickets, this.cameras, nowMs, this.d.limits, examDay);
    const periods = { day: await this.lastFull('day', nowMs), week: await this.lastFull('week', nowMs), month: await this.lastFull('month', nowMs) };
    for (const s of all) {
      const id = nodes.find((n) => n.gb_code === s.nodeCode)?.id;
      const of = (kind: PeriodKind) => (id === undefined ? undefined : periods[kind].get(id));
      const [day, week, month] = [of('day'), of('week'), of('month')];
      if (day || week || month) s.periods = { day, week, month };
    }
    const changed = all.filter((s) => this.sent.get(s.nodeCode) !== fingerprint(s));
    if (changed.length === 0) return [];
    const publish = this.d.publish;
    const paths = new Map(nodes.map((n) => [n.gb_code, n.path]));
    await this.d.store.db.transaction().execute(async (trx) => {
      for (const s of changed) await publish(trx, { topic: SITE_TOPIC, key: s.nodeCode, body: s, scopePath: paths.get(s.nodeCode)! });
    });
    for (const s of changed) {
      this.sent.set(s.nodeCode, fingerprint(s));
      this.d.log.info({ site: s.nodeCode, cameras: s.cameras, unverified: s.faults.unverified, examCoverage: s.exam?.coverage ?? null, examLinesWithGaps: s.exam?.linesWithGaps ?? null }, `考点设备概况已上报 site ledger summary published: ${s.nodeName}`);
    }
    return changed;
  }
}

/**
 * What must change for a summary to be sent again: not its time, nor the exam-day milliseconds,
 * which grow every second while a window runs (its coverage, gaps and windows do change it).
 */
function fingerprint(s: SiteSummary): string {
  return JSON.stringify({ ...s, atMs: 0, exam: s.exam && { ...s.exam, requiredMs: 0, recordedMs: 0 } });
}
