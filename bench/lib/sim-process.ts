// The camera simulator in its own process (`xuncha sim`), so that its CPU is counted for neither
// side of a benchmark; driven over its HTTP control API (stats, faults).
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CameraStats, FaultSpec } from '../../src/sim/index.ts';
import { spawnOwned } from './lifecycle.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SimProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  controlPort: number;
  ids: string[];
  /** Main-stream stats of every camera. */
  stats(): Promise<Map<string, CameraStats>>;
  /** Applies a fault to every camera (stall: stop sending, keep the sessions; drop: close them; clear). */
  faultAll(fault: FaultSpec): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(opts: { cameras: number; audio?: 'aac' | 'pcma' | 'none' | 'mixed' }): Promise<SimProcess> {
  // stdin is a pipe the simulator watches: it ends when this process ends (bench/lib/sim-main.ts).
  const child = spawnOwned(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/lib/sim-main.ts'), '--cameras', String(opts.cameras), '--port', '0', '--control-port', '0', '--audio', opts.audio ?? 'aac'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const ready = await new Promise<{ port: number; controlPort: number; ids: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${err}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`simulator exited (${code}): ${err}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const lines = out.split('\n');
      const ids = lines.filter((l) => /^cam\d+\t/.test(l)).map((l) => l.split('\t')[0]);
      const port = /camera\(s\) on rtsp:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      const control = /fault API: POST http:\/\/[^:]+:(\d+)\//.exec(out)?.[1];
      if (port && control && ids.length === opts.cameras) {
        clearTimeout(timer);
        resolve({ port: Number(port), controlPort: Number(control), ids });
      }
    });
  });
  child.removeAllListeners('exit');
  child.stdout!.resume();
  const base = `http://127.0.0.1:${ready.controlPort}`;
  const forAll = async <T>(fn: (id: string) => Promise<T>): Promise<T[]> => {
    const res: T[] = [];
    // A few requests at a time: the simulator is pacing media on the same event loop.
    for (let i = 0; i < ready.ids.length; i += 16) res.push(...(await Promise.all(ready.ids.slice(i, i + 16).map(fn))));
    return res;
  };
  return {
    child,
    pid: child.pid!,
    ...ready,
    async stats() {
      const all = await forAll(async (id) => (await (await fetch(`${base}/cameras/${id}/stats`)).json()) as CameraStats);
      return new Map(all.map((s) => [s.id, s]));
    },
    async faultAll(fault) {
      await forAll(async (id) => {
        const r = await fetch(`${base}/cameras/${id}/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
        if (!r.ok) throw new Error(`fault ${fault.type} on ${id}: HTTP ${r.status}`);
        await r.arrayBuffer();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
    },
  };
}
