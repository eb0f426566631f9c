// The ledger module's options, defaults and dependencies (issue 19, docs/design/ledger.md): what
// the composition root (src/app.ts) hands to createLedgerModule. Types and constants only.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { EventBus } from '../events/bus.ts';
import type { AlarmEmitter } from '../exams/alarm-monitor.ts';
import type { Store } from '../store/db.ts';
import type { UplinkService } from '../uplink/index.ts';
import type { Clock } from '../util/clock.ts';
import type { HealthMonitorOptions } from './health-monitor.ts';
import type { DiskAlarmLike } from './signal-faults.ts';
import type { DeviceFacts, FactsVia } from './device-facts.ts';
import type { NodeHealthDeps, NodeHealthOptions, NodeHealthSample } from './node-health.ts';
import type { TicketLimits } from './ticket-state.ts';
import { DEVICE_HEALTH_DEFAULTS } from './device-health.ts';
import type { DeviceHealthOptions } from './device-health.ts';
import type { StreamLike } from './stream-meter.ts';
import type { Prober } from './reachability.ts';
import type { GbDeviceInfoAsk } from './gb-device-info.ts';
import type { SelfClearOptions } from './self-clear.ts';

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
  /** Time limit of one reachability probe of a switch, UPS, … (TCP connect or ping), ms. */
  probeTimeoutMs?: number;
  /** Replaces the reachability prober (tests). */
  prober?: Prober;
  /** Tickets closing by themselves (self-clear.ts): healthy time, kinds, recurrence window. */
  selfClear?: Partial<SelfClearOptions>;
  /** How often a GB/T 28181 device registered here is asked DeviceInfo again while it stays registered, ms. */
  deviceInfoIntervalMs?: number;
  /** Days a scheduled daily / weekly health report is kept on disk. */
  reportKeepDays?: { day: number; week: number; month: number };
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
  /** DeviceInfo of a GB/T 28181 device registered directly here, by SIP id; undefined while gb28181 is not running. */
  gbDeviceInfo?: () => GbDeviceInfoAsk | undefined;
}

export interface HealthView {
  own: NodeHealthSample | null;
  /** Each lower's last sample; `key` names the node (its SIP id), `name` the lower as registered here when known. */
  reported: Array<{ originCode: string; key: string; name: string; stale: boolean; receivedAtMs: number; sample: NodeHealthSample }>;
  limits: { diskLowRatio: number; clockDriftMs: number };
}

export const LEDGER_DEFAULTS = { ...DEVICE_HEALTH_DEFAULTS, diskLowRatio: 0.05, clockDriftMs: 5_000, healthIntervalMs: 60_000, offlineAfterMs: 120_000, flapCount: 5, flapWindowMs: 600_000, ackLimitMs: 30 * 60_000, repairLimitMs: 4 * 3600_000, verifyHealthyMs: 60_000, tickIntervalMs: 5_000, probeTimeoutMs: 3_000, deviceInfoIntervalMs: 6 * 3600_000, reportKeepDays: { day: 93, week: 400, month: 1100 } };
