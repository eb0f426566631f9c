// Backups of required-window recordings (R-RET-2, R-SEC-9, docs/design/retention.md): which files,
// copying with SHA-256 verification, per-file state so that a restart resumes where it stopped,
// progress, and the report. Creation, completion and verification are audited (R-ACC-1).
import type { Insertable } from 'kysely';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR, inScope } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { FileStore } from '../recording/file-store.ts';
import { LOCK_MARGIN_MS } from '../retention/locks.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { BackupRow } from '../store/repos/retention-repo.ts';
import type { BackupItemTable } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { BackupTarget } from './target.ts';
import { itemKey, reportKey } from './target.ts';
import { backupView, buildReport } from './views.ts';
import type { BackupReport, BackupView } from './views.ts';

export interface BackupRequest {
  examId?: number;
  sessionId?: number;
  cameraIds?: number[];
  fromMs: number;
  toMs: number;
}

export interface BackupDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  files: FileStore;
  log: Logger;
  /** Root of the backup target for new backups; undefined = backups not configured. */
  backupDir?: string;
  /** The target at a stored root (LocalDirTarget unless a test or an S3 target says otherwise). */
  targetFor: (root: string) => BackupTarget;
}

function commonPrefix(paths: string[]): string {
  if (paths.length === 0) return '/';
  let p = paths[0];
  for (const q of paths) while (!q.startsWith(p)) p = p.slice(0, p.slice(0, -1).lastIndexOf('/') + 1);
  return p || '/';
}

export class BackupService {
  private readonly runs = new Map<number, Promise<void>>();

  constructor(private readonly deps: BackupDeps) {}

  get configured(): boolean {
    return this.deps.backupDir !== undefined;
  }

  /** Creates a backup of the files of the selection and starts copying them (not awaited). */
  async create(actor: Actor, req: BackupRequest): Promise<BackupView> {
    await requirePermission(this.deps.audit, actor, 'recording.manage', 'backup.create', 'backup', '*');
    const root = this.deps.backupDir;
    if (!root) throw new AppError('conflict', '未配置备份目录 (no backup target: set XUNCHA_BACKUP_DIR)');
    if (!(req.toMs > req.fromMs)) throw new AppError('invalid_input', '结束时间必须晚于开始时间 (toMs must be after fromMs)', { field: 'toMs' });
    if (req.examId === undefined && req.sessionId === undefined && !req.cameraIds?.length) throw new AppError('invalid_input', '请指定考试、场次或摄像机 (give examId, sessionId or cameraIds)');
    const id = await runAudited(this.deps.store, this.deps.audit, actor, async (trx) => {
      const r = repos(trx);
      let spans: Array<{ cameraId: number; fromMs: number; toMs: number }>;
      if (req.examId !== undefined || req.sessionId !== undefined) {
        spans = (await r.retention.windowSpans({ examId: req.examId, sessionId: req.sessionId })).map((w) => ({ cameraId: w.camera_id, fromMs: Number(w.start_ms) - LOCK_MARGIN_MS, toMs: Number(w.end_ms) + LOCK_MARGIN_MS }));
        if (req.cameraIds?.length) spans = spans.filter((s) => req.cameraIds!.includes(s.cameraId));
      } else spans = req.cameraIds!.map((cameraId) => ({ cameraId, fromMs: req.fromMs, toMs: req.toMs }));
      const paths = await r.retention.cameraPaths([...new Set(spans.map((s) => s.cameraId))]);
      const visible = spans.filter((s) => paths.has(s.cameraId) && inScope(actor.scope, paths.get(s.cameraId)!));
      if (visible.length === 0) throw outOfScope('backup.create', 'backup', req.sessionId ?? req.examId ?? req.cameraIds!.join(','));
      const files = new Map<number, Insertable<BackupItemTable>>();
      let skippedOpen = 0;
      for (const s of visible) {
        for (const f of await r.recordings.filesBetween(s.cameraId, Math.max(s.fromMs, req.fromMs), Math.min(s.toMs, req.toMs))) {
          if (f.status !== 'closed') {
            skippedOpen++;
            continue;
          }
          files.set(f.id, { backup_id: 0, camera_id: f.camera_id, rel_path: f.rel_path, start_ms: f.start_ms, end_ms: f.end_ms, bytes: f.bytes, sha256: null, state: 'pending', error: null, done_at_ms: null });
        }
      }
      const items = [...files.values()].sort((a, b) => Number(a.start_ms) - Number(b.start_ms));
      const now = this.deps.clock.nowMs();
      const scopePath = commonPrefix([...new Set(visible.map((s) => paths.get(s.cameraId)!))]);
      const backupId = await r.retention.insertBackup({
        exam_id: req.examId ?? null,
        session_id: req.sessionId ?? null,
        camera_ids: req.cameraIds ? JSON.stringify(req.cameraIds) : null,
        from_ms: req.fromMs,
        to_ms: req.toMs,
        target: root,
        state: 'running',
        total_files: items.length,
        total_bytes: items.reduce((n, i) => n + Number(i.bytes), 0),
        scope_path: scopePath,
        created_by: actor.username,
        created_at_ms: now,
        finished_at_ms: null,
        verified_at_ms: null,
        verify_ok: null,
        report: null,
      });
      await r.retention.insertItems(items.map((i) => ({ ...i, backup_id: backupId })));
      await this.deps.audit.append(trx, actor, { action: 'backup.create', objectType: 'backup', objectId: backupId, scopePath, detail: { ...req, files: items.length, bytes: items.reduce((n, i) => n + Number(i.bytes), 0), skippedOpen, target: root } });
      return backupId;
    });
    void this.run(id).catch((err: unknown) => this.deps.log.error({ err, backupId: id }, 'backup failed'));
    return this.get(SYSTEM_ACTOR, id);
  }

  /** Copies and verifies what is not verified yet; `maxItems` stops early (tests: a half-done backup). */
  run(id: number, opts: { maxItems?: number } = {}): Promise<void> {
    const current = this.runs.get(id);
    if (current) return current;
    const p = this.copy(id, opts.maxItems ?? Infinity).finally(() => this.runs.delete(id));
    this.runs.set(id, p);
    return p;
  }

  /** Continues every backup left running (after a restart). */
  async resumeAll(): Promise<void> {
    for (const id of await repos(this.deps.store.db).retention.runningBackupIds()) await this.run(id);
  }

  /** Waits for copies in progress (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.runs.values()]);
  }

  private async copy(id: number, maxItems: number): Promise<void> {
    const r = repos(this.deps.store.db).retention;
    const row = await r.getBackup({ kind: 'all' }, id);
    if (!row || row.state !== 'running') return;
    const target = this.deps.targetFor(row.target);
    let done = 0;
    for (const item of await r.items(id)) {
      if (item.state === 'verified' || item.state === 'failed') continue;
      if (done >= maxItems) return;
      done++;
      const key = itemKey(id, item.rel_path);
      try {
        // A copy made before a crash is checked, not copied again.
        if (item.state === 'copied' && item.sha256) {
          const d = await target.digest(key);
          if (d && d.sha256 === item.sha256 && d.bytes === Number(item.bytes)) {
            await r.updateItem(item.id, { state: 'verified', done_at_ms: this.deps.clock.nowMs(), error: null });
            continue;
          }
        }
        if ((await this.deps.files.size(item.rel_path)) === undefined) {
          await r.updateItem(item.id, { state: 'failed', error: 'source file missing', done_at_ms: this.deps.clock.nowMs() });
          continue;
        }
        const put = await target.put(key, this.deps.files.absolute(item.rel_path), Number(item.bytes));
        await r.updateItem(item.id, { state: 'copied', sha256: put.sha256, bytes: put.bytes });
        const back = await target.digest(key);
        if (back && back.sha256 === put.sha256 && back.bytes === put.bytes) await r.updateItem(item.id, { state: 'verified', done_at_ms: this.deps.clock.nowMs(), error: null });
        else await r.updateItem(item.id, { state: 'failed', error: back ? 'copy differs from source (SHA-256)' : 'copy vanished after writing', done_at_ms: this.deps.clock.nowMs() });
      } catch (err) {
        this.deps.log.warn({ err, backupId: id, file: item.rel_path }, 'backup copy failed');
        await r.updateItem(item.id, { state: 'failed', error: (err as Error).message.slice(0, 500), done_at_ms: this.deps.clock.nowMs() });
      }
    }
    await this.finish(row, target);
  }

  private async finish(row: BackupRow, target: BackupTarget): Promise<void> {
    const items = await repos(this.deps.store.db).retention.items(row.id);
    const now = this.deps.clock.nowMs();
    const failed = items.filter((i) => i.state === 'failed').length;
    const report = buildReport({ ...row, state: failed ? 'failed' : 'done', finished_at_ms: now }, items, target);
    const text = JSON.stringify(report, null, 2);
    await target.putText(reportKey(row.id), text);
    await this.deps.store.db.transaction().execute(async (trx) => {
      await repos(trx).retention.updateBackup(row.id, { state: failed ? 'failed' : 'done', finished_at_ms: now, report: text });
      await this.deps.audit.append(trx, SYSTEM_ACTOR, { action: 'backup.complete', objectType: 'backup', objectId: row.id, outcome: failed ? 'error' : 'ok', scopePath: row.scope_path, detail: { files: items.length, failed, bytes: report.totalBytes, createdBy: row.created_by } });
    });
    if (failed) this.deps.log.error({ backupId: row.id, failed }, 'backup finished with failed files');
  }

  /** Backs up sessions whose windows all ended before `beforeMs` (and after `sinceMs`) and have none yet. */
  async autoBackup(sinceMs: number, beforeMs: number): Promise<number[]> {
    if (!this.configured) return [];
    const created: number[] = [];
    for (const sessionId of await repos(this.deps.store.db).retention.sessionsToBackUp(sinceMs, beforeMs)) {
      const spans = await repos(this.deps.store.db).retention.windowSpans({ sessionId });
      if (spans.length === 0) continue;
      const fromMs = Math.min(...spans.map((s) => Number(s.start_ms))) - LOCK_MARGIN_MS;
      const toMs = Math.max(...spans.map((s) => Number(s.end_ms))) + LOCK_MARGIN_MS;
      created.push((await this.create(SYSTEM_ACTOR, { sessionId, fromMs, toMs })).id);
    }
    return created;
  }

  async get(actor: Actor, id: number): Promise<BackupView> {
    await requirePermission(this.deps.audit, actor, 'recording.manage', 'backup.read', 'backup', id);
    const r = repos(this.deps.store.db).retention;
    const row = await r.getBackup(actor.scope, id);
    if (!row) throw new AppError('not_found', '备份不存在或不在您的管辖范围内 (backup not found in your scope)');
    return backupView(row, await r.items(id));
  }

  async list(actor: Actor): Promise<BackupView[]> {
    await requirePermission(this.deps.audit, actor, 'recording.manage', 'backup.read', 'backup', '*');
    const r = repos(this.deps.store.db).retention;
    const rows = await r.listBackups(actor.scope);
    return Promise.all(rows.map(async (row) => backupView(row, await r.items(row.id))));
  }

  async report(actor: Actor, id: number): Promise<BackupReport> {
    const v = await this.get(actor, id);
    const row = (await repos(this.deps.store.db).retention.getBackup(actor.scope, id))!;
    if (row.report) return JSON.parse(row.report) as BackupReport;
    return buildReport(row, await repos(this.deps.store.db).retention.items(v.id), this.deps.targetFor(row.target));
  }
}
