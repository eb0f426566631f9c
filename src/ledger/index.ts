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
import type { Publish } from './ledger-service.ts';
import type { TicketLimits } from './ticket-state.ts';
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import { TICKET_TOPIC } from './fault-service.ts';
import { reportedTickets } from './upward.ts';
import type { ReportedNodeView, ReportedTicketView } from './upward.ts';

export interface LedgerOptions extends Partial<HealthMonitorOptions>, Partial<TicketLimits> {
  /** How long a repaired device must be measured healthy before the system verifies, ms. */
  verifyHealthyMs?: number;
  /** How often offline timers and verification run, ms. */
  tickIntervalMs?: number;
}

export interface LedgerModuleDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  events: EventBus;
  /** Recording alarms of required windows (the exam module's emitter). */
  alarms?: AlarmEmitter;
  uplink?: () => UplinkService;
  options?: LedgerOptions;
}

export const LEDGER_DEFAULTS = { offlineAfterMs: 120_000, flapCount: 5, flapWindowMs: 600_000, ackLimitMs: 30 * 60_000, repairLimitMs: 4 * 3600_000, verifyHealthyMs: 60_000, tickIntervalMs: 5_000 };

export class LedgerModule {
  readonly ledger: LedgerService;
  readonly faults: FaultService;
  readonly monitor: HealthMonitor;
  private timer?: NodeJS.Timeout;
  private readonly o: typeof LEDGER_DEFAULTS;

  constructor(private readonly d: LedgerModuleDeps) {
    this.o = { ...LEDGER_DEFAULTS, ...stripUndefined(d.options ?? {}) };
    const publish: Publish | undefined = d.uplink ? (trx, input) => d.uplink!().publish(trx, input) : undefined;
    this.ledger = new LedgerService({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, publish });
    this.faults = new FaultService({ store: d.store, audit: d.audit, clock: d.clock, log: d.log, publish, limits: { ackLimitMs: this.o.ackLimitMs, repairLimitMs: this.o.repairLimitMs }, verifyHealthyMs: this.o.verifyHealthyMs });
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

  /** Subscribes to the signals and starts the tick. Idempotent. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.d.events.on('camera.status', this.monitor.onCameraStatus);
    this.d.events.on('org.changed', this.onOrgChanged);
    this.d.alarms?.on('alarm.raised', this.monitor.onRecordingAlarm);
    await this.ledger.syncCameras();
    this.timer = setInterval(() => void this.monitor.tick(), this.o.tickIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.d.events.off('camera.status', this.monitor.onCameraStatus);
    this.d.events.off('org.changed', this.onOrgChanged);
    this.d.alarms?.off('alarm.raised', this.monitor.onRecordingAlarm);
    await this.monitor.enqueue(() => Promise.resolve());
  }

  private readonly onOrgChanged = (e: { kind: string }): void => {
    if (e.kind === 'camera' || e.kind === 'import') void this.monitor.enqueue(() => this.ledger.syncCameras());
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function createLedgerModule(deps: LedgerModuleDeps): LedgerModule {
  return new LedgerModule(deps);
}

export type { DeviceView, TicketDetailView, TicketView, TrainingView } from './schemas.ts';
