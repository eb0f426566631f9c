// Starts test/live/helpers/live-main.ts (the real server plus live routes and simulated cameras
// with a fault control port) as its own process, like startTestServer does for `xuncha serve`.
// With { simProcess: true } the simulated cameras run in a third process (`xuncha sim`), so that
// the server's CPU and event loop exclude them (bench/live.ts); the tests keep the default.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { BUILD_DIR, serverBuildFresh } from '../../../scripts/build-server.mjs';
import { ADMIN_PASSWORD, ApiClient, REPO_ROOT } from '../../e2e/helpers/server.ts';

export { ADMIN_PASSWORD, ApiClient };

export interface LiveServer {
  baseUrl: string;
  simControl: number;
  simPort: number;
  pid: number;
  /** The simulator's own process (simProcess), else the server's pid. */
  simPid: number;
  /** Camera id prefix of the simulated site: 'demo' in-process, 'site1' from `xuncha sim --rooms`. */
  simSite: string;
  logs: string[];
  /** The server's data directory (exports, secret.key: verify-export runs against it). */
  dataDir: string;
  /** Injects a simulator fault on a camera ('demo-r001-front'). */
  fault(camera: string, spec: { type: string; durationMs?: number }): Promise<void>;
  stop(): Promise<number | null>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface LiveServerOptions {
  /** Run the simulated cameras (XUNCHA_SIM_ROOMS rooms, XUNCHA_SIM_PORT) in their own process. */
  simProcess?: boolean;
}

/** `xuncha sim --rooms N` as its own process; resolves once it prints its ports. */
async function startSimChild(rooms: string, port: string, controlPort = '0'): Promise<{ child: ChildProcess; port: number; controlPort: number }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/xuncha.mjs'), 'sim', '--rooms', rooms, '--port', port, '--control-port', controlPort], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const ports = await new Promise<{ port: number; controlPort: number }>((resolve, reject) => {
    const startMs = Number(process.env.XUNCHA_LIVE_START_MS) || 30_000; // see startLiveServer
    const timer = setTimeout(() => reject(new Error(`simulator did not start in ${startMs / 1000} s:\n${out}`)), startMs);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}:\n${out}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const rtsp = /camera\(s\) on rtsp:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      const control = /fault API: POST http:\/\/[^:]+:(\d+)\//.exec(out)?.[1];
      if (rtsp && control) {
        clearTimeout(timer);
        resolve({ port: Number(rtsp), controlPort: Number(control) });
      }
    });
  });
  child.removeAllListeners('exit');
  child.stdout!.resume();
  return { child, ...ports };
}

function stopChild(child: ChildProcess): Promise<number | null> {
  return new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
    child.kill('SIGTERM');
  });
}

/**
 * The compiled live-main (scripts/test.sh builds it beside the server) when that build is newer than
 * every source, as bin/xuncha.mjs runs a node; otherwise the TypeScript through tsx. Through tsx each
 * start transpiled and source-mapped the whole app again: 8–26 s of CPU per server in a full run.
 */
function liveMainArgs(): string[] {
  const compiled = path.join(BUILD_DIR, 'test/live/helpers/live-main.js');
  if (process.env.XUNCHA_FROM_SOURCE !== '1' && existsSync(compiled) && serverBuildFresh()) return [compiled];
  return ['--import', pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href, path.join(REPO_ROOT, 'test/live/helpers/live-main.ts')];
}

export async function startLiveServer(env: Record<string, string> = {}, opts: LiveServerOptions = {}): Promise<LiveServer> {
  // The simulator's two ports are chosen here, so that it and the server start at the same time
  // (each loads the app through tsx: seconds on a busy host); the server's recorder retries until
  // the simulator answers.
  let simStart: ReturnType<typeof startSimChild> | undefined;
  if (opts.simProcess) {
    const [rtspPort, controlPort] = [Number(env.XUNCHA_SIM_PORT) || (await freePort()), await freePort()];
    simStart = startSimChild(env.XUNCHA_SIM_ROOMS ?? '8', String(rtspPort), String(controlPort));
    simStart.catch(() => undefined); // awaited below
    env = { ...env, XUNCHA_LIVE_SIM: `${rtspPort}:${controlPort}` };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'xuncha-live-'));
  const child = spawn(process.execPath, liveMainArgs(), {
    cwd: dataDir,
    env: { ...process.env, XUNCHA_PORT: '0', XUNCHA_HOST: '127.0.0.1', XUNCHA_DATA_DIR: dataDir, XUNCHA_ADMIN_PASSWORD: ADMIN_PASSWORD, XUNCHA_LOG_FORMAT: 'json', XUNCHA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let simControl = 0;
  let simPort = 0;
  const serverUp = new Promise<number>((resolve, reject) => {
    if (simStart) child.once('exit', () => void simStart.then((sc) => stopChild(sc.child), () => undefined));
    // XUNCHA_LIVE_START_MS: benchmarks on a host at load 20 (shared cores) needed more than 40 s.
    const startMs = Number(process.env.XUNCHA_LIVE_START_MS) || 40_000;
    const timer = setTimeout(() => {
      // Not left running: it would keep its ports and its simulated cameras busy.
      child.kill('SIGKILL');
      reject(new Error(`live server did not start in ${startMs / 1000} s:\n${logs.join('\n')}`));
    }, startMs);
    const onLine = (line: string) => {
      logs.push(line);
      if (logs.length > 2000) logs.shift();
      const s = /sim rtsp (\d+) control (\d+)/.exec(line);
      if (s) [simPort, simControl] = [Number(s[1]), Number(s[2])];
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`live server exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  let port: number;
  let simChild: Awaited<ReturnType<typeof startSimChild>> | undefined;
  try {
    [port, simChild] = await Promise.all([serverUp, simStart]);
  } catch (err) {
    // Neither is left running when the other did not start.
    child.kill('SIGKILL');
    void simStart?.then((sc) => stopChild(sc.child), () => undefined);
    throw err;
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    simControl,
    simPort,
    pid: child.pid ?? 0,
    simPid: simChild?.child.pid ?? child.pid ?? 0,
    simSite: simChild ? 'site1' : 'demo',
    dataDir,
    logs,
    async fault(camera, spec) {
      const res = await fetch(`http://127.0.0.1:${simControl}/cameras/${camera}/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
      if (!res.ok) throw new Error(`fault ${camera}: ${res.status} ${await res.text()}`);
    },
    async stop() {
      const code = await stopChild(child);
      if (simChild) await stopChild(simChild.child);
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
