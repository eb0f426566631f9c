// Periodic health reports kept on disk (issue 19 item 3; R-FN-3, R-FLT-1, R-ORG-2): after each
// Beijing day, week (Monday 00:00) and month (the 1st, 00:00) the node writes the report of the period that ended —
// PDF and Excel, with each level's rates averaged over the period and the period's exam recording
// completeness (period-figures.ts) — for its whole tree and for every site and level below it that has anything
// reported (a level whose only branch is one node repeats that node's figures and is not written
// again). Files live in `<dataDir>/reports/ledger/` with a JSON sidecar each; a person sees the
// reports of the nodes in their scope, downloads them (audited) and can make one on demand.
// The clock is injected: `runDue()` is what the timer calls, and what tests call.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { renderHealthReports } from './report-render.ts';
import { lastPeriod } from './period-figures.ts';
import type { PeriodFigures, ReportPeriod } from './period-figures.ts';
import type { RollupRow, RollupView } from './rollup.ts';
import type { ReportedTicketView } from './upward.ts';

export type ScheduledPeriod = 'day' | 'week' | 'month';
const SCHEDULED: readonly ScheduledPeriod[] = ['day', 'week', 'month'];

export interface StoredReport {
  id: string;
  period: ScheduledPeriod;
  label: string;
  fromMs: number;
  toMs: number;
  nodeId: number;
  nodeName: string;
  nodeKind: string;
  generatedAtMs: number;
  /** 'schedule' or the user who asked for it. */
  origin: 'schedule' | 'request';
  by: string;
  sites: number;
  tickets: number;
  bytes: { pdf: number; xlsx: number };
}

export interface ReportArchiveDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  dataDir?: string;
  rollupView: (actor: Actor) => Promise<RollupView>;
  reported: (actor: Actor) => Promise<{ tickets: ReportedTicketView[] }>;
  /** Each site's figures of the period by GB code: averages from the health history, exam completeness. */
  periods: (actor: Actor, kind: ScheduledPeriod, period: ReportPeriod) => Promise<Record<string, PeriodFigures>>;
  /** Days a report is kept, per period. */
  keepDays: Record<ScheduledPeriod, number>;
}

const ID = /^(day|week|month)-\d{8}-n\d+(-r\d+)?$/;
const ymd = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
const scheduledId = (kind: ScheduledPeriod, period: ReportPeriod, nodeId: number) => `${kind}-${ymd(period.fromMs)}-n${nodeId}`;

export class ReportArchive {
  private running?: Promise<void>;
  /** Periods whose scheduled pass completed in this process (`<kind>:<fromMs>`). */
  private readonly passed = new Set<string>();

  constructor(private readonly d: ReportArchiveDeps) {}

  private get dir(): string {
    if (!this.d.dataDir) throw new AppError('conflict', '本节点未配置数据目录，无法保存报告 (no data directory)');
    return join(this.d.dataDir, 'reports', 'ledger');
  }

  /** Writes the reports of the last full day, week and month if not written yet, and drops expired ones. Never throws. */
  runDue(): Promise<void> {
    this.running ??= this.due()
      .catch((err: unknown) => this.d.log.warn({ err }, '设备运行报告定时生成失败 (scheduled health report failed)'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves when no scheduled pass is running (stop). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async due(): Promise<void> {
    if (!this.d.dataDir) return;
    const now = this.d.clock.nowMs();
    const have = await this.readAll();
    const todo: Array<{ kind: ScheduledPeriod; period: ReportPeriod; nodeId: number }> = [];
    const passes: string[] = [];
    for (const kind of SCHEDULED) {
      const period = lastPeriod(kind, now);
      const pass = `${kind}:${period.fromMs}`;
      if (this.passed.has(pass)) continue;
      passes.push(pass);
      for (const row of reportTargets((await this.d.rollupView(SYSTEM_ACTOR)).tree)) {
        if (!have.some((r) => r.id === scheduledId(kind, period, Number(row.key)))) todo.push({ kind, period, nodeId: Number(row.key) });
      }
    }
    const written = await this.write(SYSTEM_ACTOR, todo, 'schedule');
    for (const p of passes) this.passed.add(p);
    for (const kind of SCHEDULED) {
      const mine = written.filter((r) => r.period === kind);
      if (mine.length > 0) this.d.log.info({ period: kind, fromMs: mine[0]!.fromMs, reports: mine.length }, `设备运行${mine[0]!.label}已生成 (scheduled health reports written)`);
    }
    for (const r of have) {
      if (r.toMs < now - this.d.keepDays[r.period] * 86_400_000) await this.drop(r.id);
    }
  }

  /** One report of the last full day, week or month for a node in the actor's scope, kept and listed. Audited. */
  async generate(actor: Actor, kind: ScheduledPeriod, nodeId?: number): Promise<StoredReport> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.report.generate', 'org_node', nodeId ?? '*');
    const org = repos(this.d.store.db).org;
    const node = nodeId === undefined ? (await org.list(actor.scope))[0] : await org.get(actor.scope, nodeId);
    if (!node) return denyOutOfScope(this.d.audit, actor, 'ledger.report.generate', 'org_node', nodeId ?? '*');
    const period = lastPeriod(kind, this.d.clock.nowMs());
    const [r] = await this.write(actor, [{ kind, period, nodeId: node.id }], 'request', actor.username);
    await this.d.audit.record(actor, { action: 'ledger.report.generate', objectType: 'org_node', objectId: node.id, scopePath: node.path, detail: { id: r.id, period: kind, fromMs: period.fromMs, toMs: period.toMs } });
    return r;
  }

  /** Reports of the nodes in the actor's scope, newest first. */
  async list(actor: Actor): Promise<StoredReport[]> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.report.list', 'org_node', '*');
    const inScope = new Set((await repos(this.d.store.db).org.list(actor.scope)).map((n) => n.id));
    return (await this.readAll()).filter((r) => inScope.has(r.nodeId)).sort((a, b) => b.generatedAtMs - a.generatedAtMs || a.nodeName.localeCompare(b.nodeName, 'zh'));
  }

  /** One file of a report in the actor's scope (404 otherwise). Audited `ledger.report.download`. */
  async file(actor: Actor, id: string, ext: 'pdf' | 'xlsx'): Promise<{ name: string; bytes: Buffer }> {
    const r = ID.test(id) ? (await this.list(actor)).find((x) => x.id === id) : undefined;
    if (!r) return denyOutOfScope(this.d.audit, actor, 'ledger.report.download', 'ledger_report', id);
    const bytes = await readFile(join(this.dir, `${id}.${ext}`));
    const node = await repos(this.d.store.db).org.get(actor.scope, r.nodeId);
    await this.d.audit.record(actor, { action: 'ledger.report.download', objectType: 'ledger_report', objectId: id, scopePath: node?.path, detail: { format: ext, period: r.period, fromMs: r.fromMs, nodeId: r.nodeId } });
    return { name: `${id}.${ext}`, bytes };
  }

  /** Renders each report of a node's subtree (as `actor` sees it, narrowed to that node) in one worker and keeps them. */
  private async write(actor: Actor, todo: ReadonlyArray<{ kind: ScheduledPeriod; period: ReportPeriod; nodeId: number }>, origin: StoredReport['origin'], by = 'system'): Promise<StoredReport[]> {
    const org = repos(this.d.store.db).org;
    const jobs: Array<{ meta: Omit<StoredReport, 'id' | 'generatedAtMs' | 'bytes'>; view: RollupView; tickets: ReportedTicketView[]; periods: Record<string, PeriodFigures> }> = [];
    for (const { kind, period, nodeId } of todo) {
      const node = await org.get(SYSTEM_ACTOR.scope, nodeId);
      if (!node) throw new AppError('not_found', '节点不存在 (node not found)');
      const scoped: Actor = { ...actor, scope: { kind: 'subtree', path: node.path } };
      const [view, { tickets }, periods] = await Promise.all([this.d.rollupView(scoped), this.d.reported(scoped), this.d.periods(scoped, kind, period)]);
      jobs.push({ meta: { period: kind, label: period.label, fromMs: period.fromMs, toMs: period.toMs, nodeId, nodeName: node.name, nodeKind: node.kind, origin, by, sites: view.tree[0]?.sites ?? 0, tickets: tickets.length }, view, tickets, periods });
    }
    const files = await renderHealthReports(jobs.map((j, i) => ({ title: j.meta.nodeName, view: j.view, tickets: j.tickets, period: todo[i]!.period, periods: j.periods })));
    const generatedAtMs = this.d.clock.nowMs();
    const out: StoredReport[] = [];
    if (files.length > 0) await mkdir(this.dir, { recursive: true });
    for (const [i, j] of jobs.entries()) {
      const f = files[i]!;
      const id = `${scheduledId(j.meta.period, todo[i]!.period, j.meta.nodeId)}${origin === 'request' ? `-r${generatedAtMs}` : ''}`;
      const r: StoredReport = { id, ...j.meta, generatedAtMs, bytes: { pdf: f.pdf.length, xlsx: f.xlsx.length } };
      await writeFile(join(this.dir, `${id}.pdf`), f.pdf);
      await writeFile(join(this.dir, `${id}.xlsx`), f.xlsx);
      await writeFile(join(this.dir, `${id}.json`), JSON.stringify(r)); // last: a report is listed only when both files are there
      out.push(r);
    }
    return out;
  }

  private async drop(id: string): Promise<void> {
    for (const ext of ['json', 'pdf', 'xlsx']) await rm(join(this.dir, `${id}.${ext}`), { force: true });
    this.d.log.info({ id }, '过期设备运行报告已删除 (expired health report removed)');
  }

  private async readAll(): Promise<StoredReport[]> {
    if (!this.d.dataDir) return [];
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: StoredReport[] = [];
    for (const n of names.filter((x) => x.endsWith('.json') && ID.test(x.slice(0, -5)))) {
      try {
        out.push(JSON.parse(await readFile(join(this.dir, n), 'utf8')) as StoredReport);
      } catch (err) {
        this.d.log.warn({ err, file: n }, '设备运行报告索引无法读取，已跳过 (unreadable report sidecar skipped)');
      }
    }
    return out;
  }
}

/**
 * The nodes a scheduled report is written for: this node's top level, every site, and every level
 * with more than one branch (one with a single branch repeats that branch's figures).
 */
export function reportTargets(tree: readonly RollupRow[]): RollupRow[] {
  const out: RollupRow[] = [];
  const walk = (r: RollupRow, top: boolean) => {
    if (/^\d+$/.test(r.key) && (top || r.kind === 'site' || (r.children?.length ?? 0) > 1)) out.push(r);
    for (const c of r.children ?? []) walk(c, false);
  };
  for (const r of tree) walk(r, true);
  return out;
}
