// The duty sweep with the test clock (R-DIS-3, issue 18 item 3, docs/design/duty.md): a window that
// *starts* while fewer than two people are checked in raises the alone-watch alarm (duty.alarm, for
// the level above) on the sweep's next pass — within 15 s — and once only; a person who showed no
// presence for the configured idle time is checked out as idle (audited, logged at info, the drop
// published upward like any check-out). Presence is per person: the session user's own requests
// carrying the workstation's credential, or 确认在岗 (their password on the console). Custody review (gaokao secrecy rule): every 6 h of a
// paper-custody window is a review task a named person signs; unsigned an hour after its period it
// is overdue and goes upward once. Both databases, through the real HTTP stack.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { DutyService } from '../../src/duty/duty-service.ts';
import { DUTY_SWEEP_INTERVAL_MS, DutySweep } from '../../src/duty/duty-sweep.ts';
import { dutyOf } from '../../src/duty/index.ts';
import { createUplinkModule } from '../../src/uplink/index.ts';
import { REVIEW_EVERY_MS, REVIEW_GRACE_MS, ReviewService } from '../../src/duty/review-service.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { PASSWORD, closeDay, examDay } from '../exams/fixture.ts';

const IDLE_MS = 30 * 60_000;

describe.each(DIALECTS)('duty sweep: window start and idle check-out on %s', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let duty: DutyService;
  let credential = '';
  let monitoringRoom = 0;
  let windowStartMs = 0;
  const people: string[] = [];
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string }); done(); } }));
  // The periodic 确认在岗 is tested in duty-presence.api.test.ts; here it is set to 12 h so that idleness alone decides.
  const sweep = (intervalMs?: number) => new DutySweep({ store: d.t.app.store, clock: d.t.clock, log, duty }, { idleCheckoutMs: IDLE_MS, intervalMs, presenceEveryMs: 12 * 3600_000 });
  const alarm = async () => {
    const body = await repos(d.t.app.store.db).duty.ownUplinkBody('duty.alarm', String(monitoringRoom));
    return body === null ? null : (JSON.parse(body) as { alone: boolean; onDuty: number; message: string; atMs: number; windows: string[] });
  };
  const checkIn = async (username: string) => (await duty.checkIn(d.admin, credential, { username, password: PASSWORD })).id;

  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    duty = dutyOf(d.t.app);
    monitoringRoom = d.rooms['监控室'];
    credential = (await duty.enroll(d.admin, monitoringRoom, '监控室1号机')).credential;
    for (let i = 0; i < 2; i++) people.push((await d.user('operator', '南京市第一中学考点')).username);
    // The first exam or custody window of the site's rooms (the custody room's opens before the session).
    const siteRooms = Object.values(d.rooms);
    windowStartMs = Number((await d.t.app.store.db.selectFrom('room_window').select((eb) => eb.fn.min('start_ms').as('s')).where('room_id', 'in', siteRooms).executeTakeFirstOrThrow()).s);
    expect(windowStartMs).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('R-DIS-3: one person on duty before the window: no alarm; the window starts: the sweep raises the alone-watch alarm within 15 s, once; a second person clears it', async () => {
    expect(DUTY_SWEEP_INTERVAL_MS).toBeLessThanOrEqual(15_000);
    d.t.clock.set(windowStartMs - 60_000);
    await checkIn(people[0]);
    d.t.clock.set(windowStartMs - 1000);
    expect(await sweep().tick()).toMatchObject({ idleCheckouts: 0, alarms: 0 });
    expect(await alarm()).toBeNull();
    // 5 s into the window the running sweep (a short interval here, real timers) publishes the alarm.
    d.t.clock.set(windowStartMs + 5000);
    const running = sweep(20);
    running.start();
    await vi.waitFor(async () => expect(await alarm()).not.toBeNull(), { timeout: 5000, interval: 20 });
    await running.stop();
    const raised = (await alarm())!;
    expect(raised).toMatchObject({ alone: true, onDuty: 1, atMs: windowStartMs + 5000 });
    expect(raised.message).toContain('违反两人值守规定');
    expect(lines.some((l) => l.level === 40 && l.msg.includes('在岗不足两人'))).toBe(true);
    // Still alone on the next pass: nothing new is sent.
    d.t.clock.set(windowStartMs + 15_000);
    expect(await sweep().tick()).toMatchObject({ idleCheckouts: 0, alarms: 0 });
    expect((await alarm())!.atMs).toBe(windowStartMs + 5000);
    await checkIn(people[1]);
    expect(await alarm()).toMatchObject({ alone: false, onDuty: 2 });
    expect(await sweep().tick()).toMatchObject({ idleCheckouts: 0, alarms: 0 });
  });

  it('R-DIS-1/R-DIS-3: idle is measured per person — the logged-in person by their own requests from the workstation, the second person by 确认在岗 (password on the console); each silent for the idle time is checked out alone (audited, logged at info) and the alarm goes up', async () => {
    // people[0] is logged in on the console; people[1] only checked in there (no session of their own).
    const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: people[0], password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    const session = login.headers['set-cookie']!.toString().split(';')[0];
    const csrf = (login.json() as { csrfToken: string }).csrfToken;
    const headers = { cookie: `${session}; xuncha_ws=${credential}`, 'x-csrf-token': csrf };
    const open = async () => await repos(d.t.app.store.db).duty.openCheckins({ kind: 'all' }, { roomId: monitoringRoom });
    const [first, second] = await open();
    expect([first.user_id, second.user_id]).toEqual([(await d.t.actor(people[0])).userId, (await d.t.actor(people[1])).userId]);
    // people[1] confirms at +10 min with their password on the same console (people[0]'s session: people[0] is
    // present too); a wrong password, or the right one from another computer, changes nothing (audited).
    const confirmAt = windowStartMs + 10 * 60_000;
    d.t.clock.set(confirmAt);
    const wrong = await server.inject({ method: 'POST', url: `/api/duty/checkins/${second.id}/confirm`, headers, payload: { password: 'not-the-password' } });
    expect(wrong.statusCode).toBe(401);
    expect((wrong.json() as { message: string }).message).toContain('确认在岗失败');
    expect((await server.inject({ method: 'POST', url: `/api/duty/checkins/${second.id}/confirm`, headers: { cookie: session, 'x-csrf-token': csrf }, payload: { password: PASSWORD } })).statusCode).toBe(403);
    expect((await open()).map((c) => c.last_present_via)).toEqual(['activity', null]);
    const confirmed = await server.inject({ method: 'POST', url: `/api/duty/checkins/${second.id}/confirm`, headers, payload: { password: PASSWORD } });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ id: second.id, lastPresentAtMs: confirmAt });
    const confirms = await d.t.app.store.db.selectFrom('audit_log').select(['outcome']).where('action', '=', 'duty.presence.confirm').orderBy('seq').execute();
    expect(confirms.map((a) => a.outcome)).toEqual(['denied', 'denied', 'ok']);
    // At +25 min a logged-in request from the workstation (the org tree, as the wall's polls would) is people[0]'s presence only.
    const activeAt = windowStartMs + 25 * 60_000;
    d.t.clock.set(activeAt);
    expect((await server.inject({ method: 'GET', url: '/api/org/tree', headers })).statusCode).toBe(200);
    const ws = await d.t.app.store.db.selectFrom('duty_workstation').select('last_seen_at_ms').where('room_id', '=', monitoringRoom).executeTakeFirstOrThrow();
    expect(Number(ws.last_seen_at_ms)).toBe(activeAt);
    expect((await open()).map((c) => [c.last_present_at_ms, c.last_present_via])).toEqual([[activeAt, 'activity'], [confirmAt, 'confirm']]);
    const status = (await server.inject({ method: 'GET', url: '/api/duty/status', headers })).json() as { rooms: Array<{ roomId: number; onDuty: Array<{ checkinId: number; lastPresentAtMs: number }> }> };
    expect(status.rooms.find((r) => r.roomId === monitoringRoom)!.onDuty.map((p) => p.lastPresentAtMs)).toEqual([activeAt, confirmAt]);
    // A minute short of people[1]'s idle time: both stay.
    d.t.clock.set(confirmAt + IDLE_MS - 60_000);
    expect(await sweep().tick()).toMatchObject({ idleCheckouts: 0, alarms: 0 });
    expect(await open()).toHaveLength(2);
    // people[1]'s idle time reached: only people[1] goes, although people[0]'s console kept polling; one left in the window: the alarm goes up.
    d.t.clock.set(confirmAt + IDLE_MS);
    expect(await sweep().tick()).toMatchObject({ idleCheckouts: 1, alarms: 0 });
    expect((await open()).map((c) => c.id)).toEqual([first.id]);
    expect(await alarm()).toMatchObject({ alone: true, onDuty: 1 });
    // people[0]'s idle time (from their last request) reached: checked out too.
    d.t.clock.set(activeAt + IDLE_MS);
    expect(await sweep().tick()).toMatchObject({ idleCheckouts: 1, alarms: 0 });
    const rows = await d.t.app.store.db.selectFrom('duty_checkin').select(['id', 'out_reason', 'checked_out_at_ms']).where('room_id', '=', monitoringRoom).orderBy('id').execute();
    expect(rows.map((r) => [r.id, r.out_reason, Number(r.checked_out_at_ms)])).toEqual([[first.id, 'idle', activeAt + IDLE_MS], [second.id, 'idle', confirmAt + IDLE_MS]]);
    const audited = await d.t.app.store.db.selectFrom('audit_log').select(['username', 'outcome', 'detail']).where('action', '=', 'duty.checkout').execute();
    expect(audited).toHaveLength(2);
    for (const a of audited) expect(a).toMatchObject({ username: 'system:duty-sweep', outcome: 'ok', detail: expect.stringContaining('"reason":"idle"') as unknown });
    expect(lines.filter((l) => l.level === 30 && l.msg.includes('已自动签退'))).toHaveLength(2);
    // Nobody left in the exam window: the alone-watch alarm says so.
    expect(await alarm()).toMatchObject({ alone: true, onDuty: 0 });
    // The 值班记录 shows how they left (a new login: the old one went idle too).
    const again = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: people[0], password: PASSWORD } });
    const rec = await server.inject({ method: 'GET', url: '/api/duty/record?date=2026-06-07', headers: { cookie: again.headers['set-cookie']!.toString().split(';')[0] } });
    expect(rec.body).toContain('长时间未确认在岗自动签退');
  });

  it('custody review (R-DIS-3 custody windows, gaokao secrecy rule): a task per 6 h of the custody window, signed by a named person; overdue ones go upward once', async () => {
    const reviews = new ReviewService({ store: d.t.app.store, audit: d.t.app.audit, clock: d.t.clock, log, publish: (trx, item) => createUplinkModule(d.t.app).service.publish(trx, item) });
    const w = await d.t.app.store.db.selectFrom('room_window').selectAll().where('kind', '=', 'custody').where('room_id', '=', d.rooms['试卷保密室']).orderBy('start_ms').executeTakeFirstOrThrow();
    const start = Number(w.start_ms);
    const firstEnd = Math.min(start + REVIEW_EVERY_MS, Number(w.end_ms));
    const s = new DutySweep({ store: d.t.app.store, clock: d.t.clock, log, duty, reviews }, { idleCheckoutMs: IDLE_MS });
    const mine = async () => (await reviews.list(d.admin, start, Number(w.end_ms))).filter((t) => t.roomId === d.rooms['试卷保密室']);
    d.t.clock.set(start + 60_000);
    expect((await s.tick()).reviewsCreated).toBeGreaterThanOrEqual(1);
    const [task] = await mine();
    expect(task).toMatchObject({ roomName: '试卷保密室', periodFromMs: start, periodToMs: firstEnd, dueAtMs: firstEnd + REVIEW_GRACE_MS, state: 'running', signedBy: null });
    expect((await s.tick()).reviewsCreated).toBe(0);
    // Signing before the period is over is refused: the footage is not all there.
    const signer = await d.t.actor(people[1]);
    await expect(reviews.sign(signer, task.id, '已回看')).rejects.toMatchObject({ code: 'conflict' });
    d.t.clock.set(firstEnd + 30 * 60_000);
    expect((await mine())[0].state).toBe('due');
    expect((await s.tick()).reviewsOverdue).toBe(0);
    // Not signed an hour after the period: overdue, sent upward once, logged at warn.
    d.t.clock.set(firstEnd + REVIEW_GRACE_MS + 1000);
    expect((await mine())[0].state).toBe('overdue');
    expect((await s.tick()).reviewsOverdue).toBeGreaterThanOrEqual(1);
    expect((await s.tick()).reviewsOverdue).toBe(0);
    const up = async () => JSON.parse((await repos(d.t.app.store.db).duty.ownUplinkBody('duty.review', String(task.id)))!) as { overdue: boolean; state: string; signedBy: string | null };
    expect(await up()).toMatchObject({ overdue: true, state: 'overdue' });
    expect(lines.some((l) => l.level === 40 && l.msg.includes('回看任务逾期'))).toBe(true);
    // The named person signs (late): audited, shown as signed, the upper's alarm cleared; only once.
    const signed = await reviews.sign(signer, task.id, '已回看 08:00–14:00 保密室录像，无异常');
    expect(signed).toMatchObject({ state: 'signed', signedBy: people[1], note: '已回看 08:00–14:00 保密室录像，无异常' });
    expect(await up()).toMatchObject({ overdue: false, state: 'signed', signedBy: people[1] });
    const audit = (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.review.sign', limit: 5 })).records;
    expect(audit.map((a) => [a.username, (JSON.parse(a.detail!) as { late: boolean }).late])).toEqual([[people[1], true]]);
    await expect(reviews.sign(d.admin, task.id, '再签一次')).rejects.toMatchObject({ code: 'conflict' });
  });
});
