// Export jobs (R-DIS-4, R-SEC-9): created with the export permission and a stated purpose, run in
// the background one at a time, listed with progress, cancellable; downloads need a media token
// and every one is audited.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { inScope } from '../auth/actor.ts';
import type { Client } from '../auth/auth-service.ts';
import { actorPath, requirePermission } from '../auth/guard.ts';
import type { FileStore } from '../recording/file-store.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { WorkLimits } from '../util/work-limiter.ts';
import { runExport } from './export-job.ts';
import type { ExportSpec } from './export-job.ts';
import type { PlaybackIndex } from './index-view.ts';
import type { MediaTokens } from './tokens.ts';

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface ExportJob {
  id: string;
  status: ExportStatus;
  progress: number;
  cameraIds: number[];
  fromMs: number;
  toMs: number;
  purpose: string;
  watermark: boolean;
  createdBy: string;
  createdAtMs: number;
  finishedAtMs?: number;
  error?: string;
  files: Array<{ name: string; bytes: number }>;
  scopePath: string;
}

const MAX_RANGE_MS = 24 * 3600_000;

export class ExportService {
  private readonly jobs = new Map<string, ExportJob>();
  private readonly specs = new Map<string, ExportSpec>();
  private readonly aborts = new Map<string, AbortController>();
  private chain: Promise<void> = Promise.resolve();
  /** Users whose creation passed the bounds check and awaits its job row (one entry per request). */
  private readonly reserved: string[] = [];

  constructor(
    private readonly deps: { store: Store; audit: AuditService; clock: Clock; files: FileStore; index: PlaybackIndex; log: Logger; dir: string; manifestKey: Buffer; tokens: MediaTokens<{ exportId: string }>; limits?: WorkLimits },
  ) {
    mkdirSync(deps.dir, { recursive: true });
    for (const name of readdirSync(deps.dir).filter((n) => n.endsWith('.job.json'))) {
      const job = JSON.parse(readFileSync(path.join(deps.dir, name), 'utf8')) as ExportJob;
      if (job.status === 'queued' || job.status === 'running') Object.assign(job, { status: 'failed', error: '服务重启，导出中断 (interrupted by a restart)' });
      this.jobs.set(job.id, job);
    }
  }

  /** approvedRequest: made on a request a leader or administrator approved (issue 14 item 6; the
   * request service checked that): the requester has no video.export of their own. */
  async create(actor: Actor, input: { cameraIds: number[]; fromMs: number; toMs: number; purpose?: string; watermark?: boolean }, approvedRequest?: number): Promise<ExportJob> {
    const object = input.cameraIds.join(',');
    if (approvedRequest === undefined) await requirePermission(this.deps.audit, actor, 'video.export', 'export.create', 'camera', object);
    const purpose = (input.purpose ?? '').trim();
    if (purpose.length < 4) {
      await this.deps.audit.record(actor, { action: 'export.create', objectType: 'camera', objectId: object, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'no purpose stated', fromMs: input.fromMs, toMs: input.toMs } });
      throw new AppError('invalid_input', '导出录像须填写用途（至少4个字） (state the purpose of the export)');
    }
    if (input.toMs <= input.fromMs || input.toMs - input.fromMs > MAX_RANGE_MS) throw new AppError('invalid_input', '导出时段须大于0且不超过24小时 (range must be positive and at most 24 h)');
    if (input.cameraIds.length === 0 || input.cameraIds.length > 16) throw new AppError('invalid_input', '请选择1到16路摄像机 (1 to 16 cameras)');
    // Checked and reserved in one synchronous step: requests sent at once cannot all pass the
    // check while the first still awaits the database (they did on PostgreSQL, issue 13 item 9).
    this.checkBounds(actor);
    this.reserved.push(actor.username);
    let job: ExportJob;
    let cams;
    try {
      const r = repos(this.deps.store.db);
      cams = [];
      for (const id of input.cameraIds) {
        const cam = await r.cameras.get(actor.scope, id);
        if (!cam) {
          await this.deps.audit.record(actor, { action: 'export.create', objectType: 'camera', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
          throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
        }
        cams.push(cam);
      }
      const now = this.deps.clock.nowMs();
      job = { id: randomUUID(), status: 'queued', progress: 0, cameraIds: input.cameraIds, fromMs: input.fromMs, toMs: input.toMs, purpose, watermark: input.watermark ?? false, createdBy: actor.username, createdAtMs: now, files: [], scopePath: cams[0].site_path };
      await this.deps.audit.record(actor, { action: 'export.create', objectType: 'camera', objectId: object, scopePath: job.scopePath, detail: { exportId: job.id, cameras: cams.map((c) => c.gb_code), fromMs: job.fromMs, toMs: job.toMs, purpose, watermark: job.watermark } });
    } finally {
      // The job (set just below, with no await in between) counts from now on; or the request failed.
      this.reserved.splice(this.reserved.indexOf(actor.username), 1);
    }
    this.jobs.set(job.id, job);
    this.specs.set(job.id, { id: job.id, cameras: cams.map((c) => ({ id: c.id, gbCode: c.gb_code, name: c.name })), fromMs: job.fromMs, toMs: job.toMs, purpose, watermark: job.watermark, actor, createdAtMs: job.createdAtMs });
    await this.save(job);
    this.chain = this.chain.then(() => this.run(job.id));
    return job;
  }

  /** Unfinished (queued or running) jobs per user and in total (config exports.*, issue 13 item 9): 429 over either. */
  private checkBounds(actor: Actor): void {
    const limits = this.deps.limits ?? { maxPerUser: 2, maxTotal: 8 };
    const open = [...this.jobs.values()].filter((j) => j.status === 'queued' || j.status === 'running').map((j) => j.createdBy).concat(this.reserved);
    if (open.filter((user) => user === actor.username).length >= limits.maxPerUser) {
      throw new AppError('too_many_requests', `录像导出任务过多：每个用户最多同时 ${limits.maxPerUser} 个未完成，请等待完成后再试 (too many unfinished exports for this user)`);
    }
    if (open.length >= limits.maxTotal) throw new AppError('too_many_requests', `服务器繁忙：未完成的录像导出任务已达 ${limits.maxTotal} 个，请稍后再试 (too many unfinished exports)`);
  }

  private async run(id: string): Promise<void> {
    const job = this.jobs.get(id)!;
    const spec = this.specs.get(id)!;
    if (job.status !== 'queued') return;
    const abort = new AbortController();
    this.aborts.set(id, abort);
    job.status = 'running';
    const dir = path.join(this.deps.dir, id);
    try {
      await mkdir(dir, { recursive: true });
      const manifest = await runExport(spec, { store: this.deps.store, files: this.deps.files, index: this.deps.index, manifestKey: this.deps.manifestKey, nowMs: () => this.deps.clock.nowMs() }, dir, (p) => (job.progress = Math.min(1, p)), abort.signal);
      job.files = [...manifest.files.map((f) => ({ name: f.name, bytes: f.bytes })), { name: 'manifest.json', bytes: 0 }, { name: 'manifest.sig', bytes: 0 }];
      job.status = 'done';
      await this.deps.audit.record(spec.actor, { action: 'export.done', objectType: 'export', objectId: id, scopePath: job.scopePath, detail: { files: manifest.files } });
    } catch (err) {
      job.status = abort.signal.aborted ? 'cancelled' : 'failed';
      job.error = abort.signal.aborted ? undefined : (err as Error).message;
      if (!abort.signal.aborted) this.deps.log.error({ err, exportId: id }, 'export failed');
      await rm(dir, { recursive: true, force: true });
    } finally {
      job.finishedAtMs = this.deps.clock.nowMs();
      this.aborts.delete(id);
      this.specs.delete(id);
      await this.save(job);
    }
  }

  private async visible(actor: Actor, id: string, action: string): Promise<ExportJob> {
    await requirePermission(this.deps.audit, actor, 'video.export', action, 'export', id);
    const job = this.jobs.get(id);
    if (!job || !inScope(actor.scope, job.scopePath)) {
      await this.deps.audit.record(actor, { action, objectType: 'export', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
      throw new AppError('not_found', '导出任务不存在或不在您的管辖范围内 (no such export in your scope)');
    }
    return job;
  }

  async list(actor: Actor): Promise<ExportJob[]> {
    await requirePermission(this.deps.audit, actor, 'video.export', 'export.list', 'export', '*');
    return [...this.jobs.values()].filter((j) => inScope(actor.scope, j.scopePath)).sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  get(actor: Actor, id: string): Promise<ExportJob> {
    return this.visible(actor, id, 'export.get');
  }

  async cancel(actor: Actor, id: string): Promise<ExportJob> {
    const job = await this.visible(actor, id, 'export.cancel');
    if (job.status === 'queued') job.status = 'cancelled';
    this.aborts.get(id)?.abort();
    await this.deps.audit.record(actor, { action: 'export.cancel', objectType: 'export', objectId: id, scopePath: job.scopePath });
    await this.save(job);
    return job;
  }

  async downloadToken(actor: Actor, sessionId: string, id: string): Promise<{ token: string; expiresAtMs: number }> {
    const job = await this.visible(actor, id, 'export.download');
    return this.issueDownload(actor, sessionId, job);
  }

  /** The requester's download of an export made on their approved request (issue 14 item 6). */
  async approvedDownloadToken(requester: Actor, sessionId: string, id: string): Promise<{ token: string; expiresAtMs: number }> {
    const job = this.jobs.get(id);
    if (!job || !inScope(requester.scope, job.scopePath)) throw new AppError('not_found', '导出任务不存在或不在您的管辖范围内 (no such export in your scope)');
    return this.issueDownload(requester, sessionId, job);
  }

  /** The job of an approved request, read without video.export (status for the requester). */
  approvedJob(id: string): ExportJob | undefined {
    return this.jobs.get(id);
  }

  private issueDownload(actor: Actor, sessionId: string, job: ExportJob): { token: string; expiresAtMs: number } {
    const id = job.id;
    if (job.status !== 'done') throw new AppError('conflict', '导出尚未完成 (export not finished)');
    return this.deps.tokens.issue(actor, sessionId, job.cameraIds, { exportId: id });
  }

  /** Redeems a download token: the folder to send (all files, or one), audited. */
  async download(token: string, client: Client, id: string, file?: string, format: 'tar' | 'zip' = 'tar'): Promise<{ dir: string; names: string[] }> {
    const redeemed = await this.deps.tokens.redeem(token, client);
    const job = this.jobs.get(id);
    if (!redeemed || redeemed.extra.exportId !== id || !job || job.status !== 'done') throw new AppError('unauthorized', '下载令牌无效或已过期 (invalid or expired download token)');
    const dir = path.join(this.deps.dir, id);
    const names = (await readdir(dir)).sort();
    if (file !== undefined && !names.includes(file)) throw new AppError('not_found', '没有这个文件 (no such file)');
    await this.deps.audit.record(redeemed.actor, { action: 'export.download', objectType: 'export', objectId: id, scopePath: job.scopePath, detail: { file: file ?? `(all, ${format})`, purpose: job.purpose } });
    return { dir, names: file ? [file] : names };
  }

  async close(): Promise<void> {
    for (const a of this.aborts.values()) a.abort();
    await this.chain.catch(() => undefined);
  }

  /** For tests and the benchmark: resolves when queued jobs have finished. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async save(job: ExportJob): Promise<void> {
    await writeFile(path.join(this.deps.dir, `${job.id}.job.json`), JSON.stringify(job));
  }
}
