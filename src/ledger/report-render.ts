// The health report's files rendered in a worker thread (runInWorker, src/util/worker-run.ts), as
// the completeness report and the duty record are, so the event loop keeps answering while pdfkit
// and exceljs work.
import { existsSync } from 'node:fs';
import { DEFAULT_CJK_FONT } from '../exams/report-pdf.ts';
import { AppError } from '../util/errors.ts';
import { runInWorker } from '../util/worker-run.ts';
import { healthReportPdf } from './report-pdf.ts';
import { healthReportXlsx } from './report-xlsx.ts';
import type { PeriodFigures, ReportPeriod } from './period-figures.ts';
import type { RollupView } from './rollup.ts';
import type { ReportedTicketView } from './upward.ts';

export interface HealthReportJob {
  title: string;
  view: RollupView;
  tickets: ReportedTicketView[];
  period: ReportPeriod;
  /** Each site's figures of the period by GB code (period-figures.ts). */
  periods: Record<string, PeriodFigures>;
  font: { path: string; family: string };
}

export type RenderedReport = { pdf: Buffer; xlsx: Buffer };

/** Runs inside the worker: both files of each report. */
export async function healthReportJob(input: { jobs: Array<Omit<HealthReportJob, 'font'>>; font: HealthReportJob['font'] }): Promise<Array<{ pdf: Uint8Array; xlsx: Uint8Array }>> {
  const out: Array<{ pdf: Uint8Array; xlsx: Uint8Array }> = [];
  for (const job of input.jobs) {
    const [pdf, xlsx] = await Promise.all([healthReportPdf(job.title, job.view, job.tickets, job.period, job.periods, input.font), healthReportXlsx(job.view, job.tickets, job.period, job.periods)]);
    out.push({ pdf: new Uint8Array(pdf), xlsx: new Uint8Array(xlsx) });
  }
  return out;
}

/**
 * Renders reports in one worker (a scheduled pass is one worker start, not one per node); stopped
 * after 60 s plus 5 s per report (then 429).
 */
export async function renderHealthReports(jobs: Array<Omit<HealthReportJob, 'font'>>, font = DEFAULT_CJK_FONT): Promise<RenderedReport[]> {
  if (jobs.length === 0) return [];
  if (!existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  const out = await runInWorker<Array<{ pdf: Uint8Array; xlsx: Uint8Array }>>(import.meta.url, 'healthReportJob', { jobs, font }, { timeoutMs: 60_000 + 5_000 * jobs.length });
  return out.map((r) => ({ pdf: Buffer.from(r.pdf), xlsx: Buffer.from(r.xlsx) }));
}
