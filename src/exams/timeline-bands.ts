// Exam windows as bands on the playback timeline (issue 6): reviewers see at a glance which
// recorded seconds were required by which session, and gaps inside them stand out.
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';

export interface ExamBand {
  cameraId: number;
  startMs: number;
  endMs: number;
  label: string;
  kind: string;
}

export function examBandSource(store: Store) {
  return async (actor: Actor, cameraIds: number[], fromMs: number, toMs: number): Promise<ExamBand[]> => {
    const rows = await repos(store.db).exams.windowBandsOf(actor.scope, cameraIds, fromMs, toMs);
    return rows.map((w) => ({
      cameraId: w.camera_id,
      startMs: Number(w.start_ms),
      endMs: Number(w.end_ms),
      label: `${w.exam_name} · ${w.subject}（${w.kind === 'exam' ? '考场' : '试卷保管'}）`,
      kind: w.kind === 'exam' ? 'exam-window' : 'custody-window',
    }));
  };
}
