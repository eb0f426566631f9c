// The 值班记录 PDF rendered in a worker thread (runInWorker, src/util/worker-run.ts) so the event
// loop keeps answering; bounded by the exam report limiter at the route.
import { existsSync } from 'node:fs';
import { DEFAULT_CJK_FONT } from '../exams/report-pdf.ts';
import { AppError } from '../util/errors.ts';
import { runInWorker } from '../util/worker-run.ts';
import { dutyRecordPdf } from './record-pdf.ts';
import type { DutyRecord } from './record-data.ts';

export interface DutyRecordJob { record: DutyRecord; font: { path: string; family: string } }

/** Runs inside the worker. */
export function dutyRecordJob(job: DutyRecordJob): Promise<Buffer> {
  return dutyRecordPdf(job.record, job.font);
}

/** Renders in a worker; stopped after `timeoutMs` (then 429). */
export function renderDutyRecord(record: DutyRecord, font = DEFAULT_CJK_FONT, timeoutMs = 120_000): Promise<Buffer> {
  if (!existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  return runInWorker<Buffer>(import.meta.url, 'dutyRecordJob', { record, font } satisfies DutyRecordJob, { timeoutMs });
}
