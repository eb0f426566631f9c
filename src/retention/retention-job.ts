// The retention job (docs/design/retention.md, R-RET-1, R-FN-2): finishes leftover garbage,
// deletes expired unlocked recordings, frees space under disk pressure (oldest non-exam first),
// and when only locked data is left holds off recording that no window requires, with an alarm.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { FileStore } from '../recording/file-store.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { FileMeta } from '../store/repos/recording-repo.ts';
import type { Clock } from '../util/clock.ts';
import type { DiskMeter } from './disk.ts';
import type { ExamHold } from './locks.ts';
import { LOCK_MARGIN_MS, LockSet } from './locks.ts';
import { loadSettings, thresholdBytes } from './settings.ts';
import type { SpaceReserve } from './space-reserve.ts';
import { reserveBytesFor } from './space-reserve.ts';

const DAY_MS = 86_400_000;
const PAGE = 500;
const BATCH = 50;
/** At most this many files per pass and cause: a huge backlog is worked off over several passes. */
const MAX_PER_PASS = 20_000;
/** Recording resumes when free space is back above the threshold by this factor (no flapping). */
export const RESUME_FACTOR = 1.25;
export const DISK_PRESSURE = 'disk_pressure';
/** A recording write failed for lack of space (one alarm per episode, cleared when space is back). */
export const DISK_FULL = 'disk_full';

/** What retention needs of the recording manager: hold off recording no schedule requires. */
export interface RecordingGate {
  setUnscheduledVeto(reason: string | undefined): void;
}

export interface RetentionAlarmEvent {
  alarmId: number;
  kind: string;
  atMs: number;
  freeBytes: number;
  thresholdBytes: number;
  message: string;
}

export class RetentionAlarms extends EventEmitter<{ 'alarm.raised': [RetentionAlarmEvent]; 'alarm.cleared': [RetentionAlarmEvent]; 'retention.error': [unknown] }> {}

export interface RetentionJobDeps {
  store: Store;
  files: FileStore;
  clock: Clock;
  audit: AuditService;
  log: Logger;
  meter: DiskMeter;
  /** Every exam hold, expired or not (exams.windows.retentionHolds(0)). */
  examHolds: () => Promise<ExamHold[]>;
  gate?: RecordingGate;
  alarms: RetentionAlarms;
  /** Space kept for the database on the data disk; released first when the disk is full. */
  reserve?: SpaceReserve;
}

export interface RetentionRunReport {
  garbageFinished: number;
  expired: { files: number; bytes: number };
  pressure: { files: number; bytes: number };
  freeBytes: number;
  thresholdBytes: number;
  /** True when only locked data is left and unscheduled recording is held off. */
  pressureStop: boolean;
  /** A recording write had failed for lack of space when the pass began. */
  diskFull: boolean;
}

export class RetentionJob {
  private running?: Promise<RetentionRunReport>;

  constructor(private readonly deps: RetentionJobDeps) {}

  /** One pass; concurrent callers share the pass in progress. */
  runOnce(): Promise<RetentionRunReport> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async locks(nowMs = this.deps.clock.nowMs()): Promise<LockSet> {
    return LockSet.build(await this.deps.examHolds(), await repos(this.deps.store.db).retention.activeHolds(), nowMs);
  }

  private async pass(): Promise<RetentionRunReport> {
    const { store, clock, meter, files, reserve, log } = this.deps;
    // Disk full: free the reserve first, so that the deletions below (database commits) can run.
    const diskFull = files.diskFull?.() ?? false;
    let first = await meter.measure();
    const reserveBytes = reserveBytesFor(first.totalBytes);
    if (reserve && (diskFull || first.freeBytes < reserveBytes)) {
      const freed = await reserve.release();
      if (freed > 0) log.warn({ freed, freeBytes: first.freeBytes }, 'disk full: released the database space reserve to delete recordings');
      first = await meter.measure();
    }
    if (diskFull) await this.diskFullAlarm(true, first.freeBytes);
    const garbageFinished = await this.finishGarbage();
    const settings = await loadSettings(store.db);
    const now = clock.nowMs();
    const locks = await this.locks(now);

    const expiredFiles = await this.scan(locks, () => true, Infinity, now - settings.defaultDays * DAY_MS);
    const expired = await this.remove(expiredFiles, 'expired');

    let space = await meter.measure();
    const threshold = thresholdBytes(space, settings);
    const pressure = { files: 0, bytes: 0 };
    while (space.freeBytes < threshold) {
      const need = threshold - space.freeBytes;
      // Non-exam recordings first, then recordings of exams whose retention has expired.
      let pick = await this.scan(locks, (f) => !locks.isExam(f), need);
      if (pick.length === 0) pick = await this.scan(locks, (f) => locks.isExam(f), need);
      if (pick.length === 0) break;
      const done = await this.remove(pick, 'disk-pressure');
      if (done.files === 0) break;
      pressure.files += done.files;
      pressure.bytes += done.bytes;
      space = await meter.measure();
    }
    const pressureStop = await this.applyPressure(space.freeBytes, threshold, locks);
    // Space back (above the threshold, or enough for recording inside required windows while only
    // locked data is left): recorders may start again, the reserve is written again.
    if (space.freeBytes >= Math.min(threshold, 4 * reserveBytes)) {
      if (files.diskFull?.()) {
        files.spaceReturned?.();
        log.info({ freeBytes: space.freeBytes, thresholdBytes: threshold }, 'disk space back: recording may resume');
      }
      await this.diskFullAlarm(false, space.freeBytes);
      if (reserve && space.freeBytes >= reserveBytes * 2) await reserve.ensure(reserveBytes);
    }
    return { garbageFinished, expired, pressure, freeBytes: space.freeBytes, thresholdBytes: threshold, pressureStop, diskFull };
  }

  /** One 'disk_full' alarm per episode: raised when a write failed for lack of space, cleared when space is back. */
  private async diskFullAlarm(full: boolean, freeBytes: number): Promise<void> {
    const { store, audit, clock, log, alarms } = this.deps;
    const open = await repos(store.db).retention.openAlarm(DISK_FULL);
    const now = clock.nowMs();
    if (full && !open) {
      const message = `录像磁盘已满：正在删除可删除的录像以恢复空间 (recording disk full: deleting unlocked recordings to get space back; ${freeBytes} bytes free)`;
      const alarmId = await store.db.transaction().execute(async (trx) => {
        const id = await repos(trx).retention.insertAlarm({ kind: DISK_FULL, raised_at_ms: now, cleared_at_ms: null, free_bytes: freeBytes, threshold_bytes: 0, detail: JSON.stringify({ message }) });
        await audit.append(trx, SYSTEM_ACTOR, { action: 'retention.disk-full', objectType: 'retention_alarm', objectId: id, outcome: 'error', detail: { freeBytes, message } });
        return id;
      });
      log.error({ freeBytes, alarmId }, 'DISK FULL: recording writes failed for lack of space');
      alarms.emit('alarm.raised', { alarmId, kind: DISK_FULL, atMs: now, freeBytes, thresholdBytes: 0, message });
    } else if (!full && open) {
      const message = `录像磁盘空间已恢复 (recording disk has space again; ${freeBytes} bytes free)`;
      await store.db.transaction().execute(async (trx) => {
        await repos(trx).retention.clearAlarm(open.id, now);
        await audit.append(trx, SYSTEM_ACTOR, { action: 'retention.disk-space-back', objectType: 'retention_alarm', objectId: open.id, detail: { freeBytes } });
      });
      log.info({ freeBytes }, 'disk full over');
      alarms.emit('alarm.cleared', { alarmId: open.id, kind: DISK_FULL, atMs: now, freeBytes, thresholdBytes: 0, message });
    }
  }

  /** Rows already moved to the garbage list whose file was not unlinked yet (a crash between steps). */
  async finishGarbage(): Promise<number> {
    const r = repos(this.deps.store.db).recordings;
    let n = 0;
    for (const g of await r.garbage()) {
      await this.deps.files.remove(g.rel_path);
      await r.removeGarbage(g.id);
      n++;
    }
    return n;
  }

  /** Unlocked closed files oldest first, filtered, until `needBytes` are collected. */
  private async scan(locks: LockSet, keep: (f: FileMeta) => boolean, needBytes: number, endBeforeMs?: number): Promise<FileMeta[]> {
    const r = repos(this.deps.store.db).recordings;
    const out: FileMeta[] = [];
    let bytes = 0;
    let after: { startMs: number; id: number } | undefined;
    for (;;) {
      const page = await r.closedFilesPage(PAGE, after, endBeforeMs);
      for (const f of page) {
        if (locks.isLocked(f) || !keep(f)) continue;
        out.push(f);
        bytes += Number(f.bytes);
        if (bytes >= needBytes || out.length >= MAX_PER_PASS) return out;
      }
      if (page.length < PAGE) return out;
      const last = page[page.length - 1];
      after = { startMs: Number(last.start_ms), id: last.id };
    }
  }

  /** Row + garbage entry in one transaction (locks re-checked there), then unlink, then garbage row. */
  private async remove(files: FileMeta[], cause: 'expired' | 'disk-pressure'): Promise<{ files: number; bytes: number }> {
    const { store, audit, clock, log } = this.deps;
    const total = { files: 0, bytes: 0 };
    for (let i = 0; i < files.length; i += BATCH) {
      const chunk = files.slice(i, i + BATCH);
      const now = clock.nowMs();
      const deleted = await store.db.transaction().execute(async (trx) => {
        const r = repos(trx);
        const locked = await r.retention.lockedFileIds(chunk, now, LOCK_MARGIN_MS);
        if (locked.size > 0) log.warn({ files: [...locked] }, 'retention: files became locked while the job ran; kept');
        const ok = chunk.filter((f) => !locked.has(f.id));
        if (ok.length === 0) return ok;
        await r.recordings.moveFilesToGarbage(ok, now);
        await audit.append(trx, SYSTEM_ACTOR, {
          action: 'retention.delete',
          objectType: 'recording_file',
          objectId: cause,
          detail: { cause, files: ok.length, bytes: ok.reduce((n, f) => n + Number(f.bytes), 0), cameras: [...new Set(ok.map((f) => f.camera_id))], fromMs: Math.min(...ok.map((f) => Number(f.start_ms))), toMs: Math.max(...ok.map((f) => Number(f.end_ms))), paths: ok.map((f) => f.rel_path) },
        });
        return ok;
      });
      const rec = repos(store.db).recordings;
      for (const f of deleted) {
        await this.deps.files.remove(f.rel_path);
        await rec.removeGarbagePath(f.rel_path);
        total.files++;
        total.bytes += Number(f.bytes);
      }
    }
    if (total.files > 0) log.info({ cause, ...total }, 'retention deleted recordings');
    return total;
  }

  /** Engages or lifts the hold-off of unscheduled recording, with its alarm row and event. */
  private async applyPressure(freeBytes: number, threshold: number, locks: LockSet): Promise<boolean> {
    const { store, audit, clock, log, gate, alarms } = this.deps;
    const open = await repos(store.db).retention.openAlarm(DISK_PRESSURE);
    const now = clock.nowMs();
    if (freeBytes < threshold || (open && freeBytes < threshold * RESUME_FACTOR)) {
      gate?.setUnscheduledVeto('disk-pressure');
      if (open) return true;
      const message = `磁盘空间不足且只剩锁定录像：已停止非必需录像 (disk full of locked recordings: recording outside required windows stopped; ${freeBytes} bytes free, threshold ${threshold})`;
      const detail = { message, locks: locks.all().length, heldOff: gate ? 'cameras outside required windows' : 'no recording manager attached' };
      const alarmId = await store.db.transaction().execute(async (trx) => {
        const id = await repos(trx).retention.insertAlarm({ kind: DISK_PRESSURE, raised_at_ms: now, cleared_at_ms: null, free_bytes: freeBytes, threshold_bytes: threshold, detail: JSON.stringify(detail) });
        await audit.append(trx, SYSTEM_ACTOR, { action: 'retention.pressure-stop', objectType: 'retention_alarm', objectId: id, outcome: 'error', detail: { freeBytes, thresholdBytes: threshold, message } });
        return id;
      });
      log.error({ freeBytes, threshold, alarmId }, 'DISK PRESSURE: only locked recordings left; recording outside required windows stopped');
      alarms.emit('alarm.raised', { alarmId, kind: DISK_PRESSURE, atMs: now, freeBytes, thresholdBytes: threshold, message });
      return true;
    }
    if (open) {
      gate?.setUnscheduledVeto(undefined);
      const message = `磁盘空间已恢复，恢复录像 (disk space back: recording resumed; ${freeBytes} bytes free)`;
      await store.db.transaction().execute(async (trx) => {
        await repos(trx).retention.clearAlarm(open.id, now);
        await audit.append(trx, SYSTEM_ACTOR, { action: 'retention.pressure-resume', objectType: 'retention_alarm', objectId: open.id, detail: { freeBytes, thresholdBytes: threshold } });
      });
      log.warn({ freeBytes, threshold }, 'disk pressure over: recording resumed');
      alarms.emit('alarm.cleared', { alarmId: open.id, kind: DISK_PRESSURE, atMs: now, freeBytes, thresholdBytes: threshold, message });
    }
    return false;
  }
}
