// R-DIS-3: the viewer withdraws (撤回) their own remote-viewing request through the real HTTP stack on
// both databases (docs/design/duty.md "Cancelling a request"). A pending one is never decided; a
// granted one ends at once — a live token issued under it opens no new stream — and the new state is
// published upward in the same transaction (what the upper's 审批 table shows). Only the requester may
// cancel; every step, refusals too, is audited.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { actorFor } from '../../src/auth/auth-service.ts';
import { verifyMediaToken } from '../../src/auth/media-token.ts';
import { cameraForViewing } from '../../src/live/access.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { PASSWORD, bj, closeDay, examDay } from '../exams/fixture.ts';

describe.each(DIALECTS)('duty: the requester cancels a remote-viewing request on %s (R-DIS-3)', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  const u: Record<string, string> = {};
  const login: Record<string, { cookie: string; csrf: string }> = {};
  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    server.inject({ method, url, headers: { cookie: login[who].cookie, 'x-csrf-token': login[who].csrf }, payload });
  const token = (who: string) => call(who, 'POST', '/api/live/token', { cameraIds: [d.cameras.r1front] });
  const audits = async (action: string) => (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action, limit: 50 })).records.map((r) => r.outcome);
  const upward = async (id: number) => {
    const item = await d.t.app.store.db.selectFrom('uplink_item').select('body').where('topic', '=', 'duty.view_request').where('item_key', '=', String(id)).executeTakeFirstOrThrow();
    return JSON.parse(item.body!) as { state: string; cancelledAtMs: number | null; decidedBy: string | null };
  };
  const ask = async (who: string) => {
    const from = d.t.clock.nowMs();
    const res = await call(who, 'POST', '/api/duty/grants', { cameraIds: [d.cameras.r1front], reason: '在家远程巡查', fromMs: from, toMs: from + 3600_000 });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { id: number }).id;
  };

  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    u.admin = 'admin';
    u.op1 = (await d.user('operator', '南京市第一中学考点')).username;
    u.op2 = (await d.user('operator', '南京市第一中学考点')).username;
    u.city = (await d.user('admin', '南京市')).username;
    d.t.clock.set(bj('2026-06-07 10:00'));
    for (const [key, username] of Object.entries(u)) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: key === 'admin' ? ADMIN_PASSWORD : PASSWORD } });
      login[key] = { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    }
    // An enrolled workstation puts the rule in force at the site.
    expect((await call('admin', 'POST', '/api/duty/workstations', { roomId: d.rooms['监控室'], name: '监控室1号机' })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('R-DIS-3: a pending request withdrawn by its requester goes up as cancelled and can no longer be approved; another user cannot withdraw it', async () => {
    const id = await ask('op1');
    const other = await call('op2', 'POST', `/api/duty/grants/${id}/cancel`);
    expect(other.statusCode).toBe(403);
    expect((other.json() as { message: string }).message).toContain('只能撤回自己的申请');
    const res = await call('op1', 'POST', `/api/duty/grants/${id}/cancel`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'cancelled', cancelledAtMs: bj('2026-06-07 10:00'), mine: true, activeNow: false });
    expect(await upward(id)).toMatchObject({ state: 'cancelled', cancelledAtMs: bj('2026-06-07 10:00'), decidedBy: null });
    const decide = await call('city', 'POST', `/api/duty/grants/${id}/decision`, { approve: true });
    expect(decide.statusCode).toBe(409);
    expect((await call('op1', 'POST', `/api/duty/grants/${id}/cancel`)).statusCode).toBe(409);
    expect((await token('op1')).statusCode).toBe(403);
    expect(await audits('duty.grant.cancel')).toEqual(expect.arrayContaining(['ok', 'denied']));
  });

  it('R-DIS-3: a granted request withdrawn ends at once: new tokens refused, a token issued under it opens no new stream; the approver stays on record', async () => {
    const id = await ask('op1');
    expect((await call('city', 'POST', `/api/duty/grants/${id}/decision`, { approve: true, note: '同意' })).statusCode).toBe(200);
    const issued = await token('op1');
    expect(issued.statusCode, issued.body).toBe(200);
    const live = (issued.json() as { token: string }).token;
    d.t.clock.advance(10_000); // the live token (valid 60 s) is still valid
    const res = await call('op1', 'POST', `/api/duty/grants/${id}/cancel`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ state: 'cancelled', decidedBy: u.city, note: '同意', activeNow: false });
    const refused = await token('op1');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
    // The open live view: the token (still within its validity) is checked again on use and refused.
    const claims = verifyMediaToken(d.t.app.keys.mediaToken, live, d.t.app.clock.nowMs())!;
    expect(claims).toBeTruthy();
    const op1 = actorFor((await repos(d.t.app.store.db).users.get({ kind: 'all' }, claims.u))!, { ip: '127.0.0.1', workstation: 'test' });
    await expect(cameraForViewing(d.t.app, op1, claims, d.cameras.r1front)).rejects.toThrow('没有有效的远程调看授权');
    expect(await upward(id)).toMatchObject({ state: 'cancelled', decidedBy: u.city });
    const rec = (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.grant.cancel', outcome: 'ok', limit: 5 })).records[0];
    expect(JSON.parse(rec.detail ?? '{}')).toMatchObject({ previousState: 'approved', wasActive: true, decidedBy: u.city });
  });
});
