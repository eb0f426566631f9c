// R-FN-4: national exams pre-empt every other use of a site's cameras and bandwidth. While a
// national exam's required window is open at a site, live viewing (and with it new sub-stream
// connections and H.265 → H.264 transcoding) is kept for the cameras of the rooms in that window;
// other cameras of the site (campus, rooms not taking part) are refused unless an administrator
// states a reason. Refusals and overrides are audited (R-ACC-1). See docs/design/exams.md.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { isNational } from './windows.ts';

export const EXAM_PRIORITY_CODE = 'exam_priority';
export const EXAM_PRIORITY_MESSAGE = '国家教育考试进行中，非考试用途的视频调看暂停';

/** Roles that patrol exam cameras during a national exam window. */
const PATROL_ROLES: ReadonlySet<Actor['role']> = new Set(['admin', 'operator', 'leader', 'system']);

export interface PriorityDecision {
  cameraId: number;
  siteId?: number;
  /** A national exam window is open at the camera's site. */
  restricted: boolean;
  /** The camera's room takes part in one of those sessions (has a window of it). */
  examCamera: boolean;
  sessionIds: number[];
}

/** 409; the API answers with `error: 'exam_priority'` (src/api/routes/live.ts). */
export class ExamPriorityError extends AppError {
  readonly reason = EXAM_PRIORITY_CODE;
  constructor(readonly cameraIds: number[]) {
    super('conflict', EXAM_PRIORITY_MESSAGE, { reason: EXAM_PRIORITY_CODE, cameraIds });
    this.name = 'ExamPriorityError';
  }
}

export interface ViewingCheck {
  /** Audit action of the refusal / override (the caller's action, e.g. `video.live.start`). */
  action: string;
  /** An administrator's stated reason for viewing non-exam cameras during the window. */
  overrideReason?: string;
}

export type ExamPriorityDeps = { store: Store; audit: AuditService; clock: Clock };

export class ExamPriority {
  constructor(private readonly deps: ExamPriorityDeps) {}

  /** Where `cameraId` stands at `atMs` (default now). Unknown cameras are unrestricted. */
  async decide(cameraId: number, atMs = this.deps.clock.nowMs()): Promise<PriorityDecision> {
    const db = this.deps.store.db;
    const cam = await db.selectFrom('camera').innerJoin('room', 'room.id', 'camera.room_id').select(['camera.room_id', 'room.site_id']).where('camera.id', '=', cameraId).executeTakeFirst();
    if (!cam) return { cameraId, restricted: false, examCamera: false, sessionIds: [] };
    const windows = await db
      .selectFrom('room_window')
      .innerJoin('room', 'room.id', 'room_window.room_id')
      .innerJoin('exam_session', 'exam_session.id', 'room_window.session_id')
      .innerJoin('exam', 'exam.id', 'exam_session.exam_id')
      .select(['room_window.session_id', 'exam.kind as exam_kind'])
      .where('room.site_id', '=', cam.site_id)
      .where('room_window.start_ms', '<=', atMs)
      .where('room_window.end_ms', '>', atMs)
      .execute();
    const sessionIds = [...new Set(windows.filter((w) => isNational(w.exam_kind)).map((w) => w.session_id))];
    if (sessionIds.length === 0) return { cameraId, siteId: cam.site_id, restricted: false, examCamera: false, sessionIds };
    // In the exam: the camera's room has a window of one of those sessions, open or not yet (an
    // exam room before candidates enter while the papers' custody window is already open).
    const own = await db.selectFrom('room_window').select('room_window.id').where('room_window.room_id', '=', cam.room_id).where('room_window.session_id', 'in', sessionIds).executeTakeFirst();
    return { cameraId, siteId: cam.site_id, restricted: true, examCamera: Boolean(own), sessionIds };
  }

  /** May this camera be used for something other than watching it (transcoding, sub-stream connection)? */
  async allowsNonExamUse(cameraId: number, atMs?: number): Promise<boolean> {
    const d = await this.decide(cameraId, atMs);
    return !d.restricted || d.examCamera;
  }

  /**
   * Live viewing of `cameras` by `actor` now. Exam cameras: patrol roles only. Other cameras of a
   * site in a national window: refused (audited as denied, ExamPriorityError) unless `actor` is an
   * administrator with an override reason (audited). Resolves when viewing may go ahead.
   */
  async checkViewing(actor: Actor, cameras: Array<{ id: number; site_path: string }>, check: ViewingCheck): Promise<void> {
    const now = this.deps.clock.nowMs();
    const refused: Array<{ cam: { id: number; site_path: string }; d: PriorityDecision }> = [];
    for (const cam of cameras) {
      const d = await this.decide(cam.id, now);
      if (!d.restricted) continue;
      if (d.examCamera && PATROL_ROLES.has(actor.role)) continue;
      refused.push({ cam, d });
    }
    if (refused.length === 0) return;
    const reason = check.overrideReason?.trim();
    if (actor.role === 'admin' && reason) {
      for (const { cam, d } of refused) {
        await this.deps.audit.record(actor, { action: 'exam.priority.override', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, detail: { for: check.action, reason, sessionIds: d.sessionIds, siteId: d.siteId } });
      }
      return;
    }
    for (const { cam, d } of refused) {
      await this.deps.audit.record(actor, {
        action: check.action,
        objectType: 'camera',
        objectId: cam.id,
        outcome: 'denied',
        scopePath: cam.site_path,
        detail: { reason: EXAM_PRIORITY_CODE, examCamera: d.examCamera, sessionIds: d.sessionIds, siteId: d.siteId, overrideReasonGiven: Boolean(reason) },
      });
    }
    throw new ExamPriorityError(refused.map((r) => r.cam.id));
  }
}
