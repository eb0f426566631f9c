// Removing a site or room from an exam while one of its recording windows is open stops that
// recording (issue 14 item 11): the change is refused (409, Chinese reason naming what stops)
// unless the caller confirms it explicitly.
import type { Repos } from '../store/repos/index.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { AppError } from '../util/errors.ts';
import { armedEnd, participatingRooms } from './windows.ts';

export interface StoppingWindow { windowId: number; roomId: number; siteName: string; roomName: string; subject: string; startMs: number; endMs: number }

/** Windows open at `nowMs` (armed end included) of rooms the new selection drops. */
export async function windowsStoppedBy(r: Repos, examId: number, siteIds: readonly number[], roomIds: readonly number[], nowMs: number): Promise<StoppingWindow[]> {
  const before = participatingRooms(await r.exams.roomsOfSites((await r.exams.sitesOf(examId)).map((s) => s.site_id)), await r.exams.selectedRoomsOf(examId));
  const after = new Set(participatingRooms(await r.exams.roomsOfSites(siteIds), roomIds).map((x) => x.id));
  const dropped = new Set(before.filter((x) => !after.has(x.id)).map((x) => x.id));
  if (dropped.size === 0) return [];
  return (await r.exams.windowsOf({ kind: 'all' }, { examId }))
    .filter((w) => dropped.has(w.room_id) && Number(w.start_ms) <= nowMs && nowMs < armedEnd({ end_ms: Number(w.end_ms), end_source: w.end_source }))
    .map((w) => ({ windowId: w.id, roomId: w.room_id, siteName: w.site_name, roomName: w.room_name, subject: w.subject, startMs: Number(w.start_ms), endMs: Number(w.end_ms) }));
}

/** The 409 a change without `confirm` gets: which rooms' recording would stop, in Chinese first. */
export function stoppingConflict(stopping: StoppingWindow[]): AppError {
  const list = stopping.map((w) => `${w.siteName} ${w.roomName}（${w.subject}，${formatBeijing(w.startMs).slice(5, 16)}–${formatBeijing(w.endMs).slice(11, 16)}）`).join('；');
  return new AppError(
    'conflict',
    `以下房间的录像时段正在进行，移除后将立即停止录像：${list}。如确需移除，请确认后再提交 (recording windows are open in rooms being removed; resend with confirm: true)`,
    { stopping },
  );
}
