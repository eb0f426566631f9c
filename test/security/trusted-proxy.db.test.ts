// Issue 13, Low list, through the real HTTP server on both databases:
// - behind a configured TLS-terminating proxy the session cookie is Secure and the client address
//   is the forwarded one; the same headers from anyone else are ignored (R-SEC-5, R-ACC-1);
// - a password that must change (set by an administrator) allows nothing but changing it,
//   reading oneself and logging out (R-SEC-5, R-SEC-4);
// - an out-of-scope GET /api/cameras/:id/schedules is 404 and the refusal audited (R-SEC-4, R-ACC-1).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { listen, login, request } from './http.ts';

const PROXY = '127.0.0.2';
const PW = 'Gate-Test-Passw0rd';

describe.each(DIALECTS)('HTTP front and session gates on %s (issue 13)', (dialect) => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { realClock: true, config: { trustedProxies: [PROXY] } });
    ({ server, port } = await listen(t));
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('R-SEC-5: X-Forwarded-Proto https from the trusted proxy makes the cookie Secure and X-Forwarded-For the client; from others both are ignored', async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' };
    const body = { username: 'admin', password: ADMIN_PASSWORD };
    const viaProxy = await request(port, 'POST', '/api/auth/login', body, { from: PROXY, headers });
    expect(viaProxy.status).toBe(200);
    const set = viaProxy.headers['set-cookie']!.find((c) => c.startsWith('xuncha_session='))!;
    expect(set).toMatch(/;\s*Secure/i);
    expect(set).toMatch(/HttpOnly/i);
    const plainProxy = await request(port, 'POST', '/api/auth/login', body, { from: PROXY });
    expect(plainProxy.headers['set-cookie']!.find((c) => c.startsWith('xuncha_session='))).not.toMatch(/Secure/i);
    const spoofed = await request(port, 'POST', '/api/auth/login', body, { from: '127.0.0.3', headers });
    expect(spoofed.status).toBe(200);
    expect(spoofed.headers['set-cookie']!.find((c) => c.startsWith('xuncha_session='))).not.toMatch(/Secure/i);
    const logins = (await repos(t.app.store.db).audit.list({ kind: 'all' }, { username: 'admin', action: 'auth.login' })).records.map((r) => r.ip);
    expect(logins).toContain('203.0.113.7');
    expect(logins).toContain('127.0.0.3');
  });

  it('R-SEC-5: a password reset by an administrator must be changed before anything else', async () => {
    const admin = await t.actor('admin');
    const city = (await t.app.org.tree(admin)).find((n) => n.kind === 'city')!;
    const u = await t.app.users.create(admin, { username: 'gate_op', displayName: '测试', role: 'operator', orgNodeId: city.id, password: PW });
    await t.app.users.update(admin, u.id, { password: `${PW}-reset` });
    const c = await login(port, 'gate_op', `${PW}-reset`, '127.0.0.4');
    expect(c.status).toBe(200);
    expect(c.body.user?.mustChangePassword).toBe(true);
    expect((await request(port, 'GET', '/api/auth/me', undefined, c)).status).toBe(200);
    for (const [method, url] of [['GET', '/api/org/tree'], ['GET', '/api/alarms'], ['POST', '/api/auth/totp/setup']] as const) {
      const a = await request(port, method, url, method === 'POST' ? {} : undefined, c);
      expect(a.status, `${method} ${url}`).toBe(403);
      expect(a.body.error).toBe('password_change_required');
    }
    expect((await request(port, 'POST', '/api/auth/password', { oldPassword: `${PW}-reset`, newPassword: 'Brand-New-Passw0rd' }, c)).status).toBe(200);
    expect((await request(port, 'GET', '/api/org/tree', undefined, c)).status).toBe(200);
    expect((await request(port, 'GET', '/api/auth/me', undefined, c)).body.user?.mustChangePassword).toBe(false);
  });

  it('R-SEC-4, R-ACC-1: another district\'s camera schedules → 404, refusal audited', async () => {
    const admin = await t.actor('admin');
    const tree = await t.app.org.tree(admin);
    const xuanwu = tree.find((n) => n.name === '玄武区')!;
    const room = (await repos(t.app.store.db).rooms.list({ kind: 'all' }))[0];
    const cam = await t.app.devices.createCamera(admin, { roomId: room.id, name: '前门', position: 'front', sourceKind: 'rtsp', mainStream: '/main', subStream: '/sub', host: '127.0.0.1', port: 554 });
    await t.app.users.create(admin, { username: 'xw_gate', displayName: '玄武', role: 'operator', orgNodeId: xuanwu.id, password: PW });
    const c = await login(port, 'xw_gate', PW, '127.0.0.5');
    expect((await request(port, 'GET', `/api/cameras/${cam.id}/schedules`, undefined, c)).status).toBe(404);
    const denied = (await repos(t.app.store.db).audit.list({ kind: 'all' }, { username: 'xw_gate', outcome: 'denied', action: 'recording.schedule.list' })).records;
    expect(denied.map((r) => r.object_id)).toContain(String(cam.id));
  });
});
