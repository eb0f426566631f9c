// Duty discipline through the real HTTP stack on both databases (issue 18, docs/design/duty.md):
// R-DIS-1 check-in only at an enrolled workstation with the person's password, a replayed check-in
// refused; R-DIS-3 during the gaokao windows live viewing from the monitoring room needs two people
// checked in, from elsewhere an approved grant from the authority above that expires by itself; a
// forged workstation credential counts for nothing. Every refusal is audited; outside windows no rule.
import type { FastifyInstance } from 'fastify';
import { authenticator } from 'otplib';
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

describe.each(DIALECTS)('duty: workstations, check-in, two-person rule, remote grants on %s', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let wsCookie = '';
  let twoPresentToken = '';
  const u: Record<string, string> = {};
  const login: Record<string, { cookie: string; csrf: string }> = {};
  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>, extraCookie = '') =>
    server.inject({ method, url, headers: { cookie: [login[who].cookie, extraCookie].filter(Boolean).join('; '), 'x-csrf-token': login[who].csrf }, payload });
  const token = (who: string, extraCookie = '') => call(who, 'POST', '/api/live/token', { cameraIds: [d.cameras.r1front] }, extraCookie);
  const denied = async (action: string) => (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action, outcome: 'denied', limit: 500 })).total;
  async function loginAll() {
    for (const [key, username] of Object.entries(u)) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: key === 'admin' ? ADMIN_PASSWORD : PASSWORD } });
      expect(res.statusCode, res.body).toBe(200);
      login[key] = { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    }
  }

  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    u.admin = 'admin';
    u.op1 = (await d.user('operator', '南京市第一中学考点')).username;
    u.op2 = (await d.user('operator', '南京市第一中学考点')).username;
    u.city = (await d.user('admin', '南京市')).username;
    u.siteAdmin = (await d.user('admin', '南京市第一中学考点')).username;
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
  });
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('R-DIS-3: before any workstation is enrolled at the site, the rule is not in force (viewing as before)', async () => {
    expect((await token('op1')).statusCode).toBe(200);
  });

  it('R-DIS-1: an administrator enrolls this browser as a monitoring-room workstation (httpOnly cookie); an exam room is refused', async () => {
    expect((await call('admin', 'POST', '/api/duty/workstations', { roomId: d.rooms['第01考场'], name: '错' })).statusCode).toBe(400);
    expect((await call('op1', 'POST', '/api/duty/workstations', { roomId: d.rooms['监控室'], name: '越权' })).statusCode).toBe(403);
    const res = await call('admin', 'POST', '/api/duty/workstations', { roomId: d.rooms['监控室'], name: '监控室1号机' });
    expect(res.statusCode, res.body).toBe(200);
    const set = res.headers['set-cookie']!.toString();
    expect(set).toMatch(/xuncha_ws=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(res.body).not.toContain(set.split(';')[0].split('=')[1]);
    wsCookie = set.split(';')[0];
    const stored = await d.t.app.store.db.selectFrom('duty_workstation').select('credential_sha256').executeTakeFirstOrThrow();
    expect(stored.credential_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.credential_sha256).not.toBe(wsCookie.split('=')[1]);
  });

  it('R-DIS-3: in the exam window, viewing from a non-enrolled computer without a grant is refused in Chinese, audited', async () => {
    const before = await denied('duty.view');
    const res = await token('op1');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'forbidden', details: { rule: 'duty_remote_grant' } });
    expect((res.json() as { message: string }).message).toContain('须经上级考试机构批准');
    expect(await denied('duty.view')).toBe(before + 1);
  });

  it('R-DIS-1/R-DIS-3: a forged workstation credential counts for nothing: check-in refused, viewing refused, both audited, nothing stored', async () => {
    const forged = `xuncha_ws=${'A'.repeat(43)}`;
    const rejects = await denied('duty.workstation.reject');
    const ci = await call('op1', 'POST', '/api/duty/checkins', { username: u.op1, password: PASSWORD }, forged);
    expect(ci.statusCode).toBe(403);
    expect((ci.json() as { message: string }).message).toContain('已登记的监控室值班终端');
    expect((await token('op1', forged)).json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
    expect(await denied('duty.workstation.reject')).toBe(rejects + 2);
    expect(await d.t.app.store.db.selectFrom('duty_checkin').selectAll().execute()).toEqual([]);
  });

  it('R-DIS-3: at the workstation, one person checked in is not enough; the second person confirms on the same console; a replayed check-in is refused', async () => {
    expect((await token('op1', wsCookie)).json()).toMatchObject({ details: { rule: 'duty_two_person' } });
    const wrong = await call('op1', 'POST', '/api/duty/checkins', { username: u.op1, password: 'wrong-password-1' }, wsCookie);
    expect(wrong.statusCode).toBe(401);
    expect((await call('op1', 'POST', '/api/duty/checkins', { username: u.op1, password: PASSWORD }, wsCookie)).statusCode).toBe(200);
    const one = await token('op1', wsCookie);
    expect(one.statusCode).toBe(403);
    expect((one.json() as { message: string }).message).toContain('仅 1 人签到');
    // The second person checks in on op1's console with their own password.
    const second = await call('op1', 'POST', '/api/duty/checkins', { username: u.op2, password: PASSWORD }, wsCookie);
    expect(second.statusCode, second.body).toBe(200);
    const before = await denied('duty.checkin');
    expect((await call('op1', 'POST', '/api/duty/checkins', { username: u.op2, password: PASSWORD }, wsCookie)).statusCode).toBe(409);
    expect(await denied('duty.checkin')).toBe(before + 1);
    expect(await d.t.app.store.db.selectFrom('duty_checkin').selectAll().execute()).toHaveLength(2);
    const issued = await token('op1', wsCookie);
    expect(issued.statusCode).toBe(200);
    twoPresentToken = (issued.json() as { token: string }).token;
    const status = (await call('op1', 'GET', '/api/duty/status', undefined, wsCookie)).json() as { workstation: { name: string }; rooms: Array<{ meetsTwoPerson: boolean; onDuty: unknown[] }> };
    expect(status.workstation.name).toBe('监控室1号机');
    expect(status.rooms[0]).toMatchObject({ meetsTwoPerson: true });
  });

  it('R-DIS-3: the second person leaves → new viewing refused, the drop is published upward (duty.state) and audited', async () => {
    const status = (await call('op1', 'GET', '/api/duty/status')).json() as { rooms: Array<{ onDuty: Array<{ checkinId: number; name: string }> }> };
    const leaving = status.rooms[0].onDuty.find((p) => p.name === u.op2)!;
    expect((await call('op1', 'POST', `/api/duty/checkins/${leaving.checkinId}/checkout`)).statusCode).toBe(200);
    expect((await call('op1', 'POST', `/api/duty/checkins/${leaving.checkinId}/checkout`)).statusCode).toBe(404);
    const res = await token('op1', wsCookie);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ details: { rule: 'duty_two_person' } });
    // The token issued while two were present (valid 60 s) opens no new stream now: the rule is checked again on use.
    const claims = verifyMediaToken(d.t.app.keys.mediaToken, twoPresentToken, d.t.app.clock.nowMs())!;
    expect(claims.w).toBeGreaterThan(0);
    const op1 = actorFor((await repos(d.t.app.store.db).users.get({ kind: 'all' }, claims.u))!, { ip: '127.0.0.1', workstation: 'test' });
    await expect(cameraForViewing(d.t.app, op1, claims, d.cameras.r1front)).rejects.toThrow('考试/保密时段须两人在岗');
    const item = await d.t.app.store.db.selectFrom('uplink_item').selectAll().where('topic', '=', 'duty.state').executeTakeFirstOrThrow();
    expect(JSON.parse(item.body!)).toMatchObject({ onDuty: 1, belowTwo: true });
    // The alone-watch alarm goes to the level above in the same transaction (R-DIS-3: within 60 s).
    const alarm = await d.t.app.store.db.selectFrom('uplink_item').selectAll().where('topic', '=', 'duty.alarm').executeTakeFirstOrThrow();
    expect(JSON.parse(alarm.body!)).toMatchObject({ alone: true, onDuty: 1, windows: expect.arrayContaining(['exam']) as unknown });
    expect((JSON.parse(alarm.body!) as { message: string }).message).toContain('违反两人值守规定');
    expect((await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.checkout', outcome: 'ok', limit: 10 })).total).toBe(1);
    expect(await denied('duty.checkout')).toBe(1);
  });

  it('R-DIS-1: the 值班记录 of the day lists who checked in where and when and who left; the PDF prints it (audited)', async () => {
    const rec = (await call('op1', 'GET', '/api/duty/record?date=2026-06-07')).json() as { date: string; rooms: Array<{ roomName: string; workstations: string[]; checkins: Array<{ name: string; workstation: string; inMs: number; outMs: number | null; outReason: string | null }> }> };
    expect(rec.date).toBe('2026-06-07');
    const room = rec.rooms.find((r) => r.workstations.includes('监控室1号机'))!;
    expect(room.checkins).toEqual([
      expect.objectContaining({ name: u.op1, workstation: '监控室1号机', inMs: bj('2026-06-07 10:00'), outMs: null }),
      expect.objectContaining({ name: u.op2, workstation: '监控室1号机', outMs: bj('2026-06-07 10:00'), outReason: '签退' }),
    ]);
    // The day before has none of it (an open check-in runs on into the next day); a malformed date is refused.
    expect(((await call('op1', 'GET', '/api/duty/record?date=2026-06-06')).json() as { rooms: Array<{ checkins: unknown[] }> }).rooms.flatMap((r) => r.checkins)).toEqual([]);
    expect((await call('op1', 'GET', '/api/duty/record?date=2026-6-7')).statusCode).toBe(400);
    // The PDF is rendered from the same record whatever the database: printed once (a worker start costs seconds).
    if (dialect !== 'sqlite') return;
    const pdf = await call('op1', 'GET', '/api/duty/record.pdf?date=2026-06-07');
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.record.export', outcome: 'ok', limit: 10 })).total).toBe(1);
  });

  it('R-DIS-3: outside exam and custody windows the rule does not apply', async () => {
    d.t.clock.set(bj('2026-06-07 20:00'));
    await loginAll();
    expect((await token('op1')).statusCode).toBe(200);
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
  });

  it('R-DIS-1: a person with TOTP checks in with password and a current code; no code, or the same code replayed, is refused and audited', async () => {
    const person = (await d.user('operator', '南京市第一中学考点')).username;
    const r = repos(d.t.app.store.db);
    const secret = authenticator.generateSecret();
    await r.users.update((await r.users.byUsername(person))!.id, { totp_secret_enc: d.t.app.box.seal(secret), totp_enabled: 1 });
    // Codes of the server's clock (the test clock), as the person's phone would show at that moment.
    const codeAt = (offsetS: number) => authenticator.clone({ epoch: d.t.clock.nowMs() + offsetS * 1000 }).generate(secret);
    const checkin = (totp?: string) => call('op1', 'POST', '/api/duty/checkins', { username: person, password: PASSWORD, ...(totp ? { totp } : {}) }, wsCookie);
    const reasons = async () => (await d.t.app.store.db.selectFrom('audit_log').select('detail').where('action', '=', 'duty.checkin').where('outcome', '=', 'denied').execute()).map((x) => (JSON.parse(x.detail ?? '{}') as { reason?: string }).reason);
    const missing = await checkin();
    expect(missing.statusCode).toBe(401);
    expect((missing.json() as { message: string }).message).toContain('动态验证码');
    const code = codeAt(0);
    const ok = await checkin(code);
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await call('op1', 'POST', `/api/duty/checkins/${(ok.json() as { id: number }).id}/checkout`)).statusCode).toBe(200);
    // The same code a second time (e.g. read over the shoulder, or the request replayed): refused although the password is right.
    const replayed = await checkin(code);
    expect(replayed.statusCode).toBe(401);
    expect(await reasons()).toEqual(expect.arrayContaining(['wrong or missing one-time code', 'replayed one-time code']));
    // The next code is accepted: the refusal was the replay, nothing else.
    const next = await checkin(codeAt(30));
    expect(next.statusCode, next.body).toBe(200);
    expect((await call('op1', 'POST', `/api/duty/checkins/${(next.json() as { id: number }).id}/checkout`)).statusCode).toBe(200);
    const rows = await d.t.app.store.db.selectFrom('duty_checkin').selectAll().where('user_name', '=', person).execute();
    expect(rows).toHaveLength(2);
  });

  it('R-DIS-3: a remote request approved by the authority above is a grant that expires by itself; the site itself cannot approve; every step audited', async () => {
    const from = bj('2026-06-07 10:00');
    const req = await call('op1', 'POST', '/api/duty/grants', { cameraIds: [d.cameras.r1front], reason: '在家远程巡查', fromMs: from, toMs: from + 30 * 60_000 });
    expect(req.statusCode, req.body).toBe(200);
    const id = (req.json() as { id: number }).id;
    expect((await token('op1')).statusCode).toBe(403);
    // The site's own administrator is not the authority above.
    expect((await call('siteAdmin', 'POST', `/api/duty/grants/${id}/decision`, { approve: true })).statusCode).toBe(403);
    const ok = await call('city', 'POST', `/api/duty/grants/${id}/decision`, { approve: true, note: '同意' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'approved', activeNow: true });
    expect((await call('city', 'POST', `/api/duty/grants/${id}/decision`, { approve: false })).statusCode).toBe(409);
    // Every view under the grant is audited with the grant that allowed it.
    const views = async () => (await d.t.app.store.db.selectFrom('audit_log').select('detail').where('action', '=', 'duty.view').where('outcome', '=', 'ok').where('username', '=', u.op1).orderBy('seq').execute()).map((x) => JSON.parse(x.detail ?? '{}') as { grantIds?: number[] });
    const before = (await views()).length;
    expect((await token('op1')).statusCode).toBe(200);
    expect((await token('op1')).statusCode).toBe(200);
    const after = await views();
    expect(after).toHaveLength(before + 2);
    expect(after.slice(-2).map((v) => v.grantIds)).toEqual([[id], [id]]);
    // The grant ends by itself.
    d.t.clock.set(from + 30 * 60_000);
    await loginAll();
    const expired = await token('op1');
    expect(expired.statusCode).toBe(403);
    expect(expired.json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
    const actions = (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.grant', limit: 50 })).records.map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['duty.grant.request:ok', 'duty.grant.approve:denied', 'duty.grant.approve:ok']));
  });
});
