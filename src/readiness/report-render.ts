// Readiness report files (.pdf, .xlsx) rendered in a worker thread (runInWorker,
// src/util/worker-run.ts) so the event loop keeps answering (issue 17 item 7).
import { existsSync } from 'node:fs';
import { DEFAULT_CJK_FONT } from '../exams/report-pdf.ts';
import { AppError } from '../util/errors.ts';
import { runInWorker } from '../util/worker-run.ts';
import type { ReadinessReport } from './report-data.ts';
import { readinessPdf } from './report-pdf.ts';
import { readinessXlsx } from './report-xlsx.ts';

export interface ReadinessRenderJob {
  kind: 'pdf' | 'xlsx';
  report: ReadinessReport;
  font: { path: string; family: string };
}

/** Runs inside the worker. */
export function readinessReportJob(job: ReadinessRenderJob): Promise<Buffer> {
  return job.kind === 'pdf' ? readinessPdf(job.report, job.font) : readinessXlsx(job.report);
}

/** Renders in a worker; stopped after `timeoutMs` (then 429: ask for a smaller scope). */
export function renderReadinessReport(kind: 'pdf' | 'xlsx', report: ReadinessReport, font = DEFAULT_CJK_FONT, timeoutMs = 120_000): Promise<Buffer> {
  if (kind === 'pdf' && !existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  return runInWorker<Buffer>(import.meta.url, 'readinessReportJob', { kind, report, font } satisfies ReadinessRenderJob, { timeoutMs });
}
