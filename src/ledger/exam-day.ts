// Recording completeness of today's exam windows per site (issue 19 item 3: "recording
// completeness for the current exam" in the roll-up of every level). The site computes it from its
// own windows and recording runs exactly as the completeness report does (src/exams/coverage.ts),
// and sends it up inside its ledger summary (`ledger.site`); the city and the province sum it.
// "Today" is the Beijing day of now; a window counts from its start up to now while it runs.
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { coverageOf } from '../exams/coverage.ts';

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3600_000;

export interface ExamDayFigures {
  /** Names of the exams with a window at this site today. */
  exams: string[];
  /** Windows started today (up to now) at the site's rooms. */
  windows: number;
  /** Camera × window lines (a room without a camera is one line that records nothing). */
  lines: number;
  /** Required recording so far, ms (each line: its window up to now). */
  requiredMs: number;
  /** Recorded within the required time, ms. */
  recordedMs: number;
  /** recordedMs / requiredMs to 3 decimals; 1 when nothing is required yet. */
  coverage: number;
  /** Lines with at least one gap. */
  linesWithGaps: number;
}

/** Start of the Beijing day that holds `ms`, ms since epoch. */
export function beijingDayStart(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
}

/** Today's figures per site id (sites without a window started today are absent). */
export function examDayFigures(store: Store, nowMs: number): Promise<Map<number, ExamDayFigures>> {
  return examFigures(store, beijingDayStart(nowMs), nowMs + 1, nowMs);
}

/**
 * The same figures for the windows overlapping [fromMs, toMs) that started by `nowMs`, each line
 * counted over its whole window up to now, as the completeness report counts it (the kept daily
 * and weekly health reports: a window across midnight counts in both days it touches).
 */
export async function examFigures(store: Store, fromMs: number, toMs: number, nowMs: number): Promise<Map<number, ExamDayFigures>> {
  const r = repos(store.db);
  const windows = (await r.exams.windowsOverlapping(SYSTEM_ACTOR.scope, fromMs, Math.min(toMs, nowMs + 1))).filter((w) => w.start_ms <= nowMs);
  const out = new Map<number, ExamDayFigures>();
  if (windows.length === 0) return out;
  const cameras = await r.exams.camerasOfRooms([...new Set(windows.map((w) => w.room_id))]);
  const examNames = new Map<number, string>();
  for (const w of windows) {
    if (!examNames.has(w.exam_id)) examNames.set(w.exam_id, (await r.exams.getExam(SYSTEM_ACTOR.scope, w.exam_id))?.name ?? `#${w.exam_id}`);
    let f = out.get(w.site_id);
    if (!f) out.set(w.site_id, (f = { exams: [], windows: 0, lines: 0, requiredMs: 0, recordedMs: 0, coverage: 1, linesWithGaps: 0 }));
    const name = examNames.get(w.exam_id)!;
    if (!f.exams.includes(name)) f.exams.push(name);
    f.windows++;
    const win = { startMs: w.start_ms, endMs: w.end_ms };
    const cams = cameras.filter((c) => c.room_id === w.room_id);
    const lines = cams.length === 0
      ? [coverageOf(win, [], nowMs, { noCamera: true })]
      : await Promise.all(cams.map(async (c) => coverageOf(win, (await r.recordings.runsBetween(c.id, w.start_ms, w.end_ms)).map((run) => ({ startMs: run.started_at_ms, endMs: run.ended_at_ms, endReason: run.end_reason })), nowMs)));
    for (const l of lines) {
      f.lines++;
      f.requiredMs += l.requiredMs;
      f.recordedMs += l.recordedMs;
      if (l.gaps.length > 0) f.linesWithGaps++;
    }
  }
  for (const f of out.values()) f.coverage = f.requiredMs > 0 ? Math.floor((f.recordedMs / f.requiredMs) * 1000) / 1000 : 1;
  return out;
}
