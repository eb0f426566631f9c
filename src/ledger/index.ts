// Equipment ledger, health and fault tickets (设备台账 · 故障工单, issue 19, docs/design/ledger.md).
// The composition root builds it with the store, clock and the uplink; `start` subscribes to camera
// status and recording alarms, adds cameras to the ledger and starts the tick that opens offline
// tickets and verifies repaired ones.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { EventBus } from '../events/bus.ts';
import type { AlarmEmitter } from '../exams/alarm-monitor.ts';
import type { Store } from '../store/db.ts';
import type { UplinkService } from '../uplink/index.ts';
import type { Clock } from '../util/clock.ts';
import { FaultService } from './fault-service.ts';
import { HealthMonitor } from './health-monitor.ts';
import type { HealthMonitorOptions } from './health-monitor.ts';
import { LedgerService } from './ledger-service.ts';
import { LedgerTransfer } from './ledger-transfer.ts';
import { DeviceFactsRecorder } from './device-facts.ts';
import { SignalFaults } from './signal-faults.ts';
import type { DiskAlarmLike } from './signal-faults.ts';
import type { DeviceFacts, FactsVia } from './device-facts.ts';
import { HEALTH_TOPIC, NodeHealth } from './node-health.ts';
import type { NodeHealthDeps, NodeHealthOptions, NodeHealthSample } from './node-health.ts';
import { statfsMeter } from '../retention/disk.ts';
import { sntpQuery } from '../util/sntp.ts';
import { DEVICE_TOPIC } from './ledger-service.ts';
import type { Publish } from './ledger-service.ts';
import type { DeviceView } from './schemas.ts';
import type { TicketLimits } from './ticket-state.ts';
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import { TICKET_TOPIC } from './fault-service.ts';
import { reportedDevices, reportedTickets } from './upward.ts';
import type { ReportedNodeView, ReportedTicketView } from './upward.ts';
import { SITE_TOPIC, SiteSummaryPublisher } from './site-summary.ts';
import { rollup } from './rollup.ts';
import type { RollupView } from './rollup.ts';
import { healthReportXlsx, lastPeriod } from './report-xlsx.ts';
import type { PeriodKind } from './report-xlsx.ts';
import { repos } from '../store/repos/index.ts';
import { DEVICE_HEALTH_DEFAULTS, DeviceHealthSampler } from './device-health.ts';
import type { DeviceHealthOptions } from './device-health.ts';
import type { StreamLike } from './stream-meter.ts';
import { readHealth } from './card-view.ts';
import type { DeviceCardView } from './card-view.ts';
import { deviceCardPdf } from './card-pdf.ts';
import { ReportArchive } from './report-archive.ts';

export interface LedgerOptions extends Partial<HealthMonitorOptions>, Partial<TicketLimits>, Partial<NodeHealthOptions>, Partial<DeviceHealthOptions> {
  /** How often the node's own health is sampled, ms. */
  healthIntervalMs?: number;
  /** SNTP time source of the clock-drift check ("host" or "host:port"); unset = not measured. */
  timeServer?: string;
  /** Replaces the file-system meter of the data disk (tests). */
  disk?: NodeHealthDeps['disk'];
  /** How long a repaired device must be measured healthy before the system verifies, ms. */
  verifyHealthyMs?: number;
  /** How often offline timers and verification run, ms. */
  tickIntervalMs?: number;
  /** Days a scheduled daily / weekly health report is kept on disk. */
  reportKeepDays?: { day: number; week: number };
}

/** A camera's readiness probe as the ledger sees it (structural: the ledger does not import readiness). */
export interface ProbedCamera {
  campaignId: number;
  cameraId: number;
  outcomes: ReadonlyArray<{ probe: string; verdict: string; value?: string; reason: string | null }>;
  facts?: { via: FactsVia; answer: DeviceFacts | { error: string } };
}

/** The retention job's alarm emitter as the ledger uses it. */
export interface DiskAlarmSource {
  on(e: 'alarm.raised', fn: (a: DiskAlarmLike) => void): unknown;
  on(e: 'alarm.cleared', fn: () => void): unknown;
  off(e: 'alarm.raised', fn: (a: DiskAlarmLike) => void): unknown;
  off(e: 'alarm.cleared', fn: () => void): unknown;
}

export interface LedgerModuleDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  events: EventBus;
  /** Recording alarms of required windows (the exam module's emitter). */
  alarms?: AlarmEmitter;
  /** The retention job's disk alarms (built after this module, hence a getter). */
  diskAlarms?: () => DiskAlarmSource | undefined;
  uplink?: () => UplinkService;
  options?: LedgerOptions;
  /** Data directory: its disk is the one whose free space is sampled. */
  dataDir?: string;
  /** The recorder's state of a camera (device health history). */
  cameraState?: (cameraId: number) => { state: string; recording: boolean } | undefined;
  /** The recorder's session of a camera (stream statistics of the health history). */
  stream?: (cameraId: number) => StreamLike | undefined;
}

export interface HealthView {
  own: NodeHealthSample | null;
  reported: Array<{ originCode: string; stale: boolean; receivedAtMs: number; sample: NodeHealthSample }>;
  limits: { diskLowRatio: number; clockDriftMs: number };
}

export const LEDGER_DEFAULTS = { ...DEVICE_HEALTH_DEFAULTS, diskLowRatio: 0.05, clockDriftMs: 5_000, healthIntervalMs: 60_000, offlineAfterMs: 120_000, flapCount: 5, flapWindowMs: 600_000, ackLimitMs: 30 * 60_000, repairLimitMs: 4 * 3600_000, verifyHealthyMs: 60_000, tickIntervalMs: 5_000, reportKeepDays: { day: 93, week: 400 } };

export class LedgerModule {
  readonly ledger: LedgerService;
  readonly faults: FaultService;
  readonly monitor: HealthMonitor;
  readonly health: NodeHealth;
  readonly transfer: LedgerTransfer;
  /** Model, serial and firmware as the devices state them (ONVIF, GB/T 28181 DeviceInfo). */
  readonly facts: DeviceFactsRecorder;
  /** Picture-fault and retention disk tickets, R-CITY-4 conformance of replaced devices. */
  readonly signals: SignalFaults;
  /** Each site's summary upward (`ledger.site`). */
  readonly sites: SiteSummaryPublisher;
  /** Per-device health history (device card) and camera clock-drift tickets. */
  readonly deviceHealth: DeviceHealthSampler;
  /** Daily and weekly health reports (PDF, Excel) written on schedule and on demand, kept on disk. */
  readonly reports: ReportArchive;
  private timer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private readonly o: typeof LEDGER_DEFAULTS & LedgerOptions;

  constructor(private readonly d: LedgerModuleDeps) {
    this.o = { ...LEDGER_DEFAULTS, ...stripUndefined(d.options ?? {}) };
    // Every ticket or device published upward also changes its site's summary.
    const publish: Publish | undefined = d.uplink
      ? async (trx, input) => {
          const r = await d.uplink!().publish(trx, input);
          if (input.topic !== SITE_TOPIC) this.sites.touch();
          return r;
        }
      : undefined;
    this.ledger = new LedgerService({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, publish, onReplaced: (trx, id, note) => this.faults.recordReplaced(trx, id, note) });
    this.faults = new FaultService({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, publish, limits: { ackLimitMs: this.o.ackLimitMs, repairLimitMs: this.o.repairLimitMs }, verifyHealthyMs: this.o.verifyHealthyMs });
    this.transfer = new LedgerTransfer({ store: d.store, audit: d.audit, ledger: this.ledger });
    this.facts = new DeviceFactsRecorder({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, ledger: this.ledger, faults: this.faults, publish });
    const timeServer = this.o.timeServer;
    const disk = this.o.disk ?? (d.dataDir ? statfsMeter(d.dataDir) : undefined);
    this.health = new NodeHealth({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, publish, disk, timeSource: timeServer ? { server: timeServer, query: () => sntpQuery(timeServer, { clock: d.clock }) } : undefined, opts: { diskLowRatio: this.o.diskLowRatio, clockDriftMs: this.o.clockDriftMs, nodeOrgCode: this.o.nodeOrgCode } });
    this.sites = new SiteSummaryPublisher({ store: d.store, clock: d.clock, log: d.log, publish, limits: this.limits });
    this.signals = new SignalFaults({ faults: this.faults, deviceOf: (id) => this.monitor.deviceOf(id), serverDevice: () => this.health.ensureServerRow() });
    this.deviceHealth = new DeviceHealthSampler({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, cameraState: d.cameraState, stream: d.stream, nodeOffsetMs: () => this.health.latest?.clock?.offsetMs ?? null, sampleIntervalMs: this.o.healthIntervalMs, opts: { rawRetentionMs: this.o.rawRetentionMs, hourRetentionMs: this.o.hourRetentionMs, cameraClockDriftMs: this.o.cameraClockDriftMs } });
    this.reports = new ReportArchive({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, dataDir: d.dataDir, rollupView: (a) => this.rollupView(a), reported: (a) => this.reported(a), keepDays: this.o.reportKeepDays });
    this.monitor = new HealthMonitor({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, ledger: this.ledger, opts: this.o });
  }

  get limits(): TicketLimits {
    return { ackLimitMs: this.o.ackLimitMs, repairLimitMs: this.o.repairLimitMs };
  }

  /**
   * Tickets of this node and of every lower, as published on the node-to-node channel, with each
   * lower's freshness; stale ones are flagged (never shown current).
   */
  async reported(actor: Actor): Promise<{ tickets: ReportedTicketView[]; nodes: ReportedNodeView[] }> {
    await requirePermission(this.d.audit, actor, 'org.read', 'fault.reported', 'fault_ticket', '*');
    if (!this.d.uplink) return { tickets: [], nodes: [] };
    const up = this.d.uplink();
    const [items, peers] = await Promise.all([up.list(actor, { topic: TICKET_TOPIC }), up.peers(actor)]);
    return reportedTickets(items, peers, '本级 (this node)');
  }

  /** A site's ledger as reported upward (drill-down, R-FN-3): its devices, stale flagged. */
  async siteDevices(actor: Actor, siteCode: string): Promise<{ devices: DeviceView[]; stale: boolean }> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.site.devices', 'org_node', siteCode);
    return reportedDevices(this.d.uplink ? await this.d.uplink().list(actor, { topic: DEVICE_TOPIC }) : [], siteCode);
  }

  /**
   * Health of this node (latest sample) and of every lower as reported on the node-to-node
   * channel (`node.health`, R-CITY-4); a lower whose channel is stale is flagged, never current.
   */
  async healthView(actor: Actor): Promise<HealthView> {
    await requirePermission(this.d.audit, actor, 'org.read', 'node.health.read', 'org_node', '*');
    const items = this.d.uplink ? await this.d.uplink().list(actor, { topic: HEALTH_TOPIC }) : [];
    const reported = items.filter((i) => i.viaLowerId !== null && i.body !== null).map((i) => ({ originCode: i.originCode, stale: i.stale, receivedAtMs: i.receivedAtMs, sample: i.body as NodeHealthSample }));
    return { own: this.health.latest ?? null, reported, limits: { diskLowRatio: this.o.diskLowRatio, clockDriftMs: this.o.clockDriftMs } };
  }

  /**
   * Roll-up per level (R-FN-3): this node's org tree in the actor's scope with, at each node, the
   * sum of the site summaries reported below it and how fresh they are; stale sites are counted
   * apart, never as online. Also every lower's channel state.
   */
  async rollupView(actor: Actor): Promise<RollupView> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.rollup.read', 'org_node', '*');
    if (!this.d.uplink) return { tree: [], lowers: [], generatedAtMs: this.d.clock.nowMs() };
    const up = this.d.uplink();
    const [nodes, items, peers] = await Promise.all([repos(this.d.store.db).org.list(actor.scope), up.list(actor, { topic: SITE_TOPIC }), up.peers(actor)]);
    return rollup(nodes, items, peers, this.d.clock.nowMs());
  }

  /**
   * Health report of the last full week or month (Excel): the roll-up as reported now, and per
   * site the tickets opened, verified, open and overdue in the period. Audited.
   */
  async report(actor: Actor, kind: PeriodKind): Promise<Buffer> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.report.export', 'org_node', '*'); // one denial recorded, not one per part
    const [view, reported] = await Promise.all([this.rollupView(actor), this.reported(actor)]);
    const period = lastPeriod(kind, this.d.clock.nowMs());
    await this.d.audit.record(actor, { action: 'ledger.report.export', objectType: 'org_node', objectId: '*', scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { period: kind, fromMs: period.fromMs, toMs: period.toMs, sites: view.tree.reduce((n, r) => n + r.sites, 0), tickets: reported.tickets.length } });
    return healthReportXlsx(view, reported.tickets, period);
  }

  /**
   * The device card (R-SEC-2): facts, tickets, health history of the last `days` days (online /
   * offline spans, stream statistics, recording, clock offset) and the latest readiness results.
   */
  async card(actor: Actor, id: number, days: number): Promise<DeviceCardView> {
    const device = await this.ledger.get(actor, id);
    const toMs = this.d.clock.nowMs();
    const [tickets, h] = await Promise.all([this.faults.list(actor, { deviceId: id }), readHealth(this.d.store, actor, device, toMs - days * 86_400_000, toMs)]);
    return { device, tickets, ...h, limits: { cameraClockDriftMs: this.o.cameraClockDriftMs } };
  }

  /** The card as a printable A4 PDF (audited `ledger.card.export`). */
  async cardPdf(actor: Actor, id: number, days: number): Promise<Buffer> {
    const card = await this.card(actor, id, days);
    await this.d.audit.record(actor, { action: 'ledger.card.export', objectType: 'ledger_device', objectId: String(id), scopePath: actor.scope.kind === 'all' ? undefined : actor.scope.path, detail: { days } });
    return deviceCardPdf(card);
  }

  /**
   * A readiness probe of one camera finished (its results stored): the device's own facts go into
   * its ledger row. Serialised with the ticket work; never throws into the prober.
   */
  afterProbe = (p: ProbedCamera): Promise<void> =>
    this.monitor.enqueue(async () => {
      // Facts first: a new serial marks the replacement before this probe's conformance counts.
      if (p.facts) await this.facts.record(p.cameraId, p.facts.via, p.facts.answer);
      await this.signals.onProbe(p.cameraId, p.outcomes);
    });

  private readonly onDiskAlarm = (e: DiskAlarmLike): void => void this.monitor.enqueue(() => this.signals.onDiskAlarm(e));
  private readonly onDiskCleared = (): void => void this.monitor.enqueue(() => this.signals.onDiskCleared());

  /** Subscribes to the signals and starts the tick. Idempotent. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.d.events.on('camera.status', this.monitor.onCameraStatus);
    this.d.events.on('camera.status', this.sites.onCameraStatus);
    this.d.events.on('org.changed', this.onOrgChanged);
    this.d.alarms?.on('alarm.raised', this.monitor.onRecordingAlarm);
    this.d.alarms?.on('alarm.cleared', this.monitor.onRecordingCleared);
    this.d.diskAlarms?.()?.on('alarm.raised', this.onDiskAlarm);
    this.d.diskAlarms?.()?.on('alarm.cleared', this.onDiskCleared);
    await this.ledger.syncCameras();
    void this.monitor.enqueue(() => this.sampleAll());
    this.timer = setInterval(() => void this.tick(), this.o.tickIntervalMs);
    this.timer.unref();
    this.healthTimer = setInterval(() => {
      void this.monitor.enqueue(() => this.sampleAll());
      void this.reports.runDue(); // not in the ticket queue: rendering takes seconds
    }, this.o.healthIntervalMs);
    this.healthTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.timer = undefined;
    this.healthTimer = undefined;
    this.d.events.off('camera.status', this.monitor.onCameraStatus);
    this.d.events.off('camera.status', this.sites.onCameraStatus);
    this.d.events.off('org.changed', this.onOrgChanged);
    this.d.alarms?.off('alarm.raised', this.monitor.onRecordingAlarm);
    this.d.alarms?.off('alarm.cleared', this.monitor.onRecordingCleared);
    this.d.diskAlarms?.()?.off('alarm.raised', this.onDiskAlarm);
    this.d.diskAlarms?.()?.off('alarm.cleared', this.onDiskCleared);
    await this.monitor.enqueue(() => Promise.resolve());
    await this.reports.idle();
    this.deviceHealth.stop();
  }

  /** Offline timers and verification, then the site summaries if anything they count changed. */
  async tick(): Promise<void> {
    await this.monitor.tick();
    await this.monitor.enqueue(() => this.sites.publishChanged());
  }

  /**
   * Every site summary computed afresh and published when changed, as each health sample does
   * (once a minute): today's exam completeness changes with time alone, not with an event.
   */
  async refreshSiteSummaries(): Promise<void> {
    await this.monitor.enqueue(() => this.sites.publishChanged(true));
  }

  /** The node's health sample and every site summary (published when changed). */
  private async sampleAll(): Promise<void> {
    await this.health.sample();
    await this.deviceHealth.sample();
    await this.sites.publishChanged(true);
  }

  private readonly onOrgChanged = (e: { kind: string }): void => {
    this.sites.touch();
    if (e.kind === 'camera' || e.kind === 'import') void this.monitor.enqueue(() => this.ledger.syncCameras());
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createLedgerModule(deps: LedgerModuleDeps): LedgerModule {
  return new LedgerModule(deps);
}

export type { NodeHealthSample } from './node-health.ts';
export type { SiteSummary } from './site-summary.ts';
export type { RollupRow, RollupView } from './rollup.ts';
export type { DeviceView, TicketDetailView, TicketView, TrainingView } from './schemas.ts';
export type { DeviceCardView, HealthHistory, HealthPoint, StatusSpan } from './card-view.ts';
