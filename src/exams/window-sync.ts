// Keeps a session's room windows and its recording schedule rows in step with the timetable,
// participation and site settings (R-REC-1). Runs inside the caller's transaction.
import type { Repos } from '../store/repos/index.ts';
import type { WindowDefaults } from './windows.ts';
import { DEFAULT_WINDOW_SETTINGS, armedEnd, defaultBounds, participatingRooms } from './windows.ts';

export async function settingsOf(r: Repos, siteId: number): Promise<WindowDefaults> {
  const s = await r.exams.getSetting(siteId);
  if (!s) return DEFAULT_WINDOW_SETTINGS;
  return { examLeadMin: s.exam_lead_min, examTrailMin: s.exam_trail_min, custodyLeadMin: s.custody_lead_min, custodyTrailMin: s.custody_trail_min };
}

export function scheduleReason(sessionId: number): string {
  return `exam:${sessionId}`;
}

/** Rewrites the session's schedule rows: one per window × camera of its room. */
export async function armSession(r: Repos, sessionId: number, nowMs: number, by: string): Promise<number> {
  const reason = scheduleReason(sessionId);
  await r.exams.deleteSchedulesByReason(reason);
  const windows = await r.exams.rawWindowsOfSession(sessionId);
  const cameras = await r.exams.camerasOfRooms([...new Set(windows.map((w) => w.room_id))]);
  let n = 0;
  for (const w of windows) {
    for (const c of cameras.filter((cam) => cam.room_id === w.room_id)) {
      await r.recordings.insertSchedule({ camera_id: c.id, start_ms: w.start_ms, end_ms: armedEnd(w), reason, created_by: by, created_at_ms: nowMs });
      n++;
    }
  }
  return n;
}

/**
 * Recomputes the session's windows: one per participating room, default bounds from the site's
 * settings; bounds set by a seal, a custody event or an edit are kept. Then re-arms.
 */
export async function syncSession(r: Repos, sessionId: number, nowMs: number, by: string): Promise<{ windows: number; schedules: number }> {
  const session = await r.exams.getSession(sessionId);
  if (!session) return { windows: 0, schedules: 0 };
  const sites = await r.exams.sitesOf(session.exam_id);
  const rooms = participatingRooms(await r.exams.roomsOfSites(sites.map((s) => s.site_id)), await r.exams.selectedRoomsOf(session.exam_id));
  const existing = new Map((await r.exams.rawWindowsOfSession(sessionId)).map((w) => [w.room_id, w]));
  const settings = new Map<number, WindowDefaults>();
  for (const room of rooms) {
    if (!settings.has(room.site_id)) settings.set(room.site_id, await settingsOf(r, room.site_id));
    const b = defaultBounds(room.windowKind, session, settings.get(room.site_id)!);
    const w = existing.get(room.id);
    existing.delete(room.id);
    if (!w) {
      await r.exams.insertWindow({ session_id: sessionId, room_id: room.id, kind: room.windowKind, start_ms: b.start_ms, end_ms: b.end_ms, start_source: 'default', end_source: 'default', sealed_by: null, sealed_at_ms: null, edited_by: null, updated_at_ms: nowMs });
      continue;
    }
    const start = w.start_source === 'default' ? b.start_ms : w.start_ms;
    const end = w.end_source === 'default' ? b.end_ms : w.end_ms;
    if (start !== w.start_ms || end !== w.end_ms || w.kind !== room.windowKind) await r.exams.updateWindow(w.id, { start_ms: start, end_ms: end, kind: room.windowKind, updated_at_ms: nowMs });
  }
  await r.exams.deleteWindows([...existing.values()].map((w) => w.id));
  const schedules = await armSession(r, sessionId, nowMs, by);
  return { windows: rooms.length, schedules };
}
