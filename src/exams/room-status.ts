// Exam status of a camera's room for the wall tile (issue 14 item 8): 考试中 while one of the room's
// required recording windows is open, 已封门 after a window was closed by 已封门 (for the rest of that
// Beijing day, until another window opens), 空闲 otherwise. Windows are the room's
// (docs/design/exams.md): they include the lead/trail around the session, when the camera must record.
import type { Actor } from '../auth/actor.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';

export type RoomExamState = 'running' | 'sealed' | 'idle';

export interface RoomExamStatus {
  cameraId: number;
  state: RoomExamState;
  /** The window that decides it (none when idle). */
  examName?: string;
  subject?: string;
  startMs?: number;
  endMs?: number;
}

export interface WindowLike {
  start_ms: number;
  end_ms: number;
  end_source: string;
  subject: string;
  exam_name: string;
}

const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** Start of the Beijing calendar day holding `ms`. */
export function beijingDayStartMs(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
}

/** The rule, on one room's windows that overlap today up to now. */
export function examStateOf(windows: readonly WindowLike[], nowMs: number): Omit<RoomExamStatus, 'cameraId'> {
  const pick = (w: WindowLike, state: RoomExamState) => ({ state, examName: w.exam_name, subject: w.subject, startMs: w.start_ms, endMs: w.end_ms });
  const open = windows.filter((w) => w.start_ms <= nowMs && nowMs < w.end_ms).sort((a, b) => a.start_ms - b.start_ms);
  if (open.length) return pick(open[0], 'running');
  const dayStart = beijingDayStartMs(nowMs);
  const sealed = windows.filter((w) => w.end_source === 'sealed' && w.end_ms <= nowMs && w.end_ms >= dayStart).sort((a, b) => b.end_ms - a.end_ms);
  if (sealed.length) return pick(sealed[0], 'sealed');
  return { state: 'idle' };
}

/** The tiles' statuses; cameras out of the caller's scope are simply absent (the wall shows none). */
export async function examStatusOfCameras(d: { store: Store; audit: AuditService }, actor: Actor, cameraIds: readonly number[], nowMs: number): Promise<RoomExamStatus[]> {
  await requirePermission(d.audit, actor, 'video.live', 'video.live.examstatus', 'camera', cameraIds.join(','));
  const rows = await repos(d.store.db).exams.windowBandsOf(actor.scope, cameraIds, beijingDayStartMs(nowMs), nowMs + 1);
  const r = repos(d.store.db);
  const visible = new Set((await Promise.all(cameraIds.map((id) => r.cameras.get(actor.scope, id)))).flatMap((c) => (c ? [c.id] : [])));
  return cameraIds.filter((id) => visible.has(id)).map((cameraId) => ({ cameraId, ...examStateOf(rows.filter((r) => r.camera_id === cameraId), nowMs) }));
}
