// Direct TLS (issue 13, R-SEC-5): the API server with tls.certFile/keyFile read from
// XUNCHA_TLS_CERT_FILE / XUNCHA_TLS_KEY_FILE and a self-signed certificate made by openssl here.
// It answers over HTTPS only, and its session cookie is Secure. (In-process rather than through
// `xuncha serve`: same server factory, seconds instead of half a minute of process start.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildServer } from '../../src/api/server.ts';
import { TlsFileError } from '../../src/api/http-front.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

function httpsRequest(port: number, ca: Buffer | undefined, method: string, urlPath: string, body?: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path: urlPath, ca, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

describe('TLS served directly (issue 13, R-SEC-5)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const tls = loadConfig({ env: { XUNCHA_TLS_CERT_FILE: cert, XUNCHA_TLS_KEY_FILE: key }, file: '/dev/null' }).tls;
    expect(tls).toEqual({ certFile: cert, keyFile: key });
    t = await createTestApp('sqlite', { sample: false, config: { tls } });
    server = await buildServer(t.app, pino({ level: 'silent' }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    const addr = server.server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unreadable key file is a clear configuration error', async () => {
    const cfg = t.app.config as { tls?: { certFile: string; keyFile: string } };
    const good = cfg.tls;
    cfg.tls = { certFile: cert, keyFile: path.join(dir, 'missing.pem') };
    try {
      await expect(buildServer(t.app, pino({ level: 'silent' }))).rejects.toThrow(TlsFileError);
    } finally {
      cfg.tls = good;
    }
  });

  it('answers over HTTPS with the configured certificate; the session cookie is Secure; plain HTTP gets no answer', async () => {
    const ca = readFileSync(cert);
    expect((await httpsRequest(port, ca, 'GET', '/api/health')).status).toBe(200);
    const login = await httpsRequest(port, ca, 'POST', '/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    const cookie = login.headers['set-cookie']!.find((c) => c.startsWith('xuncha_session='))!;
    expect(cookie).toMatch(/;\s*Secure/i);
    // A client that does not trust the certificate is refused by the TLS handshake.
    await expect(httpsRequest(port, undefined, 'GET', '/api/health')).rejects.toThrow(/self[- ]signed/i);
    const plain = await new Promise<string>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: port, path: '/api/health' }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    expect(plain).not.toBe('status 200');
  });
});
