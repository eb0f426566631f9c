// A site's figures over a finished report period (issue 19 item 3: the kept daily and weekly health
// reports). Rates are averages over the period from the health history (device-health.ts: one row
// per camera and sample, folded into hours), not the state at the moment the report is written;
// exam recording completeness is counted as the completeness report counts it (exam-day.ts). Each
// site computes its own figures of the last full day and week and sends them up inside its
// `ledger.site` summary, so a city or a province reports a lower site from what the site measured
// (it keeps no history of the lower's cameras). docs/design/ledger.md "Health reports".
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { examFigures } from './exam-day.ts';
import type { ExamDayFigures } from './exam-day.ts';
import type { RollupRow } from './rollup.ts';

export interface ReportPeriod { fromMs: number; toMs: number; label: string }

export type PeriodKind = 'day' | 'week' | 'month';

/** The last full day, week (Monday to Monday) or month before `nowMs`, in Beijing time. */
export function lastPeriod(kind: PeriodKind, nowMs: number): ReportPeriod {
  const bj = new Date(nowMs + 8 * 3_600_000); // Beijing wall clock read through the UTC getters
  const midnight = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth(), bj.getUTCDate()) - 8 * 3_600_000;
  if (kind === 'day') return { fromMs: midnight - 86_400_000, toMs: midnight, label: '日报' };
  if (kind === 'week') {
    const toMs = midnight - ((bj.getUTCDay() + 6) % 7) * 86_400_000;
    return { fromMs: toMs - 7 * 86_400_000, toMs, label: '周报' };
  }
  const toMs = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth(), 1) - 8 * 3_600_000;
  const fromMs = Date.UTC(bj.getUTCFullYear(), bj.getUTCMonth() - 1, 1) - 8 * 3_600_000;
  return { fromMs, toMs, label: '月报' };
}

export interface PeriodFigures {
  fromMs: number;
  toMs: number;
  /** Cameras with at least one health row in the period. */
  cameras: number;
  /** Camera-time covered by health rows, ms (time the node was down is not measured). */
  measuredMs: number;
  /** Of the measured time: online and recording, ms. */
  onlineMs: number;
  recordingMs: number;
  /** Exam windows of the period, as exam-day.ts counts them; null when the site had none. */
  exam: Omit<ExamDayFigures, 'coverage'> | null;
}

/** Figures of [fromMs, toMs) per site (org node) id: sites with no health row and no exam window are absent. */
export async function sitePeriodFigures(store: Store, fromMs: number, toMs: number, nowMs: number): Promise<Map<number, PeriodFigures>> {
  const [health, exams] = await Promise.all([repos(store.db).deviceHealth.sumCamerasByNode(SYSTEM_ACTOR.scope, fromMs, toMs), examFigures(store, fromMs, toMs, nowMs)]);
  const out = new Map<number, PeriodFigures>();
  const of = (id: number) => out.get(id) ?? out.set(id, { fromMs, toMs, cameras: 0, measuredMs: 0, onlineMs: 0, recordingMs: 0, exam: null }).get(id)!;
  for (const h of health) Object.assign(of(h.orgNodeId), { cameras: h.cameras, measuredMs: h.measuredMs, onlineMs: h.onlineMs, recordingMs: h.recordingMs });
  for (const [siteId, e] of exams) {
    const { coverage: _derived, ...rest } = e;
    of(siteId).exam = rest;
  }
  return out;
}

/** Sums of a report row's sites, with the rates derived from them. */
export interface PeriodTotals {
  /** Sites below the row that reported figures of this period. */
  sites: number;
  measuredMs: number;
  onlineRate: number | null;
  recordingRate: number | null;
  examSites: number;
  examLines: number;
  examLinesWithGaps: number;
  examRequiredMs: number;
  examRecordedMs: number;
  /** Rounded down to 3 decimals, as the roll-up's `examCoverage`. */
  examCoverage: number | null;
}

/**
 * Per row key of the report's tree, the sum over the sites at or below it of their period figures
 * (by site GB code). Rates are time-weighted: online camera-time over measured camera-time. Pure.
 */
export function periodTotals(tree: readonly RollupRow[], bySiteCode: Readonly<Record<string, PeriodFigures>>): Map<string, PeriodTotals> {
  const out = new Map<string, PeriodTotals>();
  const walk = (r: RollupRow): { sites: number; measured: number; online: number; recording: number; examSites: number; lines: number; gaps: number; required: number; recorded: number } => {
    const acc = { sites: 0, measured: 0, online: 0, recording: 0, examSites: 0, lines: 0, gaps: 0, required: 0, recorded: 0 };
    const own = r.kind === 'site' ? bySiteCode[r.code] : undefined;
    if (own) {
      Object.assign(acc, { sites: 1, measured: own.measuredMs, online: own.onlineMs, recording: own.recordingMs });
      if (own.exam) Object.assign(acc, { examSites: 1, lines: own.exam.lines, gaps: own.exam.linesWithGaps, required: own.exam.requiredMs, recorded: own.exam.recordedMs });
    }
    for (const c of r.children ?? []) {
      const b = walk(c);
      for (const k of Object.keys(acc) as Array<keyof typeof acc>) acc[k] += b[k];
    }
    out.set(r.key, {
      sites: acc.sites, measuredMs: acc.measured,
      onlineRate: acc.measured > 0 ? acc.online / acc.measured : null,
      recordingRate: acc.measured > 0 ? acc.recording / acc.measured : null,
      examSites: acc.examSites, examLines: acc.lines, examLinesWithGaps: acc.gaps, examRequiredMs: acc.required, examRecordedMs: acc.recorded,
      examCoverage: acc.examSites === 0 ? null : acc.required > 0 ? Math.floor((acc.recorded / acc.required) * 1000) / 1000 : 1,
    });
    return acc;
  };
  for (const r of tree) walk(r);
  return out;
}
