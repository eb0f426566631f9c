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
import { CsvError, decodeText, parseCsv, serializeCsv } from './csv.ts';
import { buildExportTable, exportWidths } from './export-rows.ts';
import { applyPlan } from './import-apply.ts';
import { planImport } from './import-plan.ts';
import type { ImportProblem } from './rows.ts';
import { parseRows } from './rows.ts';
import { readXlsx, writeXlsx } from './xlsx.ts';

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
  ) {}

  async export(actor: Actor, format: TransferFormat): Promise<Buffer> {
    await requirePermission(this.audit, actor, 'org.read', 'org.export', 'org_node', '*');
    const { records, counts } = await buildExportTable(repos(this.store.db), actor.scope);
    const data = format === 'xlsx' ? await writeXlsx(records, exportWidths()) : serializeCsv(records);
    await this.audit.record(actor, { action: 'org.export', objectType: 'org_node', objectId: '*', scopePath: actorPath(actor), detail: { format, ...counts } });
    return data;
  }

  async import(actor: Actor, format: TransferFormat, data: Buffer): Promise<{ created: number; updated: number }> {
    await requirePermission(this.audit, actor, 'org.write', 'org.import', 'org_node', '*');
    const table = await this.readTable(format, data);
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
    let result: { rows: string[][]; problems: ImportProblem[] };
    if (format === 'xlsx') result = await readXlsx(data, MAX_IMPORT_ROWS);
    else {
      try {
        result = { rows: parseCsv(decodeText(data).text), problems: [] };
      } catch (err) {
        if (err instanceof CsvError) throw invalid([{ row: err.row, message: err.message }]);
        throw err;
      }
    }
    if (result.rows.length - 1 > MAX_IMPORT_ROWS) throw new AppError('invalid_input', `数据超过 ${MAX_IMPORT_ROWS} 行 (more than ${MAX_IMPORT_ROWS} rows)`);
    return result;
  }
}
