// Demo exam (first start with XUNCHA_SIM_ROOMS > 0): a provincial 学业水平考试 of seven
// computer-based subjects on today's Beijing date, the first starting in 30 minutes so that its
// exam-room window (candidates enter 30 min before) opens now and is recorded from its first
// second, the others later today or tomorrow, with the sample site participating
// through the rooms that got demo cameras. A new user thus sees windows, recording, alarms and a
// report at once. Created through the exam services as the system actor, so windows are derived
// and recording is armed exactly as for a real exam.
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { ExamModule } from './index.ts';
import type { SessionInput } from './exam-service.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** Subject and length in minutes; the first is the one running now (60 min). */
export const DEMO_SUBJECTS: ReadonlyArray<{ subject: string; minutes: number }> = [
  { subject: '信息技术', minutes: 60 },
  { subject: '通用技术', minutes: 60 },
  { subject: '物理实验操作', minutes: 30 },
  { subject: '化学实验操作', minutes: 30 },
  { subject: '生物实验操作', minutes: 30 },
  { subject: '英语听说', minutes: 40 },
  { subject: '地理', minutes: 60 },
];

const DAY_START_MIN = 8 * 60 + 30; // 08:30 Beijing
const DAY_END_MIN = 18 * 60; // no session ends after 18:00 Beijing
const BREAK_MIN = 30;

/** Minutes since Beijing midnight of `ms`, and that midnight. */
function beijingDay(ms: number): { midnight: number; minute: number } {
  const local = ms + BEIJING_OFFSET_MS;
  const midnight = Math.floor(local / DAY) * DAY - BEIJING_OFFSET_MS;
  return { midnight, minute: Math.floor((ms - midnight) / MIN) };
}

/**
 * The demo timetable: the first subject from now + 30 min (whole minutes, so its window opens
 * now) for its length, the
 * others one after another with 30-minute breaks between 08:30 and 18:00 Beijing time, moving to
 * the next day when today is full.
 */
export function demoTimetable(nowMs: number): SessionInput[] {
  const start = Math.floor(nowMs / MIN) * MIN + 30 * MIN;
  const out: SessionInput[] = [{ subject: DEMO_SUBJECTS[0].subject, startMs: start, endMs: start + DEMO_SUBJECTS[0].minutes * MIN }];
  // Next start: after the break, on a 10-minute boundary.
  let cursor = Math.ceil((out[0].endMs + BREAK_MIN * MIN) / (10 * MIN)) * 10 * MIN;
  for (const { subject, minutes } of DEMO_SUBJECTS.slice(1)) {
    const { midnight, minute } = beijingDay(cursor);
    if (minute < DAY_START_MIN) cursor = midnight + DAY_START_MIN * MIN;
    else if (minute + minutes > DAY_END_MIN) cursor = midnight + DAY + DAY_START_MIN * MIN;
    out.push({ subject, startMs: cursor, endMs: cursor + minutes * MIN });
    cursor += (minutes + BREAK_MIN) * MIN;
  }
  return out;
}

export interface DemoExamDeps {
  store: Store;
  clock: Clock;
  exams: ExamModule;
}

/**
 * Seeds the demo exam once (skipped when any exam exists). `siteId` is the sample site, `roomIds`
 * its exam rooms that got demo cameras. Never throws: a failure is logged and the node starts anyway.
 */
export async function seedDemoExam(deps: DemoExamDeps, log: Logger, siteId: number, roomIds: number[], actor: Actor = SYSTEM_ACTOR): Promise<number | undefined> {
  try {
    const r = repos(deps.store.db);
    if ((await r.exams.listExams({ kind: 'all' })).length > 0) return undefined;
    const site = await r.org.get({ kind: 'all' }, siteId);
    if (!site) return undefined;
    const provinceId = Number(site.path.split('/').filter(Boolean)[0]);
    const province = await r.org.get({ kind: 'all' }, provinceId);
    const now = deps.clock.nowMs();
    const year = new Date(now + BEIJING_OFFSET_MS).getUTCFullYear();
    const exam = await deps.exams.exams.create(actor, { name: `${year}年${province?.name ?? ''}普通高中学业水平合格性考试（上机考试·演示）`, kind: 'proficiency', ownerNodeId: provinceId });
    await deps.exams.exams.setSites(actor, exam.id, [{ siteId, roomIds }]);
    const sessions = await deps.exams.exams.createSessions(actor, exam.id, demoTimetable(now));
    log.info({ examId: exam.id, sessions: sessions.length, running: sessions[0]?.subject }, 'demo exam added: the first window opens now, recording armed');
    return exam.id;
  } catch (err) {
    log.error({ err }, 'demo exam not created');
    return undefined;
  }
}
