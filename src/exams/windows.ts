// Pure rules for required recording windows (R-REC-2, R-REC-3): which rooms take part, which
// kind of window each gets, and its default bounds from the site's settings.
import type { ExamKind, RoomKind, RoomWindowKind } from '../store/schema.ts';

export interface WindowDefaults {
  examLeadMin: number;
  examTrailMin: number;
  custodyLeadMin: number;
  custodyTrailMin: number;
}

export const DEFAULT_WINDOW_SETTINGS: WindowDefaults = { examLeadMin: 30, examTrailMin: 30, custodyLeadMin: 60, custodyTrailMin: 60 };

/** Unsealed windows are armed this much longer, so that a late 已封门 still finds the camera recording. */
export const ARM_GRACE_MS = 30 * 60_000;

export const NATIONAL_KINDS: readonly ExamKind[] = ['gaokao', 'postgrad', 'self_study', 'adult'];
export const MIN_NATIONAL_RETENTION_DAYS = 180;
export const DEFAULT_RETENTION_DAYS = 180;

export function isNational(kind: ExamKind): boolean {
  return NATIONAL_KINDS.includes(kind);
}

/** Exam and lab rooms hold candidates; affairs and secrecy rooms hold papers; others take no part. */
export function windowKindOf(room: RoomKind): RoomWindowKind | undefined {
  if (room === 'exam' || room === 'lab') return 'exam';
  if (room === 'affairs' || room === 'secrecy') return 'custody';
  return undefined;
}

export function defaultBounds(kind: RoomWindowKind, session: { start_ms: number; end_ms: number }, d: WindowDefaults): { start_ms: number; end_ms: number } {
  const lead = kind === 'exam' ? d.examLeadMin : d.custodyLeadMin;
  const trail = kind === 'exam' ? d.examTrailMin : d.custodyTrailMin;
  return { start_ms: session.start_ms - lead * 60_000, end_ms: session.end_ms + trail * 60_000 };
}

/**
 * Rooms taking part: every custody room of a participating site, and its exam/lab rooms, narrowed
 * to the selected ones when the exam selects any room of that site.
 */
export function participatingRooms<R extends { id: number; site_id: number; kind: RoomKind }>(rooms: readonly R[], selected: readonly number[]): Array<R & { windowKind: RoomWindowKind }> {
  const chosen = new Set(selected);
  const sitesWithSelection = new Set(rooms.filter((r) => chosen.has(r.id)).map((r) => r.site_id));
  const out: Array<R & { windowKind: RoomWindowKind }> = [];
  for (const r of rooms) {
    const windowKind = windowKindOf(r.kind);
    if (!windowKind) continue;
    if (windowKind === 'exam' && sitesWithSelection.has(r.site_id) && !chosen.has(r.id)) continue;
    out.push({ ...r, windowKind });
  }
  return out;
}

/** End of the schedule row armed for a window. */
export function armedEnd(w: { end_ms: number; end_source: string }): number {
  return w.end_source === 'default' ? w.end_ms + ARM_GRACE_MS : w.end_ms;
}
