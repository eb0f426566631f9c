// Runs one exported function of a module in a worker thread (issue 13 item 9): CPU-heavy file work
// (organisation export/import, alarm Excel, video export packaging) must not stall the event loop.
// The worker loads TypeScript through tsx like the CLI does (bin/xuncha.mjs). The function gets
// its input (structured clone) and a `progress(n)` callback; it returns a structured-cloneable
// value (Uint8Array/Buffer results come back as Buffer). One worker per job, stopped afterwards.
import { Worker } from 'node:worker_threads';
import { AppError } from './errors.ts';
import type { AppErrorCode } from './errors.ts';

export type WorkerJob<I, O> = (input: I, progress: (n: number) => void) => Promise<O> | O;

type Message = { kind: 'progress'; n: number } | { kind: 'done'; value: unknown } | { kind: 'failed'; message: string; code: AppErrorCode | null };

const ENTRY_URL = new URL('./worker-entry.ts', import.meta.url).href;
// Resolved here: eval'd code resolves bare specifiers from the process's working directory, which
// for a server is its data directory (no node_modules there).
const TSX_API_URL = import.meta.resolve('tsx/esm/api');
const BOOT = `import(${JSON.stringify(TSX_API_URL)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY_URL)}); }).catch((err) => { require('node:worker_threads').parentPort.postMessage({ kind: 'failed', message: String(err && err.message || err), code: null }); });`;

export interface WorkerRunOptions {
  /** Longest allowed run; then the worker is stopped and the job fails with 429 "took too long". */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (n: number) => void;
}

/** Workers started so far (shown by tests that a job really left the event loop). */
export const workerStats = { started: 0 };

/** Runs `moduleUrl`'s export `name` with `input` in a new worker thread. */
export function runInWorker<O>(moduleUrl: string, name: string, input: unknown, opts: WorkerRunOptions = {}): Promise<O> {
  if (opts.signal?.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<O>((resolve, reject) => {
    workerStats.started++;
    const worker = new Worker(BOOT, { eval: true, workerData: { moduleUrl, name, input }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new Error('aborted')));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(() => reject(new AppError('too_many_requests', '处理超时，请缩小范围后重试 (the job took too long)'))), opts.timeoutMs ?? 120_000);
    worker.on('message', (m: Message) => {
      if (m.kind === 'progress') opts.onProgress?.(m.n);
      else if (m.kind === 'done') finish(() => resolve((m.value instanceof Uint8Array ? Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) : m.value) as O));
      else finish(() => reject(m.code ? new AppError(m.code, m.message) : new Error(`worker ${name}: ${m.message}`)));
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`worker ${name} exited (${code}) without a result`))));
  });
}
