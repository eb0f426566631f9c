// Exams, their sessions and participating sites/rooms (R-REC-1). An exam belongs to the node that
// created it; only users whose scope holds that node change it. Every change re-derives the
// affected windows and schedules and is audited in the same transaction.
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor, Scope } from '../auth/actor.ts';
import { inScope } from '../auth/actor.ts';
import { Denied, outOfScope, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { ExamRow, ExamSessionRow } from '../store/repos/exam-repo.ts';
import type { Repos } from '../store/repos/index.ts';
import { repos } from '../store/repos/index.ts';
import type { Database, ExamKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { actorNodeId, requireExamPermission } from './permissions.ts';
import type { ExamView, SessionView } from './views.ts';
import { examView, sessionView } from './views.ts';
import { syncSession } from './window-sync.ts';
import { stoppingConflict, windowsStoppedBy } from './removal-check.ts';
import { DEFAULT_RETENTION_DAYS, MIN_NATIONAL_RETENTION_DAYS, isNational } from './windows.ts';

export interface ExamInput { name: string; kind: ExamKind; ownerNodeId?: number; retentionDays?: number }
export interface SessionInput { subject: string; startMs: number; endMs: number }
export interface SiteSelection { siteId: number; roomIds?: number[] }

const MAX_SESSION_MS = 12 * 3600_000;

export function checkSession(s: SessionInput): string | undefined {
  if (!(s.endMs > s.startMs)) return '结束时间必须晚于开始时间 (end must be after start)';
  if (s.endMs - s.startMs > MAX_SESSION_MS) return '单场考试不能超过12小时 (a session lasts at most 12 h)';
  return undefined;
}

function checkRetention(kind: ExamKind, days: number): void {
  if (isNational(kind) && days < MIN_NATIONAL_RETENTION_DAYS) throw new AppError('invalid_input', `国家教育考试录像至少保存${MIN_NATIONAL_RETENTION_DAYS}天 (national exams keep recordings at least 180 days, R-RET-1)`, { field: 'retentionDays' });
}

export class ExamService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor): Promise<ExamView[]> {
    // report.read too: an inspector picks the exam whose report to read (issue 14 item 16).
    await requireExamPermission(this.audit, actor, ['exam.read', 'report.read'], 'exam.list', 'exam', '*');
    const r = repos(this.store.db);
    const out: ExamView[] = [];
    for (const e of await r.exams.listExams(actor.scope)) out.push(await this.view(r, e, actor.scope));
    return out;
  }

  async get(actor: Actor, id: number): Promise<ExamView> {
    await requireExamPermission(this.audit, actor, ['exam.read', 'report.read'], 'exam.read', 'exam', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const e = await r.exams.getExam(actor.scope, id);
      if (!e) throw outOfScope('exam.read', 'exam', id);
      return this.view(r, e, actor.scope);
    });
  }

  async create(actor: Actor, input: ExamInput): Promise<ExamView> {
    await requireExamPermission(this.audit, actor, 'exam.write', 'exam.create', 'exam', input.name);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const ownerId = input.ownerNodeId ?? actorNodeId(actor);
      if (ownerId === undefined) throw new AppError('invalid_input', '请指定考试所属机构 (ownerNodeId required)', { field: 'ownerNodeId' });
      const owner = await r.org.get(actor.scope, ownerId);
      if (!owner) throw outOfScope('exam.create', 'org_node', ownerId);
      const days = input.retentionDays ?? DEFAULT_RETENTION_DAYS;
      checkRetention(input.kind, days);
      const now = this.clock.nowMs();
      const name = input.name.trim();
      const id = await r.exams.insertExam({ name, kind: input.kind, owner_node_id: owner.id, retention_days: days, created_by: actor.username, created_at_ms: now, updated_at_ms: now });
      await this.audit.append(trx, actor, { action: 'exam.create', objectType: 'exam', objectId: id, scopePath: owner.path, detail: { name, kind: input.kind, retentionDays: days } });
      return this.view(r, (await r.exams.getExam({ kind: 'all' }, id))!, actor.scope);
    });
  }

  async update(actor: Actor, id: number, input: { name?: string; kind?: ExamKind; retentionDays?: number }): Promise<ExamView> {
    return this.write(actor, 'exam.update', id, async (r, trx, e) => {
      const kind = input.kind ?? e.kind;
      const days = input.retentionDays ?? e.retention_days;
      checkRetention(kind, days);
      await r.exams.updateExam(id, { name: input.name?.trim(), kind, retention_days: days, updated_at_ms: this.clock.nowMs() });
      await this.audit.append(trx, actor, { action: 'exam.update', objectType: 'exam', objectId: id, scopePath: e.owner_path, detail: { before: { name: e.name, kind: e.kind, retentionDays: e.retention_days }, after: input } });
      return this.view(r, (await r.exams.getExam({ kind: 'all' }, id))!, actor.scope);
    });
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await this.write(actor, 'exam.delete', id, async (r, trx, e) => {
      for (const s of await r.exams.sessionsOf(id)) await this.assertNotBegun(r, s);
      await r.exams.deleteExam(id);
      await this.audit.append(trx, actor, { action: 'exam.delete', objectType: 'exam', objectId: id, scopePath: e.owner_path, detail: { name: e.name } });
    });
  }

  /** Replaces the participating sites (and optional room selection per site), re-arming every session. */
  /** `confirm`: removing rooms whose recording window is open is refused (409) without it (issue 14 item 11). */
  async setSites(actor: Actor, id: number, sites: SiteSelection[], confirm = false): Promise<ExamView> {
    return this.write(actor, 'exam.sites', id, async (r, trx, e) => {
      const siteIds: number[] = [];
      const roomIds: number[] = [];
      for (const sel of sites) {
        const site = await r.org.get(actor.scope, sel.siteId);
        if (!site) throw outOfScope('exam.sites', 'org_node', sel.siteId);
        if (site.kind !== 'site' || !site.path.startsWith(e.owner_path)) throw new AppError('invalid_input', `“${site.name}”不是本考试所属机构下的考点 (not an exam site under the exam's node)`, { siteId: sel.siteId });
        siteIds.push(site.id);
        for (const roomId of sel.roomIds ?? []) {
          const room = await r.rooms.get(actor.scope, roomId);
          if (!room || room.site_id !== site.id || (room.kind !== 'exam' && room.kind !== 'lab')) throw new AppError('invalid_input', `房间 ${roomId} 不是该考点的考场 (not an exam room of the site)`, { siteId: site.id, roomId });
          roomIds.push(roomId);
        }
      }
      const stopping = await windowsStoppedBy(r, id, [...new Set(siteIds)], [...new Set(roomIds)], this.clock.nowMs());
      if (stopping.length > 0 && !confirm) throw stoppingConflict(stopping);
      await r.exams.setSites(id, [...new Set(siteIds)], [...new Set(roomIds)]);
      const synced = await this.syncAll(r, id, actor.username);
      const stopped = stopping.map((w) => ({ windowId: w.windowId, room: `${w.siteName} ${w.roomName}`, subject: w.subject }));
      await this.audit.append(trx, actor, { action: 'exam.sites', objectType: 'exam', objectId: id, scopePath: e.owner_path, detail: { sites: siteIds, rooms: roomIds, ...synced, ...(stopped.length ? { stopped } : {}) } });
      return this.view(r, e, actor.scope);
    });
  }

  /** Re-derives windows and schedules of every session (after rooms or cameras were added). */
  async recompute(actor: Actor, id: number): Promise<{ windows: number; schedules: number }> {
    return this.write(actor, 'exam.recompute', id, async (r, trx, e) => {
      const synced = await this.syncAll(r, id, actor.username);
      await this.audit.append(trx, actor, { action: 'exam.recompute', objectType: 'exam', objectId: id, scopePath: e.owner_path, detail: synced });
      return synced;
    });
  }

  async createSessions(actor: Actor, examId: number, inputs: SessionInput[], action = 'exam.session.create'): Promise<SessionView[]> {
    return this.write(actor, action, examId, async (r, trx, e) => {
      const out: SessionView[] = [];
      for (const input of inputs) {
        const problem = checkSession(input);
        if (problem) throw new AppError('invalid_input', problem);
        const now = this.clock.nowMs();
        const sid = await r.exams.insertSession({ exam_id: examId, subject: input.subject.trim(), start_ms: input.startMs, end_ms: input.endMs, created_at_ms: now, updated_at_ms: now });
        const synced = await syncSession(r, sid, now, actor.username);
        await this.audit.append(trx, actor, { action, objectType: 'exam_session', objectId: sid, scopePath: e.owner_path, detail: { examId, ...input, ...synced } });
        out.push(sessionView((await r.exams.getSession(sid))!));
      }
      return out;
    });
  }

  async updateSession(actor: Actor, sessionId: number, input: Partial<SessionInput>): Promise<SessionView> {
    const examId = await this.examIdOf(actor, sessionId, 'exam.session.update');
    return this.write(actor, 'exam.session.update', examId, async (r, trx, e) => {
      const s = (await r.exams.getSession(sessionId))!;
      const next = { subject: input.subject?.trim() ?? s.subject, startMs: input.startMs ?? s.start_ms, endMs: input.endMs ?? s.end_ms };
      const problem = checkSession(next);
      if (problem) throw new AppError('invalid_input', problem);
      const now = this.clock.nowMs();
      await r.exams.updateSession(sessionId, { subject: next.subject, start_ms: next.startMs, end_ms: next.endMs, updated_at_ms: now });
      const synced = await syncSession(r, sessionId, now, actor.username);
      await this.audit.append(trx, actor, { action: 'exam.session.update', objectType: 'exam_session', objectId: sessionId, scopePath: e.owner_path, detail: { before: { subject: s.subject, startMs: s.start_ms, endMs: s.end_ms }, after: next, ...synced } });
      return sessionView((await r.exams.getSession(sessionId))!);
    });
  }

  async deleteSession(actor: Actor, sessionId: number): Promise<void> {
    const examId = await this.examIdOf(actor, sessionId, 'exam.session.delete');
    await this.write(actor, 'exam.session.delete', examId, async (r, trx, e) => {
      const s = (await r.exams.getSession(sessionId))!;
      await this.assertNotBegun(r, s);
      await r.exams.deleteSession(sessionId);
      await this.audit.append(trx, actor, { action: 'exam.session.delete', objectType: 'exam_session', objectId: sessionId, scopePath: e.owner_path, detail: { examId, subject: s.subject, startMs: s.start_ms, endMs: s.end_ms } });
    });
  }

  private async examIdOf(actor: Actor, sessionId: number, action: string): Promise<number> {
    await requireExamPermission(this.audit, actor, 'exam.write', action, 'exam_session', sessionId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const s = await r.exams.getSession(sessionId);
      if (!s || !(await r.exams.getExam(actor.scope, s.exam_id))) throw outOfScope(action, 'exam_session', sessionId);
      return s.exam_id;
    });
  }

  private async write<T>(actor: Actor, action: string, examId: number, fn: (r: Repos, trx: Kysely<Database>, e: ExamRow) => Promise<T>): Promise<T> {
    await requireExamPermission(this.audit, actor, 'exam.write', action, 'exam', examId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const e = await r.exams.getExam(actor.scope, examId);
      if (!e) throw outOfScope(action, 'exam', examId);
      if (!inScope(actor.scope, e.owner_path)) {
        throw new Denied({ action, objectType: 'exam', objectId: examId, detail: { reason: 'exam owned by a node outside the scope' } }, 'forbidden', '只有考试所属机构可以修改考试 (only the exam’s own node may change it)');
      }
      return fn(r, trx, e);
    });
  }

  private async assertNotBegun(r: Repos, s: ExamSessionRow): Promise<void> {
    const windows = await r.exams.rawWindowsOfSession(s.id);
    const first = Math.min(s.start_ms, ...windows.map((w) => w.start_ms));
    if (first <= this.clock.nowMs()) throw new AppError('conflict', `场次“${s.subject}”的录像时段已开始，不能删除 (its required window has begun)`);
  }

  private async syncAll(r: Repos, examId: number, by: string): Promise<{ windows: number; schedules: number }> {
    const total = { windows: 0, schedules: 0 };
    for (const s of await r.exams.sessionsOf(examId)) {
      const n = await syncSession(r, s.id, this.clock.nowMs(), by);
      total.windows += n.windows;
      total.schedules += n.schedules;
    }
    return total;
  }

  /** Sites outside the caller's scope stay hidden, even in an exam the caller may see. */
  private async view(r: Repos, e: ExamRow, scope: Scope): Promise<ExamView> {
    const sites = (await r.exams.sitesOf(e.id)).filter((s) => inScope(scope, s.path));
    return examView(e, sites, await r.exams.selectedRoomsOf(e.id), await r.exams.sessionsOf(e.id));
  }
}
