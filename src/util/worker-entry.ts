// Inside a pooled worker thread (worker-run.ts): for each job message, imports the module (cached
// after the first job), calls the named export with the input, posts progress and the result (byte
// results transferred, not copied). One job at a time; the worker stays for the next.
import { parentPort } from 'node:worker_threads';

interface JobMessage {
  id: number;
  moduleUrl: string;
  name: string;
  input: unknown;
}

parentPort?.on('message', (job: JobMessage) => {
  void (async () => {
    const { id } = job;
    try {
      const mod = (await import(job.moduleUrl)) as Record<string, unknown>;
      const fn = mod[job.name];
      if (typeof fn !== 'function') throw new Error(`${job.moduleUrl} has no export ${job.name}`);
      const value: unknown = await (fn as (i: unknown, p: (n: number) => void) => unknown)(job.input, (n) => parentPort?.postMessage({ id, kind: 'progress', n }));
      if (value instanceof Uint8Array) {
        const copy = new Uint8Array(value.byteLength);
        copy.set(value);
        parentPort?.postMessage({ id, kind: 'done', value: copy }, [copy.buffer]);
      } else parentPort?.postMessage({ id, kind: 'done', value });
    } catch (err) {
      parentPort?.postMessage({ id, kind: 'failed', message: (err as Error).message, code: (err as { code?: unknown }).code ?? null });
    }
  })();
});
