// What the ledger's pages read (issue 19 items 2, 3 and 5; docs/design/ledger.md): the tickets,
// devices, node health and site summaries reported on the node-to-node channel, the roll-up per
// level, the on-demand Excel report, the device card, and each site's figures of a report period.
// Read-only: every state change lives in the services the module wires.
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import { repos } from '../store/repos/index.ts';
import { deviceCardPdf } from './card-pdf.ts';
import { readHealth } from './card-view.ts';
import type { DeviceCardView } from './card-view.ts';
import type { FaultService } from './fault-service.ts';
import { TICKET_TOPIC } from './fault-service.ts';
import { DEVICE_TOPIC } from './ledger-service.ts';
import type { LedgerService } from './ledger-service.ts';
import type { HealthView, LedgerModuleDeps } from './module-options.ts';
import { HEALTH_TOPIC } from './node-health.ts';
import type { NodeHealth, NodeHealthSample } from './node-health.ts';
import { lastPeriod, sitePeriodFigures } from './period-figures.ts';
import type { PeriodFigures, PeriodKind, ReportPeriod } from './period-figures.ts';
import { healthReportXlsx } from './report-xlsx.ts';
import { rollup } from './rollup.ts';
import type { RollupView } from './rollup.ts';
import type { DeviceView } from './schemas.ts';
import { SITE_TOPIC } from './site-summary.ts';
import type { SiteSummary, SiteSummaryPublisher } from './site-summary.ts';
import { reportedDevices, reportedTickets } from './upward.ts';
import type { ReportedNodeView, ReportedTicketView } from './upward.ts';

export interface LedgerViewsDeps {
  d: LedgerModuleDeps;
  ledger: LedgerService;
  faults: FaultService;
  health: NodeHealth;
  sites: SiteSummaryPublisher;
  limits: { diskLowRatio: number; clockDriftMs: number; cameraClockDriftMs: number };
}

export class LedgerViews {
  constructor(private readonly v: LedgerViewsDeps) {}

  /**
   * Tickets of this node and of every lower, as published on the node-to-node channel, with each
   * lower's freshness; stale ones are flagged (never shown current).
   */
  async reported(actor: Actor): Promise<{ tickets: ReportedTicketView[]; nodes: ReportedNodeView[] }> {
    const { d } = this.v;
    await requirePermission(d.audit, actor, 'org.read', 'fault.reported', 'fault_ticket', '*');
    if (!d.uplink) return { tickets: [], nodes: [] };
    const up = d.uplink();
    const [items, peers] = await Promise.all([up.list(actor, { topic: TICKET_TOPIC }), up.peers(actor)]);
    return reportedTickets(items, peers, '本级 (this node)');
  }

  /** A site's ledger as reported upward (drill-down, R-FN-3): its devices, stale flagged. */
  async siteDevices(actor: Actor, siteCode: string): Promise<{ devices: DeviceView[]; stale: boolean }> {
    const { d } = this.v;
    await requirePermission(d.audit, actor, 'org.read', 'ledger.site.devices', 'org_node', siteCode);
    return reportedDevices(d.uplink ? await d.uplink().list(actor, { topic: DEVICE_TOPIC }) : [], siteCode);
  }

  /**
   * Health of this node (latest sample) and of every lower as reported on the node-to-node
   * channel (`node.health`, R-CITY-4); a lower whose channel is stale is flagged, never current.
   */
  async healthView(actor: Actor): Promise<HealthView> {
    const { d, limits } = this.v;
    await requirePermission(d.audit, actor, 'org.read', 'node.health.read', 'org_node', '*');
    const [items, peers] = d.uplink ? await Promise.all([d.uplink().list(actor, { topic: HEALTH_TOPIC }), d.uplink().peers(actor)]) : [[], []];
    const reported = items.filter((i) => i.viaLowerId !== null && i.body !== null).map((i) => {
      const sample = i.body as NodeHealthSample;
      return { originCode: i.originCode, key: i.key, name: peers.find((p) => p.code === i.key)?.name ?? sample.nodeName, stale: i.stale, receivedAtMs: i.receivedAtMs, sample };
    });
    return { own: this.v.health.latest ?? null, reported, limits: { diskLowRatio: limits.diskLowRatio, clockDriftMs: limits.clockDriftMs } };
  }

  /**
   * Roll-up per level (R-FN-3): this node's org tree in the actor's scope with, at each node, the
   * sum of the site summaries reported below it and how fresh they are; stale sites are counted
   * apart, never as online. Also every lower's channel state.
   */
  async rollupView(actor: Actor): Promise<RollupView> {
    const { d } = this.v;
    await requirePermission(d.audit, actor, 'org.read', 'ledger.rollup.read', 'org_node', '*');
    if (!d.uplink) return { tree: [], lowers: [], generatedAtMs: d.clock.nowMs() };
    const up = d.uplink();
    const [nodes, items, peers] = await Promise.all([repos(d.store.db).org.list(actor.scope), up.list(actor, { topic: SITE_TOPIC }), up.peers(actor)]);
    return rollup(nodes, items, peers, d.clock.nowMs());
  }

  /**
   * Each site's figures of a report period by GB code (period-figures.ts): this node's own sites
   * from its health history and exam windows, a lower site's as it reported them in its summary
   * (what came from below wins, as in the roll-up). A lower that sent no figures of exactly this
   * period has none: its rates show '—', never the current ones.
   */
  async periodFigures(actor: Actor, kind: PeriodKind, period: ReportPeriod): Promise<Record<string, PeriodFigures>> {
    const { d } = this.v;
    const nowMs = d.clock.nowMs();
    const own = lastPeriod(kind, nowMs).fromMs !== period.fromMs ? await sitePeriodFigures(d.store, period.fromMs, period.toMs, nowMs) : await this.v.sites.lastFull(kind, nowMs);
    const out: Record<string, PeriodFigures> = {};
    for (const n of await repos(d.store.db).org.list(actor.scope)) {
      const f = own.get(n.id);
      if (f) out[n.gb_code] = f;
    }
    if (!d.uplink) return out;
    for (const it of await d.uplink().list(actor, { topic: SITE_TOPIC })) {
      const s = it.body as SiteSummary | null;
      const f = s?.periods?.[kind];
      if (it.viaLowerId !== null && s && f?.fromMs === period.fromMs && f.toMs === period.toMs) out[s.nodeCode] = f;
    }
    return out;
  }

  /**
   * Health report of the last full day, week or month (Excel): the roll-up, each level's rates
   * averaged over the period and its exam recording completeness, and per site the tickets opened,
   * verified, open and overdue in the period. Audited.
   */
  async report(actor: Actor, kind: PeriodKind): Promise<Buffer> {
    const { d } = this.v;
    await requirePermission(d.audit, actor, 'org.read', 'ledger.report.export', 'org_node', '*'); // one denial recorded, not one per part
    const period = lastPeriod(kind, d.clock.nowMs());
    const [view, reported, periods] = await Promise.all([this.rollupView(actor), this.reported(actor), this.periodFigures(actor, kind, period)]);
    await d.audit.record(actor, { action: 'ledger.report.export', objectType: 'org_node', objectId: '*', scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { period: kind, fromMs: period.fromMs, toMs: period.toMs, sites: view.tree.reduce((n, r) => n + r.sites, 0), tickets: reported.tickets.length } });
    return healthReportXlsx(view, reported.tickets, period, periods);
  }

  /**
   * The device card (R-SEC-2): facts, tickets, health history of the last `days` days (online /
   * offline spans, stream statistics, recording, clock offset) and the latest readiness results.
   */
  async card(actor: Actor, id: number, days: number): Promise<DeviceCardView> {
    const { d } = this.v;
    const device = await this.v.ledger.get(actor, id);
    const toMs = d.clock.nowMs();
    const [tickets, h] = await Promise.all([this.v.faults.list(actor, { deviceId: id }), readHealth(d.store, actor, device, toMs - days * 86_400_000, toMs)]);
    return { device, tickets, ...h, limits: { cameraClockDriftMs: this.v.limits.cameraClockDriftMs } };
  }

  /** The card as a printable A4 PDF (audited `ledger.card.export`). */
  async cardPdf(actor: Actor, id: number, days: number): Promise<Buffer> {
    const card = await this.card(actor, id, days);
    await this.v.d.audit.record(actor, { action: 'ledger.card.export', objectType: 'ledger_device', objectId: String(id), scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { days } });
    return deviceCardPdf(card);
  }
}
