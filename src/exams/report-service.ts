// Completeness report of an exam (R-REC-4, R-CITY-3): per session × room × camera the required
// window, what the recording runs cover of it and every gap; rolled up per site, district and
// city. Only rooms in the caller's scope appear. Exports are audited (R-ACC-1).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { outOfScope, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { Repos } from '../store/repos/index.ts';
import { repos } from '../store/repos/index.ts';
import type { ExamKind, RoomKind, RoomWindowKind, WindowBoundSource } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import type { Coverage } from './coverage.ts';
import { coverageOf } from './coverage.ts';
import { lineState } from './labels.ts';
import { requireExamPermission } from './permissions.ts';
import type { SessionView } from './views.ts';
import { sessionView } from './views.ts';

export interface ReportLine extends Coverage {
  sessionId: number;
  subject: string;
  siteId: number;
  siteName: string;
  districtId: number | null;
  districtName: string;
  cityId: number | null;
  cityName: string;
  roomId: number;
  roomName: string;
  roomKind: RoomKind;
  windowKind: RoomWindowKind;
  endSource: WindowBoundSource;
  cameraId: number | null;
  cameraName: string;
}

export interface Rollup {
  level: 'site' | 'district' | 'city';
  nodeId: number;
  name: string;
  cameras: number;
  requiredMs: number;
  recordedMs: number;
  coverage: number;
  /** Lowest coverage of any camera × window below this node. */
  worstCoverage: number;
  gaps: number;
  gapMs: number;
}

export interface ExamReport {
  exam: { id: number; name: string; kind: ExamKind; retentionDays: number };
  sessions: SessionView[];
  generatedAtMs: number;
  /** Made while a window was still running: its figures will change (marked 临时 in the exports). */
  provisional: boolean;
  lines: ReportLine[];
  rollups: Rollup[];
}

export class ReportService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async build(actor: Actor, examId: number, sessionId?: number): Promise<ExamReport> {
    await requireExamPermission(this.audit, actor, 'report.read', 'exam.report', 'exam', examId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const exam = await r.exams.getExam(actor.scope, examId);
      if (!exam) throw outOfScope('exam.report', 'exam', examId);
      const sessions = (await r.exams.sessionsOf(examId)).filter((s) => sessionId === undefined || s.id === sessionId);
      if (sessionId !== undefined && sessions.length === 0) throw outOfScope('exam.report', 'exam_session', sessionId);
      const now = this.clock.nowMs();
      const windows = await r.exams.windowsOf(actor.scope, { examId, sessionId });
      const cameras = await r.exams.camerasOfRooms([...new Set(windows.map((w) => w.room_id))]);
      const names = new Map<number, { name: string; kind: string }>();
      const lines: ReportLine[] = [];
      for (const w of windows) {
        const ancestors = await this.ancestors(r, w.site_path, names);
        const base = { sessionId: w.session_id, subject: w.subject, siteId: w.site_id, siteName: w.site_name, districtId: ancestors.district?.id ?? null, districtName: ancestors.district?.name ?? '', cityId: ancestors.city?.id ?? null, cityName: ancestors.city?.name ?? '', roomId: w.room_id, roomName: w.room_name, roomKind: w.room_kind, windowKind: w.kind, endSource: w.end_source };
        const win = { startMs: w.start_ms, endMs: w.end_ms };
        const cams = cameras.filter((c) => c.room_id === w.room_id);
        if (cams.length === 0) lines.push({ ...base, cameraId: null, cameraName: '（无摄像机）', ...coverageOf(win, [], now, { noCamera: true }) });
        for (const c of cams) {
          const runs = await r.recordings.runsBetween(c.id, w.start_ms, w.end_ms);
          const intervals = runs.map((run) => ({ startMs: run.started_at_ms, endMs: run.ended_at_ms, endReason: run.end_reason }));
          lines.push({ ...base, cameraId: c.id, cameraName: c.name, ...coverageOf(win, intervals, now) });
        }
      }
      return { exam: { id: exam.id, name: exam.name, kind: exam.kind, retentionDays: exam.retention_days }, sessions: sessions.map(sessionView), generatedAtMs: now, provisional: lines.some((l) => lineState(l, now) === 'running'), lines, rollups: rollupsOf(lines) };
    });
  }

  /** Audits an export of the report (Excel or PDF) and returns the report. */
  async forExport(actor: Actor, examId: number, sessionId: number | undefined, format: 'xlsx' | 'pdf'): Promise<ExamReport> {
    const report = await this.build(actor, examId, sessionId);
    const exam = await repos(this.store.db).exams.getExam({ kind: 'all' }, examId);
    await this.audit.record(actor, { action: 'exam.report.export', objectType: 'exam', objectId: examId, scopePath: actor.scope.kind === 'all' ? exam?.owner_path : actor.scope.path, detail: { format, sessionId: sessionId ?? null, lines: report.lines.length } });
    return report;
  }

  private async ancestors(r: Repos, sitePath: string, cache: Map<number, { name: string; kind: string }>): Promise<{ district?: { id: number; name: string }; city?: { id: number; name: string } }> {
    const out: { district?: { id: number; name: string }; city?: { id: number; name: string } } = {};
    for (const id of sitePath.split('/').filter(Boolean).map(Number)) {
      if (!cache.has(id)) {
        const n = await r.org.get({ kind: 'all' }, id);
        cache.set(id, { name: n?.name ?? String(id), kind: n?.kind ?? '' });
      }
      const n = cache.get(id)!;
      if (n.kind === 'district') out.district = { id, name: n.name };
      if (n.kind === 'city') out.city = { id, name: n.name };
    }
    return out;
  }
}

/** Sums per site, district and city; worst coverage is the lowest camera × window below the node. */
export function rollupsOf(lines: readonly ReportLine[]): Rollup[] {
  const by = new Map<string, Rollup>();
  const add = (level: Rollup['level'], nodeId: number, name: string, l: ReportLine) => {
    const key = `${level}:${nodeId}`;
    const u = by.get(key) ?? { level, nodeId, name, cameras: 0, requiredMs: 0, recordedMs: 0, coverage: 1, worstCoverage: 1, gaps: 0, gapMs: 0 };
    u.cameras++;
    u.requiredMs += l.requiredMs;
    u.recordedMs += l.recordedMs;
    if (l.requiredMs > 0) u.worstCoverage = Math.min(u.worstCoverage, l.coverage); // a window not started yet is not 100 %
    u.gaps += l.gaps.length;
    u.gapMs += l.requiredMs - l.recordedMs;
    u.coverage = u.requiredMs > 0 ? u.recordedMs / u.requiredMs : 1;
    by.set(key, u);
  };
  for (const l of lines) {
    add('site', l.siteId, l.siteName, l);
    if (l.districtId !== null) add('district', l.districtId, l.districtName, l);
    if (l.cityId !== null) add('city', l.cityId, l.cityName, l);
  }
  const order = { city: 0, district: 1, site: 2 };
  return [...by.values()].sort((x, y) => order[x.level] - order[y.level] || x.name.localeCompare(y.name, 'zh'));
}
