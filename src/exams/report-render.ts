// Report files (.pdf, .xlsx) rendered off the event loop in a worker thread (issue 13 item 9).
// The worker loads TypeScript through tsx like the CLI does (bin/xuncha.mjs).
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { AppError } from '../util/errors.ts';
import type { AppErrorCode } from '../util/errors.ts';
import { DEFAULT_CJK_FONT } from './report-pdf.ts';
import type { ExamReport } from './report-service.ts';

export interface RenderJob {
  kind: 'pdf' | 'xlsx';
  report: ExamReport;
  font: { path: string; family: string };
}

type WorkerAnswer = { ok: true; bytes: Uint8Array } | { ok: false; message: string; code: AppErrorCode | null };

const WORKER_URL = new URL('./report-worker.ts', import.meta.url).href;
// Resolved here, not in the worker: eval'd code resolves bare specifiers from the process's working
// directory, which for a server is its data directory (no node_modules there).
const TSX_API_URL = import.meta.resolve('tsx/esm/api');
const BOOT = `import(${JSON.stringify(TSX_API_URL)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); }).catch((err) => { require('node:worker_threads').parentPort.postMessage({ ok: false, message: String(err && err.message || err), code: null }); });`;

/** Renders in a worker; longest allowed 120 s (then the worker is stopped). */
export function renderReport(kind: 'pdf' | 'xlsx', report: ExamReport, font = DEFAULT_CJK_FONT, timeoutMs = 120_000): Promise<Buffer> {
  if (kind === 'pdf' && !existsSync(font.path)) throw new AppError('conflict', `缺少中文字体 ${font.path} (Chinese font missing)`);
  return new Promise<Buffer>((resolve, reject) => {
    const job: RenderJob = { kind, report, font };
    const worker = new Worker(BOOT, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new AppError('too_many_requests', '报告生成超时，请缩小范围后重试 (report took too long)'))), timeoutMs);
    worker.on('message', (m: WorkerAnswer) => {
      if (m.ok) finish(() => resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)));
      else finish(() => reject(m.code ? new AppError(m.code, m.message) : new Error(`report worker: ${m.message}`)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`report worker exited (${code}) without a result`))));
  });
}
