// 确认在岗 by the clock (R-DIS-3, issue 18; docs/design/duty.md "Periodic presence confirmation"),
// through the real HTTP stack on both databases with the test clock (no sleeps): during an exam or
// custody window each person checked in at the monitoring room must confirm presence with their own
// password every 30 min (the default). The status API gives each person's due time (the console's
// countdown); console requests of the logged-in person do not count as a confirmation; who misses it
// is checked out by the duty sweep as absent (`unconfirmed`, audited, logged), the alone-watch alarm
// goes up in the same transaction, live viewing from the workstation is refused, and the 值班记录 says so.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { DutyService } from '../../src/duty/duty-service.ts';
import { DutySweep } from '../../src/duty/duty-sweep.ts';
import { dutyOf } from '../../src/duty/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { PASSWORD, closeDay, examDay } from '../exams/fixture.ts';

const MIN = 60_000;
const EVERY_MS = 30 * MIN;

describe.each(DIALECTS)('duty: periodic presence confirmation (确认在岗) on %s (R-DIS-3)', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let duty: DutyService;
  let credential = '';
  let monitoringRoom = 0;
  let windowStartMs = 0;
  const people: string[] = [];
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string }); done(); } }));
  // Idle check-out far away (12 h): only the periodic confirmation decides here.
  const sweep = () => new DutySweep({ store: d.t.app.store, clock: d.t.clock, log, duty }, { idleCheckoutMs: 12 * 3600_000 });
  let headers: Record<string, string> = {};
  type Status = { presenceEveryMs: number; promptLeadMs: number; nowMs: number; rooms: Array<{ roomId: number; meetsTwoPerson: boolean; onDuty: Array<{ checkinId: number; name: string; confirmDueAtMs: number | null }> }> };
  const status = async () => ((await server.inject({ method: 'GET', url: '/api/duty/status', headers })).json() as Status);
  const room = async () => (await status()).rooms.find((r) => r.roomId === monitoringRoom)!;
  const liveToken = () => server.inject({ method: 'POST', url: '/api/live/token', headers, payload: { cameraIds: [d.cameras.r1front] } });
  const alarm = async () => {
    const body = await repos(d.t.app.store.db).duty.ownUplinkBody('duty.alarm', String(monitoringRoom));
    return body === null ? null : (JSON.parse(body) as { alone: boolean; onDuty: number });
  };

  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    duty = dutyOf(d.t.app);
    monitoringRoom = d.rooms['监控室'];
    credential = (await duty.enroll(d.admin, monitoringRoom, '监控室1号机')).credential;
    for (let i = 0; i < 2; i++) people.push((await d.user('operator', '南京市第一中学考点')).username);
    const siteRooms = Object.values(d.rooms);
    windowStartMs = Number((await d.t.app.store.db.selectFrom('room_window').select((eb) => eb.fn.min('start_ms').as('s')).where('room_id', 'in', siteRooms).executeTakeFirstOrThrow()).s);
    // Both check in an hour before the first window; people[0] is logged in on the console.
    d.t.clock.set(windowStartMs - 60 * MIN);
    for (const p of people) await duty.checkIn(d.admin, credential, { username: p, password: PASSWORD });
    await login();
  });
  /** people[0] logs in on the console (again after the clock jumped past the session's idle limit). */
  async function login() {
    const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: people[0], password: PASSWORD } });
    expect(res.statusCode, res.body).toBe(200);
    headers = { cookie: `${res.headers['set-cookie']!.toString().split(';')[0]}; xuncha_ws=${credential}`, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken };
  }
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('R-DIS-3: outside windows nobody is due; in a window each person is due 30 min after its start, and a confirmation restarts their own clock only', async () => {
    const before = await status();
    expect(before).toMatchObject({ presenceEveryMs: EVERY_MS, promptLeadMs: 5 * MIN });
    expect((await room()).onDuty.map((p) => p.confirmDueAtMs)).toEqual([null, null]);
    d.t.clock.set(windowStartMs + MIN);
    await login();
    expect((await room()).onDuty.map((p) => p.confirmDueAtMs)).toEqual([windowStartMs + EVERY_MS, windowStartMs + EVERY_MS]);
    // people[1] confirms at +20 min with their password on the console.
    d.t.clock.set(windowStartMs + 20 * MIN);
    const second = (await room()).onDuty[1];
    const ok = await server.inject({ method: 'POST', url: `/api/duty/checkins/${second.checkinId}/confirm`, headers, payload: { password: PASSWORD } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await room()).onDuty.map((p) => p.confirmDueAtMs)).toEqual([windowStartMs + EVERY_MS, windowStartMs + 20 * MIN + EVERY_MS]);
    expect((await liveToken()).statusCode).toBe(200);
  });

  it('R-DIS-3: the logged-in person\'s console requests are not a confirmation; missing it checks them out as absent: alarm upward, viewing refused, audited, in the 值班记录', async () => {
    // +25 min: people[0]'s console keeps polling (activity), which is not 确认在岗.
    d.t.clock.set(windowStartMs + 25 * MIN);
    expect((await server.inject({ method: 'GET', url: '/api/org/tree', headers })).statusCode).toBe(200);
    d.t.clock.set(windowStartMs + EVERY_MS - 1000);
    expect(await sweep().tick()).toMatchObject({ unconfirmed: 0 });
    expect((await room()).onDuty).toHaveLength(2);
    // Due: the next sweep (every 10 s in production) checks people[0] out as absent.
    d.t.clock.set(windowStartMs + EVERY_MS);
    expect(await sweep().tick()).toMatchObject({ unconfirmed: 1, idleCheckouts: 0 });
    const left = await room();
    expect(left.onDuty.map((p) => p.checkinId)).toHaveLength(1);
    expect(left.meetsTwoPerson).toBe(false);
    const row = await d.t.app.store.db.selectFrom('duty_checkin').select(['out_reason', 'checked_out_at_ms']).where('room_id', '=', monitoringRoom).where('out_reason', 'is not', null).executeTakeFirstOrThrow();
    expect([row.out_reason, Number(row.checked_out_at_ms)]).toEqual(['unconfirmed', windowStartMs + EVERY_MS]);
    // The alone-watch alarm went up in the check-out's transaction (R-DIS-3: within 60 s).
    expect(await alarm()).toMatchObject({ alone: true, onDuty: 1 });
    const audited = await d.t.app.store.db.selectFrom('audit_log').select(['username', 'detail']).where('action', '=', 'duty.checkout').execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ username: 'system:duty-sweep', detail: expect.stringContaining('"reason":"unconfirmed"') as unknown });
    expect(lines.some((l) => l.level === 30 && l.msg.includes('未按时确认在岗'))).toBe(true);
    // New viewing from the workstation is refused by the two-person rule.
    const refused = await liveToken();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ details: { rule: 'duty_two_person' } });
    const rec = await server.inject({ method: 'GET', url: `/api/duty/record?date=${new Date(windowStartMs + 8 * 3600_000).toISOString().slice(0, 10)}`, headers });
    expect(rec.body).toContain('未按时确认在岗');
    // people[0] checks in again (password): two again, viewing allowed, due 30 min from now.
    await duty.checkIn(d.admin, credential, { username: people[0], password: PASSWORD });
    expect((await liveToken()).statusCode).toBe(200);
    expect((await room()).onDuty.find((p) => p.name !== left.onDuty[0].name)?.confirmDueAtMs).toBe(windowStartMs + 2 * EVERY_MS);
  });
});
