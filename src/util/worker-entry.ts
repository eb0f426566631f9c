// Inside a worker thread started by runInWorker (worker-run.ts): imports the module, calls the
// named export with the input, posts progress and the result (byte results transferred, not copied).
import { parentPort, workerData } from 'node:worker_threads';

const { moduleUrl, name, input } = workerData as { moduleUrl: string; name: string; input: unknown };
try {
  const mod = (await import(moduleUrl)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`${moduleUrl} has no export ${name}`);
  const value: unknown = await (fn as (i: unknown, p: (n: number) => void) => unknown)(input, (n) => parentPort?.postMessage({ kind: 'progress', n }));
  if (value instanceof Uint8Array) {
    const copy = new Uint8Array(value.byteLength);
    copy.set(value);
    parentPort?.postMessage({ kind: 'done', value: copy }, [copy.buffer]);
  } else parentPort?.postMessage({ kind: 'done', value });
} catch (err) {
  parentPort?.postMessage({ kind: 'failed', message: (err as Error).message, code: (err as { code?: unknown }).code ?? null });
}
