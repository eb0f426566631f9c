// Required windows per session × room (R-REC-2, R-REC-3): listing, 已封门, custody events, edits and
// per-site defaults. Scoped by the room's site, so a site administrator handles its own rooms in
// an exam owned by the province. Every change re-arms the session's schedules in the same
// transaction and is audited there.
import type { Updateable } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { outOfScope, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { WindowDetailRow } from '../store/repos/exam-repo.ts';
import type { Repos } from '../store/repos/index.ts';
import { repos } from '../store/repos/index.ts';
import type { RoomWindowTable } from '../store/schema.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { requireExamPermission } from './permissions.ts';
import type { WindowView } from './views.ts';
import { windowView } from './views.ts';
import { armSession, settingsOf, syncSession } from './window-sync.ts';
import type { WindowDefaults } from './windows.ts';
import { isNational } from './windows.ts';

export type CustodyEvent = 'arrived' | 'left';
export interface RetentionHold { cameraId: number; examId: number; fromMs: number; toMs: number; keepUntilMs: number }

const DAY_MS = 86_400_000;

export class WindowService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, f: { examId?: number; sessionId?: number; siteId?: number }): Promise<WindowView[]> {
    await requireExamPermission(this.audit, actor, 'exam.read', 'exam.windows', 'exam_session', f.sessionId ?? f.examId ?? '*');
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      let examId = f.examId;
      if (f.sessionId !== undefined) {
        const s = await r.exams.getSession(f.sessionId);
        if (!s) throw outOfScope('exam.windows', 'exam_session', f.sessionId);
        examId = s.exam_id;
      }
      if (examId !== undefined && !(await r.exams.getExam(actor.scope, examId))) throw outOfScope('exam.windows', 'exam', examId);
      return (await r.exams.windowsOf(actor.scope, { ...f, examId })).map(windowView);
    });
  }

  /** 已封门: the exam room's window ends now; allowed once the session has ended (R-REC-2). */
  async markSealed(actor: Actor, sessionId: number, roomId: number): Promise<WindowView> {
    return this.change(actor, 'exam.window.seal', sessionId, roomId, async (w, now, r) => {
      if (w.kind !== 'exam') throw new AppError('invalid_input', '只有考场需要封门；试卷保管房间请记录试卷到达/离开 (only exam rooms are sealed)');
      if (w.end_source === 'sealed') throw new AppError('conflict', `该考场已于 ${formatBeijing(w.sealed_at_ms ?? 0)} 由 ${w.sealed_by ?? ''} 封门 (already sealed)`);
      const session = (await r.exams.getSession(sessionId))!;
      if (now < session.end_ms) throw new AppError('conflict', '考试尚未结束，不能封门 (the session has not ended yet)');
      return { end_ms: now, end_source: 'sealed' as const, sealed_by: actor.username, sealed_at_ms: now };
    });
  }

  /** Papers arrived (window starts now) or left (window ends now) a custody room (R-REC-3). */
  async custodyEvent(actor: Actor, sessionId: number, roomId: number, event: CustodyEvent): Promise<WindowView> {
    return this.change(actor, `exam.custody.${event}`, sessionId, roomId, (w, now) => {
      if (w.kind !== 'custody') throw new AppError('invalid_input', '只有考务室和试卷保密室记录试卷到达/离开 (custody events are for affairs/secrecy rooms)');
      if (event === 'arrived') {
        if (now >= w.end_ms) throw new AppError('conflict', '该时段已结束 (the window has ended)');
        return Promise.resolve({ start_ms: now, start_source: 'custody' as const });
      }
      if (now <= w.start_ms) throw new AppError('conflict', '试卷尚未到达 (papers have not arrived yet)');
      return Promise.resolve({ end_ms: now, end_source: 'custody' as const });
    });
  }

  /** A person moves a window's bounds (audited; kept across recomputation). */
  async edit(actor: Actor, windowId: number, input: { startMs?: number; endMs?: number }): Promise<WindowView> {
    await requireExamPermission(this.audit, actor, 'exam.write', 'exam.window.edit', 'room_window', windowId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const w = await r.exams.getWindow(actor.scope, windowId);
      if (!w) throw outOfScope('exam.window.edit', 'room_window', windowId);
      const start = input.startMs ?? w.start_ms;
      const end = input.endMs ?? w.end_ms;
      if (end <= start) throw new AppError('invalid_input', '结束时间必须晚于开始时间 (end must be after start)');
      const now = this.clock.nowMs();
      await r.exams.updateWindow(w.id, {
        start_ms: start,
        end_ms: end,
        ...(input.startMs !== undefined ? { start_source: 'edited' as const } : {}),
        ...(input.endMs !== undefined ? { end_source: 'edited' as const } : {}),
        edited_by: actor.username,
        updated_at_ms: now,
      });
      const schedules = await armSession(r, w.session_id, now, actor.username);
      await this.audit.append(trx, actor, { action: 'exam.window.edit', objectType: 'room_window', objectId: w.id, scopePath: w.site_path, detail: { sessionId: w.session_id, roomId: w.room_id, before: { startMs: w.start_ms, endMs: w.end_ms }, after: { startMs: start, endMs: end }, schedules } });
      return windowView((await r.exams.getWindow({ kind: 'all' }, w.id))!);
    });
  }

  async getSettings(actor: Actor, siteId: number): Promise<WindowDefaults> {
    await requireExamPermission(this.audit, actor, 'exam.read', 'exam.settings.read', 'org_node', siteId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const site = await r.org.get(actor.scope, siteId);
      if (!site || site.kind !== 'site') throw outOfScope('exam.settings.read', 'org_node', siteId);
      return settingsOf(r, siteId);
    });
  }

  /** Per-site defaults; sessions not yet over are recomputed with them. */
  async putSettings(actor: Actor, siteId: number, d: WindowDefaults): Promise<WindowDefaults> {
    await requireExamPermission(this.audit, actor, 'exam.write', 'exam.settings.update', 'org_node', siteId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const site = await r.org.get(actor.scope, siteId);
      if (!site || site.kind !== 'site') throw outOfScope('exam.settings.update', 'org_node', siteId);
      const before = await settingsOf(r, siteId);
      const now = this.clock.nowMs();
      await r.exams.putSetting({ site_id: siteId, exam_lead_min: d.examLeadMin, exam_trail_min: d.examTrailMin, custody_lead_min: d.custodyLeadMin, custody_trail_min: d.custodyTrailMin, updated_by: actor.username, updated_at_ms: now });
      let sessions = 0;
      for (const id of await r.exams.sessionIdsOfSite(siteId)) {
        const s = (await r.exams.getSession(id))!;
        if (s.end_ms <= now) continue;
        await syncSession(r, id, now, actor.username);
        sessions++;
      }
      await this.audit.append(trx, actor, { action: 'exam.settings.update', objectType: 'org_node', objectId: siteId, scopePath: site.path, detail: { before, after: d, sessionsRecomputed: sessions } });
      return d;
    });
  }

  /** R-FN-4: is a national exam's required window open on this camera now? (PTZ lock, bandwidth pre-emption.) */
  async nationalExamActive(cameraId: number, atMs = this.clock.nowMs()): Promise<boolean> {
    return (await repos(this.store.db).exams.activeWindowsForCamera(cameraId, atMs)).some((w) => isNational(w.exam_kind));
  }

  /** R-RET-1 / R-CITY-3: camera × time ranges that retention must keep until `keepUntilMs`. */
  async retentionHolds(nowMs = this.clock.nowMs()): Promise<RetentionHold[]> {
    const rows = await repos(this.store.db).exams.retentionRows();
    return rows
      .map((w) => ({ cameraId: w.camera_id, examId: w.exam_id, fromMs: w.start_ms, toMs: w.end_ms, keepUntilMs: w.end_ms + w.retention_days * DAY_MS }))
      .filter((h) => h.keepUntilMs > nowMs);
  }

  private async change(
    actor: Actor,
    action: string,
    sessionId: number,
    roomId: number,
    patch: (w: WindowDetailRow, now: number, r: Repos) => Promise<Updateable<RoomWindowTable>>,
  ): Promise<WindowView> {
    await requireExamPermission(this.audit, actor, 'exam.seal', action, 'room_window', `${sessionId}/${roomId}`);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const w = await r.exams.windowOf(actor.scope, sessionId, roomId);
      if (!w) throw outOfScope(action, 'room_window', `${sessionId}/${roomId}`);
      const now = this.clock.nowMs();
      const set = await patch(w, now, r);
      await r.exams.updateWindow(w.id, { ...set, updated_at_ms: now });
      const schedules = await armSession(r, sessionId, now, actor.username);
      await this.audit.append(trx, actor, { action, objectType: 'room_window', objectId: w.id, scopePath: w.site_path, detail: { sessionId, roomId, atMs: now, before: { startMs: w.start_ms, endMs: w.end_ms }, schedules } });
      return windowView((await r.exams.getWindow({ kind: 'all' }, w.id))!);
    });
  }
}
