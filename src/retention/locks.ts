// Locks on recordings (docs/design/retention.md, R-RET-1, R-FN-2): exam windows widened by the
// margin until their keep-until date, and unreleased evidence holds without end. A file that
// overlaps a lock at all is locked whole.
export const LOCK_MARGIN_MS = 5 * 60_000;

export interface Lock {
  cameraId: number;
  fromMs: number;
  toMs: number;
  /** Keep-until instant; null = until released (evidence hold). */
  untilMs: number | null;
  source: 'exam' | 'evidence';
  /** Exam id or evidence hold id. */
  refId: number;
}

export interface ExamHold {
  cameraId: number;
  examId: number;
  fromMs: number;
  toMs: number;
  keepUntilMs: number;
}

export interface FileSpan {
  camera_id: number;
  start_ms: number;
  end_ms: number;
}

export class LockSet {
  private readonly locks = new Map<number, Lock[]>();
  /** Every exam window (expired or not) per camera: non-exam recordings go first under pressure. */
  private readonly examSpans = new Map<number, Array<[number, number]>>();

  constructor(locks: readonly Lock[], allExamHolds: readonly ExamHold[] = []) {
    for (const l of locks) this.locks.set(l.cameraId, [...(this.locks.get(l.cameraId) ?? []), l]);
    for (const h of allExamHolds) this.examSpans.set(h.cameraId, [...(this.examSpans.get(h.cameraId) ?? []), [h.fromMs - LOCK_MARGIN_MS, h.toMs + LOCK_MARGIN_MS]]);
  }

  /** Builds the set at `nowMs`: exam holds whose keep-until date passed no longer lock. */
  static build(examHolds: readonly ExamHold[], evidence: ReadonlyArray<{ id: number; camera_id: number; from_ms: number; to_ms: number }>, nowMs: number): LockSet {
    const locks: Lock[] = [
      ...examHolds.filter((h) => h.keepUntilMs > nowMs).map((h): Lock => ({ cameraId: h.cameraId, fromMs: h.fromMs - LOCK_MARGIN_MS, toMs: h.toMs + LOCK_MARGIN_MS, untilMs: h.keepUntilMs, source: 'exam', refId: h.examId })),
      ...evidence.map((e): Lock => ({ cameraId: e.camera_id, fromMs: Number(e.from_ms), toMs: Number(e.to_ms), untilMs: null, source: 'evidence', refId: e.id })),
    ];
    return new LockSet(locks, examHolds);
  }

  /** The locks a file overlaps (empty: deletable). */
  locksOf(f: FileSpan): Lock[] {
    return (this.locks.get(f.camera_id) ?? []).filter((l) => l.fromMs < Number(f.end_ms) && l.toMs > Number(f.start_ms));
  }

  isLocked(f: FileSpan): boolean {
    return this.locksOf(f).length > 0;
  }

  /** The latest keep-until of the locks on a file: null = held without end; undefined = unlocked. */
  lockedUntil(f: FileSpan): number | null | undefined {
    const ls = this.locksOf(f);
    if (ls.length === 0) return undefined;
    if (ls.some((l) => l.untilMs === null)) return null;
    return Math.max(...ls.map((l) => l.untilMs!));
  }

  /** Whether the file touches any exam window, even one whose retention has expired. */
  isExam(f: FileSpan): boolean {
    return (this.examSpans.get(f.camera_id) ?? []).some(([a, b]) => a < Number(f.end_ms) && b > Number(f.start_ms));
  }

  all(): Lock[] {
    return [...this.locks.values()].flat();
  }
}
