// Runs one exported function of a module in a worker thread (issue 13 item 9): CPU-heavy file work
// (organisation export/import, alarm Excel, report PDFs, video export packaging) must not stall the
// event loop. The function gets its input (structured clone) and a `progress(n)` callback; it
// returns a structured-cloneable value (Uint8Array/Buffer results come back as Buffer).
//
// Workers are kept warm and reused: starting one costs the tsx loader, transpiling every module the
// job imports and loading pdfkit/exceljs — 1–3 s per report on the 2-core machine, most of a PDF's
// time. Up to POOL_SIZE run at once (more jobs wait their turn, in order); an idle worker ends after
// IDLE_MS and never keeps the process alive. A job that times out or is aborted ends its worker
// (a job cannot be interrupted otherwise); the next job starts a fresh one.
import { Worker } from 'node:worker_threads';
import { AppError } from './errors.ts';
import type { AppErrorCode } from './errors.ts';

export type WorkerJob<I, O> = (input: I, progress: (n: number) => void) => Promise<O> | O;

type Message = { id: number; kind: 'progress'; n: number } | { id: number; kind: 'done'; value: unknown } | { id: number; kind: 'failed'; message: string; code: AppErrorCode | null };

/**
 * URL of a module beside `baseUrl` (an `import.meta.url`), `relative` written with its .ts name: the
 * same .ts file when running from source (tsx), its .js file when running from the compiled build
 * (scripts/build-server.mjs).
 */
export function moduleUrl(relative: string, baseUrl: string): string {
  return new URL(baseUrl.endsWith('.js') ? relative.replace(/\.ts$/, '.js') : relative, baseUrl).href;
}

const ENTRY_URL = moduleUrl('./worker-entry.ts', import.meta.url);
const FAILED = `(err) => { require('node:worker_threads').parentPort.postMessage({ id: 0, kind: 'failed', message: String(err && err.message || err), code: null }); }`;
// From source the worker registers tsx first (resolved here: eval'd code resolves bare specifiers
// from the process's working directory, which for a server is its data directory); compiled, the
// job modules are JavaScript and need no loader.
const BOOT = ENTRY_URL.endsWith('.js')
  ? `import(${JSON.stringify(ENTRY_URL)}).catch(${FAILED});`
  : `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY_URL)}); }).catch(${FAILED});`;

/** Workers that run at once; jobs beyond wait (each job is CPU-bound on a 2-core machine). */
const POOL_SIZE = 2;
/** An idle worker ends after this long (its memory — fonts, pdfkit, exceljs — is given back). */
const IDLE_MS = 30_000;

export interface WorkerRunOptions {
  /** Longest allowed run; then the worker is stopped and the job fails with 429 "took too long". */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (n: number) => void;
}

/** Jobs run in a worker so far, and workers started (tests show a job really left the event loop, and that workers are reused). */
export const workerStats = { jobs: 0, workersStarted: 0 };

interface Job {
  id: number;
  moduleUrl: string;
  name: string;
  input: unknown;
  opts: WorkerRunOptions;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Ends the current job (settles it once, clears its timer and abort listener). */
  finish?: (fn: () => void) => void;
}

const slots = new Set<Slot>();
const queue: Job[] = [];
let nextId = 1;

function startSlot(): Slot {
  workerStats.workersStarted++;
  const slot: Slot = { worker: new Worker(BOOT, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 512 } }), job: undefined, idleTimer: undefined };
  slots.add(slot);
  slot.worker.on('message', (m: Message) => {
    const job = slot.job;
    if (!job || (m.id !== job.id && m.id !== 0)) return;
    if (m.kind === 'progress') job.opts.onProgress?.(m.n);
    else if (m.kind === 'done') slot.finish?.(() => job.resolve(m.value instanceof Uint8Array ? Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength) : m.value));
    else {
      if (m.id === 0) retire(slot); // the worker could not even load its entry: never reuse it
      slot.finish?.(() => job.reject(m.code ? new AppError(m.code, m.message) : new Error(`worker ${job.name}: ${m.message}`)));
    }
  });
  const gone = (why: string) => {
    slots.delete(slot);
    const job = slot.job;
    if (job) slot.finish?.(() => job.reject(new Error(`worker ${job.name} ${why} without a result`)));
    pump();
  };
  slot.worker.on('error', (err) => gone(`failed (${err.message})`));
  slot.worker.on('exit', (code) => gone(`exited (${code})`));
  return slot;
}

/** Ends a worker for good (timeout, abort, load failure, idle). */
function retire(slot: Slot): void {
  slots.delete(slot);
  clearTimeout(slot.idleTimer);
  void slot.worker.terminate();
}

function run(slot: Slot, job: Job): void {
  clearTimeout(slot.idleTimer);
  slot.job = job;
  slot.worker.ref();
  let settled = false;
  // Retired before the job is settled, so that settling it cannot hand the dying worker the next job.
  const onAbort = () => {
    retire(slot);
    slot.finish?.(() => job.reject(new Error('aborted')));
  };
  const timer = setTimeout(() => {
    retire(slot);
    slot.finish?.(() => job.reject(new AppError('too_many_requests', '处理超时，请缩小范围后重试 (the job took too long)')));
  }, job.opts.timeoutMs ?? 120_000);
  slot.finish = (fn) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    job.opts.signal?.removeEventListener('abort', onAbort);
    slot.job = undefined;
    slot.finish = undefined;
    fn();
    if (slots.has(slot)) {
      slot.worker.unref();
      slot.idleTimer = setTimeout(() => retire(slot), IDLE_MS);
      slot.idleTimer.unref();
    }
    pump();
  };
  job.opts.signal?.addEventListener('abort', onAbort, { once: true });
  workerStats.jobs++;
  slot.worker.postMessage({ id: job.id, moduleUrl: job.moduleUrl, name: job.name, input: job.input });
}

/** Gives waiting jobs to idle workers, starting workers up to POOL_SIZE. */
function pump(): void {
  while (queue.length > 0) {
    const idle = [...slots].find((s) => !s.job);
    const slot = idle ?? (slots.size < POOL_SIZE ? startSlot() : undefined);
    if (!slot) return;
    run(slot, queue.shift()!);
  }
}

/** Runs `moduleUrl`'s export `name` with `input` in a worker thread (a warm one when there is one). */
export function runInWorker<O>(moduleUrl: string, name: string, input: unknown, opts: WorkerRunOptions = {}): Promise<O> {
  if (opts.signal?.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<O>((resolve, reject) => {
    const job: Job = { id: nextId++, moduleUrl, name, input, opts, resolve: resolve as (v: unknown) => void, reject };
    // Aborted while still waiting: leave the queue.
    opts.signal?.addEventListener('abort', () => {
      const i = queue.indexOf(job);
      if (i >= 0) {
        queue.splice(i, 1);
        reject(new Error('aborted'));
      }
    }, { once: true });
    queue.push(job);
    pump();
  });
}
