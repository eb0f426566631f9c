// Password policy of issue 13 (Low list), R-SEC-5 and R-ACC-1:
// - common passwords dressed up to pass the character rules (Password123, Qwerty12345, P@ssw0rd!)
//   are refused, by the policy and at the API when a user picks one;
// - the first start without XUNCHA_ADMIN_PASSWORD creates `admin` with a generated password that
//   must be changed: a login with it may do nothing else until it is;
// - a weak XUNCHA_ADMIN_PASSWORD is refused: nothing is seeded, and `xuncha serve` exits 2 naming
//   the variable and the policy.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { createApp } from '../../src/app.ts';
import type { App } from '../../src/app.ts';
import { passwordProblems } from '../../src/auth/password.ts';
import { loadConfig } from '../../src/config/config.ts';
import { AdminPasswordError, seedFirstStart } from '../../src/org/seed.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { login, request } from './http.ts';

const COMMON = ['Password123', 'Qwerty12345', 'P@ssw0rd!'];
const TOO_COMMON = /too common/;
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

describe('password policy: common passwords (R-SEC-5)', () => {
  it.each(COMMON)('%s is refused as too common', (pw) => {
    expect(passwordProblems(pw, 'someone')).toEqual(expect.arrayContaining([expect.stringMatching(TOO_COMMON)]));
  });

  it('a long, unlisted password of three classes passes (the list is not a blanket refusal)', () => {
    expect(passwordProblems('Kaochang-Xunjian-2026', 'someone')).toEqual([]);
  });
});

describe.each(DIALECTS)('first start on %s (R-SEC-5, R-ACC-1)', (dialect) => {
  let db: TestDatabase;
  let app: App;
  let server: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir: db.dataDir, databaseUrl: db.databaseUrl, logLevel: 'silent' } });
    app = await createApp(config, { clock: { nowMs: () => Date.now() } });
    server = await buildServer(app, pino({ level: 'silent' }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await server?.close();
    await app?.close();
    await db?.drop();
  });

  const users = async () => repos(app.store.db).users.byUsername('admin');
  const nodes = async () => repos(app.store.db).org.count();

  it('a weak XUNCHA_ADMIN_PASSWORD is refused with the policy\'s reasons and nothing is seeded', async () => {
    for (const pw of COMMON) {
      const err = await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: pw, sample: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdminPasswordError);
      expect((err as AdminPasswordError).message).toMatch(/XUNCHA_ADMIN_PASSWORD/);
      expect((err as AdminPasswordError).problems.join(' ')).toMatch(TOO_COMMON);
    }
    expect(await users()).toBeUndefined();
    expect(await nodes()).toBe(0);
  });

  it('without XUNCHA_ADMIN_PASSWORD the generated admin password works only to change it; a common new password is refused', async () => {
    const seeded = await seedFirstStart(app.store, app.audit, app.clock, { sample: false });
    const generated = seeded.generatedAdminPassword!;
    expect(generated).toBeTruthy();
    expect(passwordProblems(generated, 'admin')).toEqual([]);
    expect((await users())?.must_change_password).toBe(1);

    const c = await login(port, 'admin', generated, '127.0.0.21');
    expect(c.status).toBe(200);
    expect(c.body.user?.mustChangePassword).toBe(true);
    for (const [method, url] of [['GET', '/api/org/tree'], ['GET', '/api/users'], ['GET', '/api/audit']] as const) {
      const a = await request(port, method, url, undefined, c);
      expect(a.status, `${method} ${url}`).toBe(403);
      expect(a.body.error).toBe('password_change_required');
    }
    // The change itself obeys the policy.
    const weak = await request(port, 'POST', '/api/auth/password', { oldPassword: generated, newPassword: 'Password123' }, c);
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body)).toMatch(TOO_COMMON);
    expect((await request(port, 'GET', '/api/org/tree', undefined, c)).status).toBe(403);

    expect((await request(port, 'POST', '/api/auth/password', { oldPassword: generated, newPassword: 'Kaochang-Xunjian-2026' }, c)).status).toBe(200);
    expect((await request(port, 'GET', '/api/org/tree', undefined, c)).status).toBe(200);
    expect((await request(port, 'GET', '/api/auth/me', undefined, c)).body.user?.mustChangePassword).toBe(false);
    expect((await users())?.must_change_password).toBe(0);
  });
});

describe('xuncha serve with a weak XUNCHA_ADMIN_PASSWORD (R-SEC-5)', () => {
  it('exits 2 with a message naming the variable and the policy, before listening', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'xuncha-weak-admin-'));
    try {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/xuncha.mjs'), 'serve'], {
        cwd: dataDir,
        env: { ...process.env, XUNCHA_PORT: '0', XUNCHA_HOST: '127.0.0.1', XUNCHA_DATA_DIR: dataDir, XUNCHA_ADMIN_PASSWORD: 'Password123', XUNCHA_LOG_FORMAT: 'json' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      // A server that accepted the password would listen: it is stopped at once (the test fails), not left running.
      const collect = (d: Buffer) => {
        out += d.toString();
        if (/listening on/.test(out)) child.kill('SIGKILL');
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      expect(code, out).toBe(2);
      expect(out).toMatch(/XUNCHA_ADMIN_PASSWORD does not meet the password policy/);
      expect(out).toMatch(TOO_COMMON);
      expect(out).not.toMatch(/listening on/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
