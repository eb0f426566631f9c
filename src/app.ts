// Composition root: builds every service of a node from configuration, with the clock and the
// store injected so that tests can replace them.
import { mkdirSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import { AuditService } from './audit/audit-service.ts';
import { AuthService } from './auth/auth-service.ts';
import { UserService } from './auth/user-service.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { SessionWatch } from './auth/session-watch.ts';
import type { Config } from './config/config.ts';
import { deriveKeys, loadAuditKeyFile, loadMasterKey } from './crypto/keys.ts';
import type { NodeKeys } from './crypto/keys.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { DeviceService } from './org/device-service.ts';
import { OrgService } from './org/org-service.ts';
import { OrgTransferService } from './org/transfer/transfer-service.ts';
import { EventBus } from './events/bus.ts';
import { createExamModule } from './exams/index.ts';
import type { ExamModule } from './exams/index.ts';
import { createCascadeModule } from './cascade/index.ts';
import { askLowerDeviceInfo } from './cascade/lower-device-info.ts';
import { RoutingCameraOpener } from './ingest/routing-opener.ts';
import { RtspCameraOpener } from './ingest/rtsp-opener.ts';
import type { CameraOpener } from './ingest/source.ts';
import { DiskFileStore } from './recording/file-store.ts';
import type { FileStore } from './recording/file-store.ts';
import { RecordingManager } from './recording/manager.ts';
import type { ManagerDeps } from './recording/manager.ts';
import { RecordingService } from './recording/recording-service.ts';
import { createLedgerModule } from './ledger/index.ts';
import type { LedgerModule, LedgerOptions } from './ledger/index.ts';
import { createReadinessModule } from './readiness/index.ts';
import { createUplinkModule } from './uplink/index.ts';
import type { ReadinessModule } from './readiness/index.ts';
import type { NodeClockOffset } from './readiness/clock-verdict.ts';
import { createRetentionModule } from './retention/index.ts';
import type { RetentionModule, RetentionModuleOptions } from './retention/index.ts';
import { migrateToLatest, openStore } from './store/db.ts';
import type { Store } from './store/db.ts';
import type { Clock } from './util/clock.ts';
import { systemClock } from './util/clock.ts';
import { setHeapGrowth } from './util/heap-growth.ts';

export interface App {
  config: Config;
  clock: Clock;
  store: Store;
  keys: NodeKeys;
  audit: AuditService;
  auth: AuthService;
  users: UserService;
  /** Login sessions watched by media paths (live/playback sockets, WebRTC): closed the moment the login ends. */
  sessions: SessionWatch;
  org: OrgService;
  devices: DeviceService;
  transfer: OrgTransferService;
  events: EventBus;
  box: SecretBox;
  files: FileStore;
  /** Opens camera sessions (RTSP, GB/T 28181) for the recorder, live views and checks. */
  opener: CameraOpener;
  /** Ingest and recording of this node's cameras; started by `serve`, not by other commands. */
  recorder: RecordingManager;
  recordings: RecordingService;
  /** Exams, required windows, gap alarms, completeness reports (started by `serve`). */
  exams: ExamModule;
  /** Retention job, evidence holds, capacity forecast, backups (started by `serve`). */
  retention: RetentionModule;
  /** Exam readiness: campaigns, camera probes, signed references and checklists (timer started by `serve`). */
  readiness: ReadinessModule;
  /** Equipment ledger, fault tickets, training records (signals subscribed by `serve`). */
  ledger: LedgerModule;
  log: Logger;
  close(): Promise<void>;
}

export class DataDirError extends Error {}

export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new DataDirError(`data directory ${dir} is not writable: ${(err as Error).message}`);
  }
}

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  opener?: CameraOpener;
  files?: FileStore;
  retention?: RetentionModuleOptions;
  ledger?: LedgerOptions;
  recording?: Partial<Pick<ManagerDeps, 'recorder' | 'supervisor' | 'reconcileIntervalMs' | 'indexFlushMs'>>;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  // Fewer full GCs under the recorder's stream of ArrayBuffers (src/util/heap-growth.ts).
  setHeapGrowth();
  ensureDataDir(config.dataDir);
  const clock = opts.clock ?? systemClock;
  const keys = deriveKeys(loadMasterKey(config.dataDir, process.env.XUNCHA_SECRET_KEY));
  // The audit key may live outside the data directory (issue 13 item 3); refused when others can read it.
  if (config.audit.keyFile) keys.audit = loadAuditKeyFile(config.audit.keyFile);
  const log = opts.logger ?? pino({ level: 'silent' });
  const store = openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, onError: (err) => log.warn({ err }, 'database connection lost; reconnecting on next query') });
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  const box = new SecretBox(keys.secretBox);
  const audit = new AuditService(store, keys.audit, clock);
  const sessions = new SessionWatch();
  const auth = new AuthService(
    store,
    audit,
    box,
    clock,
    { idleTimeoutMs: config.session.idleTimeoutMin * 60_000, absoluteTimeoutMs: config.session.absoluteTimeoutHours * 3600_000 },
    sessions,
    new LoginThrottle(clock),
  );
  const events = new EventBus();
  const org = new OrgService(store, audit, clock, events);
  const devices = new DeviceService(store, audit, box, clock, events);
  const files = opts.files ?? new DiskFileStore(path.join(config.dataDir, 'recordings'));
  const exams = createExamModule({ store, audit, clock, events, reportLimits: config.reports, log });
  exams.alarms.on('alarm.error', (err) => log.error({ err }, 'alarm monitor failed'));
  // One opener for every consumer: rtsp:// through our client, gb28181:// through the cascade.
  const opener = opts.opener ?? new RoutingCameraOpener({ rtsp: new RtspCameraOpener(), gb28181: () => createCascadeModule(app).opener });
  const recorder = new RecordingManager({ store, box, files, opener, clock, events, log, ...opts.recording });
  const app: App = {
    config,
    clock,
    store,
    keys,
    audit,
    auth,
    users: new UserService(store, audit, clock, sessions),
    sessions,
    org,
    devices,
    transfer: new OrgTransferService(store, audit, box, clock, events, config.reports),
    events,
    box,
    files,
    opener,
    recorder,
    recordings: new RecordingService(store, audit, clock, recorder),
    exams,
    // Set just below: retention reads the finished app (files, exams, recorder).
    retention: undefined as unknown as RetentionModule,
    // Probes listen to the recorder's own session of a camera (no second connection).
    readiness: createReadinessModule({ store, audit, clock, box, log, opener, sharedSession: (id) => recorder.supervisor(id), testRecording: { files, reconcile: () => recorder.reconcile() }, uplink: () => createUplinkModule(app).service,
      nodeClock: () => nodeClockOf(app.ledger.health.latest?.clock),
      // The ledger fills device facts and opens picture-fault tickets from each probe (issue 19).
      afterProbe: (p) => app.ledger.afterProbe(p),
      gbDeviceInfo: (channelId) => {
        const calls = createCascadeModule(app).calls;
        return calls ? calls.deviceInfo(channelId) : Promise.reject(new Error('本节点未配置国标级联 (gb28181 is not configured)'));
      },
      gbClock: (channelId) => createCascadeModule(app).calls?.clockOf(channelId) ?? Promise.resolve(undefined),
      // An upper probes a lower's camera through the cascade: DeviceStatus, catalog Status, RecordInfo.
      gbCascade: () => createCascadeModule(app).calls,
      gbPull: () => {
        const calls = createCascadeModule(app).calls;
        return calls && ((channelId, onRtp) => calls.openLive(channelId, { rtpTap: onRtp }));
      } }),
    ledger: createLedgerModule({ store, audit, clock, log, events, alarms: exams.alarms, diskAlarms: () => app.retention?.alarms, uplink: () => createUplinkModule(app).service, dataDir: config.dataDir, cameraState: (id) => recorder.status(id), stream: (id) => recorder.supervisor(id), gbDeviceInfo: () => { const c = createCascadeModule(app); return c.registry ? (sipId) => askLowerDeviceInfo(c, sipId) : undefined; }, options: { ...ledgerOptions(config), ...opts.ledger } }),
    log,
    close: async () => {
      await app.retention.stop();
      await app.readiness.stop();
      await app.ledger.stop();
      await exams.stop();
      await recorder.stop();
      await store.close();
    },
  };
  app.retention = createRetentionModule(app, opts.retention);
  return app;
}

/** The node's last SNTP sample as the readiness clock check wants it (none when unmeasured). */
function nodeClockOf(c: { offsetMs: number | null; server: string } | null | undefined): NodeClockOffset | undefined {
  return c && c.offsetMs !== null ? { offsetMs: c.offsetMs, server: c.server } : undefined;
}

/** The `ledger:` block of xuncha.yaml in the module's units (ms, ratio). */
function ledgerOptions(config: Config): LedgerOptions {
  const l = config.ledger;
  return { offlineAfterMs: l.offlineAfterS * 1000, ackLimitMs: l.ackLimitMin * 60_000, repairLimitMs: l.repairLimitMin * 60_000, verifyHealthyMs: l.verifyHealthyS * 1000, selfClear: { healthyMs: l.selfClearMin * 60_000 }, healthIntervalMs: l.healthIntervalS * 1000, diskLowRatio: l.diskLowPercent / 100, timeServer: l.timeServer, clockDriftMs: l.clockDriftS * 1000, nodeOrgCode: l.nodeOrgCode, nodeId: config.gb28181?.id, reportKeepDays: { day: l.dailyReportKeepDays, week: l.weeklyReportKeepDays, month: l.monthlyReportKeepDays } };
}
