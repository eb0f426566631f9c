// Import and export of the organisation (nodes, rooms, cameras) as CSV or Excel (R-ORG-2 device
// archive). Scope-filtered (R-SEC-4), no network configuration in exports (R-SEC-6), both ways
// permission-checked and audited (R-SEC-7). An import is all-or-nothing: every row is checked
// first and all problems are reported together; only a clean file is written, in one transaction.
import type { AuditService } from '../../audit/audit-service.ts';
import type { Actor } from '../../auth/actor.ts';
import { actorPath, requirePermission, runAudited } from '../../auth/guard.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { EventBus } from '../../events/bus.ts';
import type { Store } from '../../store/db.ts';
import { repos } from '../../store/repos/index.ts';
import type { Clock } from '../../util/clock.ts';
import { AppError } from '../../util/errors.ts';
import { runInWorker } from '../../util/worker-run.ts';
import { WorkLimiter } from '../../util/work-limiter.ts';
import type { WorkLimits } from '../../util/work-limiter.ts';
import { FILE_JOBS_URL, readTable, writeTable } from './file-jobs.ts';
import type { ReadTableResult } from './file-jobs.ts';
import { buildExportTable, exportWidths } from './export-rows.ts';
import { applyPlan } from './import-apply.ts';
import { planImport } from './import-plan.ts';
import type { ImportProblem } from './rows.ts';
import { parseRows } from './rows.ts';

export type TransferFormat = 'csv' | 'xlsx';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;

/** Thrown inside the transaction so that it rolls back; turned into `import_invalid` outside. */
class ImportRejected extends Error {
  constructor(
    readonly problems: ImportProblem[],
    readonly outOfScopeRows: number[],
  ) {
    super('import rejected');
  }
}

function invalid(problems: ImportProblem[]): AppError {
  const sorted = [...problems].sort((a, b) => a.row - b.row);
  const rows = new Set(sorted.map((p) => p.row)).size;
  return new AppError('import_invalid', `导入失败：${rows} 行有错误 (import failed)`, sorted);
}

export class OrgTransferService {
  constructor(
    readonly store: Store,
    readonly audit: AuditService,
    readonly box: SecretBox,
    readonly clock: Clock,
    readonly events?: EventBus,
    limits: WorkLimits = { maxPerUser: 2, maxTotal: 4 },
  ) {
    this.limiter = new WorkLimiter(limits, '组织机构导入导出');
  }

  /** Exports and imports running at once, per user and in total (config reports.*). */
  readonly limiter: WorkLimiter;
  /** Exports of at least this many rows, and imports of at least this many bytes, run in a worker thread. */
  workerMinRows = 2000;
  workerMinBytes = 256 * 1024;

  async export(actor: Actor, format: TransferFormat): Promise<Buffer> {
    await requirePermission(this.audit, actor, 'org.read', 'org.export', 'org_node', '*');
    const { records, counts } = await buildExportTable(repos(this.store.db), actor.scope);
    const input = { format, records: records.map((r) => [...r]), widths: [...exportWidths()] };
    // Large trees are written in a worker thread and bounded per user and in total (issue 13 item 9).
    const data = await this.limiter.run(String(actor.userId), () =>
      records.length >= this.workerMinRows ? runInWorker<Buffer>(FILE_JOBS_URL, 'writeTable', input) : writeTable(input),
    );
    await this.audit.record(actor, { action: 'org.export', objectType: 'org_node', objectId: '*', scopePath: actorPath(actor), detail: { format, ...counts } });
    return data;
  }

  async import(actor: Actor, format: TransferFormat, data: Buffer): Promise<{ created: number; updated: number }> {
    await requirePermission(this.audit, actor, 'org.write', 'org.import', 'org_node', '*');
    const table = await this.limiter.run(String(actor.userId), () => this.readTable(format, data));
    const parsed = parseRows(table.rows);
    const problems = [...table.problems, ...parsed.problems];
    // A bad header makes every row meaningless: report it alone.
    if (problems.some((p) => p.row === 1)) throw invalid(problems.filter((p) => p.row === 1));
    const badRows = new Set(problems.map((p) => p.row));
    const allCodes = parsed.rows.flatMap((r) => (r.gbCode ? [r.gbCode] : []));
    try {
      const done = await runAudited(this.store, this.audit, actor, async (trx) => {
        const r = repos(trx);
        const plan = await planImport(r, actor, parsed.rows, badRows);
        if (problems.length > 0 || plan.problems.length > 0) throw new ImportRejected([...problems, ...plan.problems], plan.outOfScopeRows);
        const result = await applyPlan(r, this.box, plan.plans, allCodes, this.clock.nowMs());
        await this.audit.append(trx, actor, { action: 'org.import', objectType: 'org_node', objectId: '*', scopePath: actorPath(actor), detail: { format, rows: parsed.rows.length, ...result } });
        return { created: result.created, updated: result.updated };
      });
      this.events?.emit('org.changed', { kind: 'import', change: 'updated' }); // after the commit
      return done;
    } catch (err) {
      if (!(err instanceof ImportRejected)) throw err;
      // Trying to reach objects outside one's scope is recorded, without the rejected values.
      if (err.outOfScopeRows.length > 0) {
        await this.audit.record(actor, { action: 'org.import', objectType: 'org_node', objectId: '*', outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope', rows: err.outOfScopeRows } });
      }
      throw invalid(err.problems);
    }
  }

  private async readTable(format: TransferFormat, data: Buffer): Promise<{ rows: string[][]; problems: ImportProblem[] }> {
    if (data.length > MAX_IMPORT_BYTES) throw new AppError('invalid_input', `文件超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB (file larger than 5 MB)`);
    if (data.length === 0) throw new AppError('invalid_input', '文件为空 (empty file)');
    const input = { format, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), maxRows: MAX_IMPORT_ROWS };
    // Large files are parsed in a worker thread (issue 13 item 9).
    const read = data.length >= this.workerMinBytes ? await runInWorker<ReadTableResult>(FILE_JOBS_URL, 'readTable', input) : await readTable(input);
    if ('csvError' in read) throw invalid([read.csvError]);
    if ('invalid' in read) throw new AppError('invalid_input', read.invalid);
    const result = read;
    if (result.rows.length - 1 > MAX_IMPORT_ROWS) throw new AppError('invalid_input', `数据超过 ${MAX_IMPORT_ROWS} 行 (more than ${MAX_IMPORT_ROWS} rows)`);
    return result;
  }
}
