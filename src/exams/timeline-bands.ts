// Exam windows and alarms as bands on the playback timeline (issue 6): reviewers see at a glance
// which recorded seconds were required by which session, and can jump from event to event
// (alarms: recording gaps, cameras not ready).
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';

export interface ExamBand {
  cameraId: number;
  startMs: number;
  endMs: number;
  label: string;
  kind: string;
}

export function examBandSource(store: Store, clock: Clock) {
  return async (actor: Actor, cameraIds: number[], fromMs: number, toMs: number): Promise<ExamBand[]> => {
    const r = repos(store.db).exams;
    const [rows, alarms] = await Promise.all([r.windowBandsOf(actor.scope, cameraIds, fromMs, toMs), r.alarmEventsOf(actor.scope, cameraIds, fromMs, toMs)]);
    const events: ExamBand[] = alarms.map((a) => {
      const startMs = Number(a.gap_start_ms ?? a.raised_at_ms);
      const endMs = Number(a.gap_end_ms ?? a.cleared_at_ms ?? Math.max(startMs + 1000, Math.min(toMs, clock.nowMs())));
      return { cameraId: a.camera_id, startMs, endMs: Math.max(endMs, startMs + 1000), label: `报警：${a.kind === 'recording_gap' ? '录像中断' : '摄像机未就绪'}（${a.reason}）`, kind: 'alarm' };
    });
    return rows.map((w): ExamBand => ({
      cameraId: w.camera_id,
      startMs: Number(w.start_ms),
      endMs: Number(w.end_ms),
      label: `${w.exam_name} · ${w.subject}（${w.kind === 'exam' ? '考场' : '试卷保管'}）`,
      kind: w.kind === 'exam' ? 'exam-window' : 'custody-window',
    })).concat(events);
  };
}
