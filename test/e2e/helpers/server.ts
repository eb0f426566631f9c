// Starts the real `xuncha serve` process on a random port with its own data folder (PeerTube
// style), and on stop checks that it exited cleanly and left nothing behind.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const ADMIN_PASSWORD = 'Adm1n-Passw0rd!';

export interface TestServer {
  baseUrl: string;
  port: number;
  dataDir: string;
  adminPassword: string;
  process: ChildProcess;
  logs: string[];
  /** SIGTERM, wait for a clean exit (code 0), remove the data folder. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  args?: string[];
  keepDataDir?: boolean;
  /** How long the process may take to listen (default 30 s; a heavy first start may ask more). */
  startTimeoutMs?: number;
}

export async function startTestServer(opts: StartOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'xuncha-e2e-'));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/xuncha.mjs'), 'serve', ...(opts.args ?? [])], {
    cwd: dataDir,
    env: {
      ...process.env,
      XUNCHA_PORT: '0',
      XUNCHA_HOST: '127.0.0.1',
      XUNCHA_DATA_DIR: dataDir,
      XUNCHA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      XUNCHA_LOG_FORMAT: 'json',
      XUNCHA_LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let scheme = 'http';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: it would keep its ports, its database connections and its data folder busy.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${(opts.startTimeoutMs ?? 30_000) / 1000} s:\n${logs.join('\n')}`));
    }, opts.startTimeoutMs ?? 30_000);
    const onLine = (line: string) => {
      logs.push(line);
      const m = /listening on (https?):\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        scheme = m[1];
        resolve(Number(m[2]));
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    baseUrl: `${scheme}://127.0.0.1:${port}`,
    port,
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    process: child,
    logs,
    async stop() {
      const code = await new Promise<number | null>((resolve, reject) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        // The server exits by itself 10 s after SIGTERM at the latest (EXIT.shutdownTimeout);
        // a process still there after 30 s is killed and the test fails with its log.
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`server did not exit 30 s after SIGTERM:\n${logs.slice(-40).join('\n')}`));
        }, 30_000);
        child.once('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
        child.kill('SIGTERM');
      });
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** A tiny cookie-keeping HTTP client that behaves like the web console (CSRF header included). */
export class ApiClient {
  private cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}

  async login(username: string, password: string): Promise<Response> {
    const res = await this.request('POST', '/api/auth/login', { username, password });
    if (res.ok) {
      this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
      this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  request(method: string, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'x-workstation': 'e2e' };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(this.baseUrl + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  async json<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.request(method, url, body);
    if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}
