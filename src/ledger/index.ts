// Equipment ledger, health and fault tickets (设备台账 · 故障工单, issue 19, docs/design/ledger.md).
// The composition root builds it with the store, clock and the uplink; `start` subscribes to camera
// status and recording alarms, adds cameras to the ledger and starts the tick that opens offline
// tickets and verifies repaired ones. Options and dependencies: module-options.ts; the read-only
// views the pages use: ledger-views.ts.
import type { Actor } from '../auth/actor.ts';
import { statfsMeter } from '../retention/disk.ts';
import { sntpQuery } from '../util/sntp.ts';
import type { DeviceCardView } from './card-view.ts';
import { ConformanceChecker } from './conformance.ts';
import { DeviceFactsRecorder } from './device-facts.ts';
import { GbDeviceInfoPoller } from './gb-device-info.ts';
import { DeviceHealthSampler } from './device-health.ts';
import { FaultService } from './fault-service.ts';
import { HealthMonitor } from './health-monitor.ts';
import { LedgerService } from './ledger-service.ts';
import type { Publish } from './ledger-service.ts';
import { LedgerTransfer } from './ledger-transfer.ts';
import { LedgerViews } from './ledger-views.ts';
import { LEDGER_DEFAULTS } from './module-options.ts';
import type { HealthView, LedgerModuleDeps, LedgerOptions, ProbedCamera } from './module-options.ts';
import { NodeHealth } from './node-health.ts';
import { upwardKey } from './own-keys.ts';
import { Reachability } from './reachability.ts';
import type { PeriodFigures, PeriodKind, ReportPeriod } from './period-figures.ts';
import { ReportArchive } from './report-archive.ts';
import type { RollupView } from './rollup.ts';
import type { DeviceView } from './schemas.ts';
import { SELF_CLEAR_DEFAULTS, SelfClear } from './self-clear.ts';
import { SignalFaults } from './signal-faults.ts';
import type { DiskAlarmLike } from './signal-faults.ts';
import { SITE_TOPIC, SiteSummaryPublisher } from './site-summary.ts';
import type { TicketLimits } from './ticket-state.ts';
import type { ReportedNodeView, ReportedTicketView } from './upward.ts';

export { LEDGER_DEFAULTS } from './module-options.ts';
export type { DiskAlarmSource, HealthView, LedgerModuleDeps, LedgerOptions, ProbedCamera } from './module-options.ts';

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
  /** R-CITY-4 of replaced devices that are not cameras (reachable, DeviceInfo, channel count). */
  readonly conformance: ConformanceChecker;
  /** DeviceInfo of GB/T 28181 devices registered directly here, after registration and on schedule. */
  readonly gbInfo: GbDeviceInfoPoller;
  /** Untouched automatic tickets whose fault cleared by itself, closed by the system (stated, audited, kept visible). */
  readonly selfClear: SelfClear;
  private readonly views: LedgerViews;
  private timer?: NodeJS.Timeout;
  private healthTimer?: NodeJS.Timeout;
  private readonly o: typeof LEDGER_DEFAULTS & LedgerOptions;

  constructor(private readonly d: LedgerModuleDeps) {
    this.o = { ...LEDGER_DEFAULTS, ...stripUndefined(d.options ?? {}) };
    // Every ticket or device published upward also changes its site's summary.
    const publish: Publish | undefined = d.uplink
      ? async (trx, input) => {
          // The server row and its tickets under this node's own id (own-keys.ts: a shared root collided).
          const r = await d.uplink!().publish(trx, { ...input, key: upwardKey(input, this.o.nodeId) });
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
    this.health = new NodeHealth({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, publish, disk, timeSource: timeServer ? { server: timeServer, query: () => sntpQuery(timeServer, { clock: d.clock }) } : undefined, opts: { diskLowRatio: this.o.diskLowRatio, clockDriftMs: this.o.clockDriftMs, nodeOrgCode: this.o.nodeOrgCode, nodeId: this.o.nodeId } });
    this.sites = new SiteSummaryPublisher({ store: d.store, clock: d.clock, log: d.log, publish, limits: this.limits });
    this.signals = new SignalFaults({ faults: this.faults, deviceOf: (id) => this.monitor.deviceOf(id), serverDevice: () => this.health.ensureServerRow() });
    this.deviceHealth = new DeviceHealthSampler({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, cameraState: d.cameraState, stream: d.stream, nodeOffsetMs: () => this.health.latest?.clock?.offsetMs ?? null, reach: new Reachability({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, offlineAfterMs: this.o.offlineAfterMs, timeoutMs: this.o.probeTimeoutMs, prober: this.o.prober }), sampleIntervalMs: this.o.healthIntervalMs, opts: { rawRetentionMs: this.o.rawRetentionMs, hourRetentionMs: this.o.hourRetentionMs, cameraClockDriftMs: this.o.cameraClockDriftMs } });
    this.views = new LedgerViews({ d, ledger: this.ledger, faults: this.faults, health: this.health, sites: this.sites, limits: this.o });
    this.reports = new ReportArchive({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, dataDir: d.dataDir, rollupView: (a) => this.rollupView(a), reported: (a) => this.reported(a), periods: (a, kind, period) => this.periodFigures(a, kind, period), keepDays: this.o.reportKeepDays });
    this.monitor = new HealthMonitor({ store: d.store, clock: d.clock, log: d.log, faults: this.faults, ledger: this.ledger, opts: this.o });
    this.conformance = new ConformanceChecker({ store: d.store, log: d.log, faults: this.faults });
    this.faults.explain = async (db, deviceId, since) => {
      const v = await this.conformance.verdict(db, deviceId, since);
      return v.passed ? '检查已满足，等待系统下一次记录 (met: recorded with the next sample)' : v.reason;
    };
    this.selfClear = new SelfClear({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, faults: this.faults, opts: { ...SELF_CLEAR_DEFAULTS, ...stripUndefined(this.o.selfClear ?? {}) } });
    this.gbInfo = new GbDeviceInfoPoller({ store: d.store, clock: d.clock, log: d.log, facts: this.facts, conformance: this.conformance, ask: () => d.gbDeviceInfo?.(), enqueue: (fn) => this.monitor.enqueue(fn), intervalMs: this.o.deviceInfoIntervalMs });
  }

  get limits(): TicketLimits {
    return { ackLimitMs: this.o.ackLimitMs, repairLimitMs: this.o.repairLimitMs };
  }

  // The pages' reads (ledger-views.ts), kept here so routes and tests call the module.
  reported(actor: Actor): Promise<{ tickets: ReportedTicketView[]; nodes: ReportedNodeView[] }> { return this.views.reported(actor); }
  siteDevices(actor: Actor, siteCode: string): Promise<{ devices: DeviceView[]; stale: boolean }> { return this.views.siteDevices(actor, siteCode); }
  healthView(actor: Actor): Promise<HealthView> { return this.views.healthView(actor); }
  rollupView(actor: Actor): Promise<RollupView> { return this.views.rollupView(actor); }
  periodFigures(actor: Actor, kind: PeriodKind, period: ReportPeriod): Promise<Record<string, PeriodFigures>> { return this.views.periodFigures(actor, kind, period); }
  report(actor: Actor, kind: PeriodKind): Promise<Buffer> { return this.views.report(actor, kind); }
  card(actor: Actor, id: number, days: number): Promise<DeviceCardView> { return this.views.card(actor, id, days); }
  cardPdf(actor: Actor, id: number, days: number): Promise<Buffer> { return this.views.cardPdf(actor, id, days); }

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
    void this.gbInfo.poll(); // asks outside the queue; records in it
    await this.monitor.tick();
    await this.monitor.enqueue(() => this.selfClear.run());
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
    await this.conformance.check(); // after the reachability rows it reads
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
