// Real HTTP requests for the security tests: from a chosen loopback source address (127.0.0.x, so
// one test can be many clients), sent truly at once when called together (each its own socket).
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildServer } from '../../src/api/server.ts';
import type { TestApp } from '../helpers/app.ts';

export interface Answer {
  status: number;
  body: { error?: string; message?: string; csrfToken?: string; user?: { username: string; mustChangePassword?: boolean } } & Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  cookie?: string;
  ms: number;
}

export interface Caller {
  from?: string;
  cookie?: string;
  csrf?: string;
  headers?: Record<string, string>;
}

export async function listen(t: TestApp): Promise<{ server: FastifyInstance; port: number }> {
  const server = await buildServer(t.app, pino({ level: 'silent' }));
  await server.listen({ port: 0, host: '127.0.0.1' });
  const addr = server.server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

export function request(port: number, method: string, path: string, body?: unknown, c: Caller = {}): Promise<Answer> {
  const started = performance.now();
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        localAddress: c.from,
        agent: false,
        headers: {
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          ...(c.cookie ? { cookie: c.cookie } : {}),
          ...(c.csrf ? { 'x-csrf-token': c.csrf } : {}),
          ...c.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Answer['body'] = {};
          try {
            parsed = JSON.parse(text) as Answer['body'];
          } catch {
            parsed = { text };
          }
          const set = res.headers['set-cookie']?.find((x) => x.startsWith('xuncha_session='));
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers, cookie: set?.split(';')[0], ms: performance.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Logs in; the answer's status and body, and the caller (cookie, CSRF token) for further requests. */
export async function login(port: number, username: string, password: string, from?: string): Promise<Caller & { status: number; body: Answer['body'] }> {
  const a = await request(port, 'POST', '/api/auth/login', { username, password }, { from });
  return { status: a.status, body: a.body, cookie: a.cookie, csrf: a.body.csrfToken };
}
