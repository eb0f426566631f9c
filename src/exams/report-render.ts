// Report files (.pdf, .xlsx) rendered off the event loop in a pooled worker thread (issue 13 item 9;
// runInWorker, src/util/worker-run.ts).
import { existsSync } from 'node:fs';
import { AppError } from '../util/errors.ts';
import { runInWorker } from '../util/worker-run.ts';
import { DEFAULT_CJK_FONT, reportPdf } from './report-pdf.ts';
import type { ExamReport } from './report-service.ts';
import { reportXlsx } from './report-xlsx.ts';

export interface RenderJob {
  kind: 'pdf' | 'xlsx';
  report: ExamReport;
  font: { path: string; family: string };
}

/** Runs inside the worker. */
export function examReportJob(job: RenderJob): Promise<Buffer> {
  return job.kind === 'pdf' ? reportPdf(job.report, job.font) : reportXlsx(job.report);
}

/** Renders in a worker; longest allowed `timeoutMs` (then the job is stopped: 429, ask for a smaller scope). */
export function renderReport(kind: 'pdf' | 'xlsx', report: ExamReport, font = DEFAULT_CJK_FONT, timeoutMs = 120_000): Promise<Buffer> {
  if (kind === 'pdf' && !existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  return runInWorker<Buffer>(import.meta.url, 'examReportJob', { kind, report, font } satisfies RenderJob, { timeoutMs });
}
