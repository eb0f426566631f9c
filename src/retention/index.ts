// The retention module (issue 5, second half; docs/design/retention.md): locks, the retention job
// with disk pressure, the capacity forecast, evidence holds and backups. The composition root
// builds it with createRetentionModule(app), starts it, and registers retentionRoutes(app, module).
import type { App } from '../app.ts';
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import { repos } from '../store/repos/index.ts';
import type { RetentionAlarmRow } from '../store/repos/retention-repo.ts';
import { BackupService } from '../backup/backup-service.ts';
import { backupRootFromEnv, backupTargetFor } from '../backup/s3-target.ts';
import type { BackupTarget } from '../backup/target.ts';
import { verifyBackup } from '../backup/verify.ts';
import type { BackupVerifyResult } from '../backup/verify.ts';
import type { Timer } from '../exams/alarm-monitor.ts';
import { systemTimer } from '../exams/alarm-monitor.ts';
import { statfsMeter } from './disk.ts';
import type { DiskMeter } from './disk.ts';
import { forecast } from './forecast.ts';
import type { Forecast } from './forecast.ts';
import { EvidenceHoldService } from './holds.ts';
import { RESUME_FACTOR, RetentionAlarms, RetentionJob } from './retention-job.ts';
import type { RecordingGate, RetentionRunReport } from './retention-job.ts';
import { DEFAULT_SETTINGS, loadSettings, saveSettings, thresholdBytes } from './settings.ts';
import { SpaceReserve } from './space-reserve.ts';
import type { RetentionSettings } from './settings.ts';

export interface RetentionAlarmView {
  id: number;
  kind: string;
  raisedAtMs: number;
  clearedAtMs: number | null;
  freeBytes: number;
  thresholdBytes: number;
  message: string;
}

function alarmView(a: RetentionAlarmRow): RetentionAlarmView {
  return {
    id: a.id,
    kind: a.kind,
    raisedAtMs: Number(a.raised_at_ms),
    clearedAtMs: a.cleared_at_ms === null ? null : Number(a.cleared_at_ms),
    freeBytes: Number(a.free_bytes),
    thresholdBytes: Number(a.threshold_bytes),
    message: a.detail ? String((JSON.parse(a.detail) as { message?: string }).message ?? '') : '',
  };
}

export const RETENTION_INTERVAL_MS = 10 * 60_000;
/** Free space is looked at this often; a pass runs at once when it is below the threshold or a write hit a full disk. */
export const SPACE_WATCH_INTERVAL_MS = 2000;
const DAY_MS = 86_400_000;
/** A session is backed up this long after its last window's end (5 min margin + 30 min arming). */
export const AUTO_BACKUP_DELAY_MS = 35 * 60_000;
/** Sessions that ended longer ago than this are not backed up automatically (first start). */
export const AUTO_BACKUP_LOOKBACK_MS = 7 * DAY_MS;

export interface RetentionModuleOptions {
  /** Free space of the recording disk; default fs.statfs on the recordings directory. */
  meter?: DiskMeter;
  /** Timer of the 10 min job; tests pass a fake one. */
  timer?: Timer;
  /** Backup target directory; default XUNCHA_BACKUP_DIR; none = backups not configured. */
  backupDir?: string;
  targetFor?: (root: string) => BackupTarget;
  /** Who holds off unscheduled recording under disk pressure; default app.recorder; null = nobody. */
  gate?: RecordingGate | null;
  /** Keep a database space reserve on the data disk (default true; see docs/design/retention.md). */
  reserve?: boolean;
}

export interface RetentionModule {
  job: RetentionJob;
  holds: EvidenceHoldService;
  backups: BackupService;
  /** 'alarm.raised' / 'alarm.cleared' (disk pressure) and 'retention.error'. */
  alarms: RetentionAlarms;
  meter: DiskMeter;
  forecast(actor: Actor): Promise<Forecast>;
  settings(actor: Actor): Promise<RetentionSettings>;
  saveSettings(actor: Actor, patch: Partial<RetentionSettings>): Promise<RetentionSettings>;
  verifyBackup(actor: Actor, id: number): Promise<BackupVerifyResult>;
  /** Disk-pressure alarms, newest first. */
  alarmList(actor: Actor): Promise<RetentionAlarmView[]>;
  /**
   * Disk alarms still open (disk full, disk pressure), for the console's alarm banner: everyone who
   * watches cameras (org.read) must see that this node's recording disk stopped recording.
   */
  openAlarmList(actor: Actor): Promise<RetentionAlarmView[]>;
  /** Runs the job now (administrators; each deletion it makes is audited). */
  runNow(actor: Actor): Promise<RetentionRunReport>;
  /** One job pass, then automatic backups of finished sessions, then resumption of running backups. */
  tick(): Promise<RetentionRunReport>;
  /**
   * A database write failed for lack of space (before the watcher's next look): frees the space
   * reserve now so that the next commit succeeds, and starts a pass.
   */
  diskFull(): void;
  start(): void;
  /** Resolves when the free-space look and the pass it started (if any) are done (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The recording manager, when it offers the hold-off (RecordingManager.setUnscheduledVeto). */
function defaultGate(app: App): RecordingGate | undefined {
  const rec = app.recorder as unknown as Partial<RecordingGate>;
  return typeof rec.setUnscheduledVeto === 'function' ? (rec as RecordingGate) : undefined;
}

export function createRetentionModule(app: App, opts: RetentionModuleOptions = {}): RetentionModule {
  const { store, audit, clock, files, log } = app;
  const meter = opts.meter ?? statfsMeter(files.root);
  const alarms = new RetentionAlarms();
  const gate = opts.gate === null ? undefined : (opts.gate ?? defaultGate(app));
  const examHolds = () => app.exams.windows.retentionHolds(0);
  const reserve = opts.reserve === false ? undefined : new SpaceReserve(app.config.dataDir);
  const job = new RetentionJob({ store, files, clock, audit, log, meter, examHolds, gate, alarms, reserve });
  // XUNCHA_BACKUP_S3_URL (s3://bucket/prefix?endpoint=…) wins over XUNCHA_BACKUP_DIR.
  const backupDir = opts.backupDir ?? backupRootFromEnv(process.env);
  const targetFor = opts.targetFor ?? backupTargetFor(process.env);
  const backups = new BackupService({ store, audit, clock, files, log, backupDir, targetFor });
  const timer = opts.timer ?? systemTimer;
  let handle: unknown;
  let watchHandle: unknown;
  let ticking: Promise<unknown> | undefined;
  let watching: Promise<void> | undefined;

  let last: RetentionRunReport | undefined;
  const tick = async (): Promise<RetentionRunReport> => {
    const report = await job.runOnce();
    last = report;
    const now = clock.nowMs();
    await backups.autoBackup(now - AUTO_BACKUP_LOOKBACK_MS, now - AUTO_BACKUP_DELAY_MS);
    void backups.resumeAll().catch((err: unknown) => alarms.emit('retention.error', err));
    return report;
  };
  const safeTick = () => {
    if (ticking) return;
    ticking = tick()
      .catch((err: unknown) => {
        log.error({ err }, 'retention job failed');
        alarms.emit('retention.error', err);
      })
      .finally(() => {
        ticking = undefined;
      });
  };

  // Runs a pass as soon as free space is below the threshold, or a write found the disk full — not
  // at the next 10-minute tick. Measuring is one statfs; settings are read only when it is low.
  const watch = () => {
    if (watching || ticking) return;
    watching = (async () => {
      const full = files.diskFull?.() ?? false;
      const space = await meter.measure();
      const threshold = thresholdBytes(space, await loadSettingsCached());
      // Below the threshold: free space now. Recording held off and space back: resume now.
      const resume = (last?.pressureStop || last?.diskFull) && space.freeBytes >= threshold * RESUME_FACTOR;
      if (full || resume || space.freeBytes < threshold) safeTick();
    })()
      .catch((err: unknown) => log.warn({ err }, 'free-space check failed'))
      .finally(() => {
        watching = undefined;
      });
  };
  let cachedSettings: { atMs: number; value: RetentionSettings } | undefined;
  const loadSettingsCached = async (): Promise<RetentionSettings> => {
    const now = clock.nowMs();
    if (!cachedSettings || now - cachedSettings.atMs > 60_000) cachedSettings = { atMs: now, value: await loadSettings(store.db).catch(() => cachedSettings?.value ?? DEFAULT_SETTINGS) };
    return cachedSettings.value;
  };

  return {
    job,
    holds: new EvidenceHoldService(store, audit, clock),
    backups,
    alarms,
    meter,
    async forecast(actor) {
      await requirePermission(audit, actor, 'recording.manage', 'retention.forecast', 'retention', 'forecast');
      const now = clock.nowMs();
      return forecast(store, meter, await job.locks(now), await loadSettings(store.db), now);
    },
    async settings(actor) {
      await requirePermission(audit, actor, 'recording.manage', 'retention.settings.read', 'setting', 'retention');
      return loadSettings(store.db);
    },
    saveSettings: (actor, patch) => saveSettings(store, audit, actor, patch),
    verifyBackup: (actor, id) => verifyBackup({ store, audit, clock, targetFor }, actor, id),
    async alarmList(actor) {
      await requirePermission(audit, actor, 'recording.manage', 'retention.alarms', 'retention_alarm', '*');
      return (await repos(store.db).retention.listAlarms()).map(alarmView);
    },
    async openAlarmList(actor) {
      await requirePermission(audit, actor, 'org.read', 'retention.alarms.open', 'retention_alarm', '*');
      return (await repos(store.db).retention.openAlarms()).map(alarmView);
    },
    async runNow(actor) {
      await requirePermission(audit, actor, 'recording.manage', 'retention.run', 'retention', 'job');
      return tick();
    },
    tick,
    diskFull() {
      if (!reserve) return safeTick();
      void reserve
        .release()
        .then((freed) => {
          if (freed > 0) log.warn({ freed }, 'disk full under a database write: released the database space reserve');
        })
        .catch((err: unknown) => log.warn({ err }, 'releasing the space reserve failed'))
        .finally(safeTick);
    },
    start() {
      if (handle !== undefined) return;
      handle = timer.setInterval(safeTick, RETENTION_INTERVAL_MS);
      watchHandle = timer.setInterval(watch, SPACE_WATCH_INTERVAL_MS);
      safeTick();
    },
    async idle() {
      await watching;
      await ticking;
    },
    async stop() {
      if (handle !== undefined) timer.clearInterval(handle);
      if (watchHandle !== undefined) timer.clearInterval(watchHandle);
      handle = undefined;
      watchHandle = undefined;
      await watching;
      await ticking;
      await backups.idle();
    },
  };
}

export type { DiskMeter, DiskSpace } from './disk.ts';
export { quotaMeter, statfsMeter } from './disk.ts';
export type { Forecast } from './forecast.ts';
export type { HoldView } from './holds.ts';
export type { RecordingGate, RetentionAlarmEvent, RetentionRunReport } from './retention-job.ts';
export type { RetentionSettings } from './settings.ts';
