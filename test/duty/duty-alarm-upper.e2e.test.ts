// The alone-watch alarm reaches the level above (R-DIS-3, issue 18 item 3): two real nodes on
// loopback — a site registered over GB/T 28181 (SIP) to a city, its node-to-node channel (uplink)
// to the city's API. In an exam window at the site, one person checks in at the monitoring room's
// enrolled workstation (already an alarm), a second joins (cleared), the second checks out. Within 60 s the city has (1) the `duty.alarm`
// item (alone) through the channel, readable by a city user over `GET /api/uplink/items` — what
// the wall's duty panel shows — and (2) a GB/T 28181 alarm (AlarmMethod 7) whose DeviceID is the
// monitoring room's GB code. The second person back clears the item; no second GB alarm is sent.
// An overdue custody review (保密室回看, not signed an hour after its 6-hour period) goes up the same
// way: the `duty.review` item (overdue) and a GB alarm whose DeviceID is the secrecy room's GB code;
// signing it clears the item and sends no GB alarm.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { dutyOf, reviewsOf } from '../../src/duty/index.ts';
import type { CascadeAlarmEvent } from '../../src/events/bus.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createUplinkModule } from '../../src/uplink/index.ts';
import type { UplinkModule } from '../../src/uplink/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { CITY, SITE, addLower, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

const SENDER = { pollMs: 200, heartbeatMs: 1000, backoffMinMs: 100, backoffMaxMs: 500, timeoutMs: 5000 };
const PERSON_PASSWORD = 'Duty-Alarm-Passw0rd';
const MIN = 60_000;

describe('duty.alarm at the level above: uplink item and GB/T 28181 alarm (R-DIS-3)', () => {
  let city: Level;
  let site: Level;
  let cityServer: FastifyInstance;
  let cityUplink: UplinkModule;
  let siteUplink: UplinkModule;
  let credential = '';
  let monitoringRoom = { id: 0, gbCode: '' };
  const cityAlarms: CascadeAlarmEvent[] = [];

  beforeAll(async () => {
    city = await startLevel(CITY);
    await city.cascade.start();
    city.cascade.on('alarm', (a) => cityAlarms.push(a));
    await addLower(city, SITE.id, '南京市第一中学考点');
    cityUplink = createUplinkModule(city.t.app, { settings: city.cascade.settings, sender: SENDER, watchMs: 200 });
    await cityUplink.start();
    cityServer = await buildServer(city.t.app, pino({ level: 'silent' }));
    await cityServer.listen({ port: 0, host: '127.0.0.1' });
    const addr = cityServer.server.address();
    const cityUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

    const upperPort = city.cascade.node!.transport.udpPort!;
    site = await startLevel(SITE, city);
    // The same upper, plus its node-to-node channel (gb28181.upper.uplinkUrl).
    const sip = { ...site.cascade.settings!, upper: { ...site.cascade.settings!.upper!, port: upperPort, uplinkUrl: cityUrl } };
    site.cascade.settings!.upper = sip.upper;
    siteUplink = createUplinkModule(site.t.app, { settings: sip, sender: SENDER, watchMs: 200 });
    await siteUplink.start();
    await site.cascade.start();
    await until('site registered at the city', () => site.cascade.link?.registered === true, 20_000);

    // An exam at the site whose session starts in 20 min: the exam rooms' windows (30 min before) are open now.
    const app = site.t.app;
    const admin = await site.t.actor('admin');
    const tree = await app.org.tree(admin);
    const siteNode = tree.find((n) => n.name === '南京市第一中学考点')!;
    const room = siteNode.rooms!.find((r) => r.name === '监控室')!;
    const row = (await repos(app.store.db).rooms.get({ kind: 'all' }, room.id))!;
    monitoringRoom = { id: room.id, gbCode: row.gb_code };
    const exam = await app.exams.exams.create(admin, { name: '两人值守告警演练', kind: 'gaokao' });
    await app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    const start = Date.now() + 20 * MIN;
    await app.exams.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: start, endMs: start + 60 * MIN }]);
    await app.users.create(admin, { username: 'duty_second', displayName: '第二值班员', role: 'operator', orgNodeId: siteNode.id, password: PERSON_PASSWORD });
    credential = (await dutyOf(app).enroll(admin, room.id, '监控室1号机')).credential;
  }, 90_000);

  afterAll(async () => {
    await cityServer?.close();
    await siteUplink?.stop();
    await cityUplink?.stop();
    await stopLevels([site, city]);
  });

  it('R-DIS-3: the second person checks out in an exam window → the city shows duty.alarm (channel and API) and receives a GB alarm for the monitoring room, within 60 s', async () => {
    const app = site.t.app;
    const duty = dutyOf(app);
    const admin = await site.t.actor('admin');
    expect(createUplinkModule(app)).toBe(siteUplink); // duty publishes through the channel under test
    const aloneAtCity = async () => (await cityUplink.service.list(SYSTEM_ACTOR, { topic: 'duty.alarm' })).some((i) => (i.body as { alone: boolean }).alone);
    const gbDuty = (from: number) => cityAlarms.slice(from).filter((a) => a.deviceId === monitoringRoom.gbCode && a.method === 7);
    // One person checked in during the window is already an alarm at the city.
    const gb0 = cityAlarms.length;
    await duty.checkIn(admin, credential, { username: 'admin', password: ADMIN_PASSWORD });
    await until('first alone alarm at the city', async () => (await aloneAtCity()) && gbDuty(gb0).length === 1, 60_000);
    // The second person checks in: the item clears at the city.
    const second = await duty.checkIn(admin, credential, { username: 'duty_second', password: PERSON_PASSWORD });
    await until('duty.alarm cleared, duty.state two', async () => !(await aloneAtCity()) && (await cityUplink.service.list(SYSTEM_ACTOR, { topic: 'duty.state' })).some((i) => (i.body as { onDuty: number }).onDuty === 2), 30_000);
    // GB alarm times have one-second resolution and the upper merges identical alarms of the same second.
    await new Promise((r) => setTimeout(r, 1100));

    const gbBefore = cityAlarms.length;
    const t0 = Date.now();
    await duty.checkOut(admin, second.id, 'manual');
    await until('duty.alarm (alone) at the city', aloneAtCity, 60_000);
    const itemMs = Date.now() - t0;
    await until('GB/T 28181 duty alarm at the city', () => gbDuty(gbBefore).length === 1, 60_000);
    const gbMs = Date.now() - t0;
    console.log(`duty.alarm at the city after ${itemMs} ms (uplink), GB/T 28181 alarm after ${gbMs} ms (limit 60000 ms)`);
    expect(gbMs).toBeLessThan(60_000);
    const gb = cityAlarms.slice(gbBefore).find((a) => a.deviceId === monitoringRoom.gbCode)!;
    expect(gb).toMatchObject({ lowerSipId: SITE.id, priority: 1, method: 7 });
    expect(gb.description).toContain('两人值守告警');
    expect(gb.description).toContain('仅 1 人在岗');
    // Stored and listed at the city like any lower's alarm (the console's 级联告警 page).
    const listed = await city.cascade.service.alarms(await city.t.actor('admin'), { lowerId: gb.lowerId, limit: 20 });
    expect(listed.some((a) => a.deviceId === monitoringRoom.gbCode && a.method === 7)).toBe(true);

    // A city user reads it over HTTP as the duty panel does.
    const login = await cityServer.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    const cookie = login.headers['set-cookie']!.toString().split(';')[0];
    const res = await cityServer.inject({ method: 'GET', url: '/api/uplink/items?topic=duty.alarm', headers: { cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const items = (res.json() as { items: Array<{ originCode: string; body: { alone: boolean; onDuty: number; names: string[]; roomName: string; message: string } }> }).items;
    expect(items).toEqual([expect.objectContaining({ body: expect.objectContaining({ alone: true, onDuty: 1, roomName: '监控室', windows: expect.arrayContaining(['exam']) as unknown }) })]);
    expect(items[0].body.message).toContain('违反两人值守规定');

    // The second person back: the item clears at the city; GB/T 28181 has no clear, so no new GB alarm.
    const gbAfterRaise = cityAlarms.filter((a) => a.method === 7).length;
    await duty.checkIn(admin, credential, { username: 'duty_second', password: PERSON_PASSWORD });
    await until('duty.alarm cleared at the city', async () => !(await aloneAtCity()), 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(cityAlarms.filter((a) => a.method === 7).length).toBe(gbAfterRaise);
  }, 180_000);

  it('R-DIS-3 (custody windows, gaokao secrecy rule): an overdue custody review reaches the city as duty.review and as a GB alarm for the secrecy room; signing it clears the item, no new GB alarm', async () => {
    const app = site.t.app;
    const admin = await site.t.actor('admin');
    const siteNode = (await app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    const room = siteNode.rooms!.find((r) => r.name === '试卷保密室')!;
    const gbCode = (await repos(app.store.db).rooms.get({ kind: 'all' }, room.id))!.gb_code;
    expect(gbCode).toMatch(/^\d{20}$/);
    // A review period that ended 2 h ago, never signed: overdue since an hour ago.
    const periodTo = Date.now() - 2 * 3_600_000;
    await repos(app.store.db).reviews.ensureTask({ room_id: room.id, window_id: 0, period_from_ms: periodTo - 6 * 3_600_000, period_to_ms: periodTo, due_at_ms: periodTo + 3_600_000 });
    const overdueAtCity = async () => (await cityUplink.service.list(SYSTEM_ACTOR, { topic: 'duty.review' })).filter((i) => (i.body as { overdue: boolean }).overdue);
    const gbReview = (from: number) => cityAlarms.slice(from).filter((a) => a.deviceId === gbCode && a.method === 7);
    await new Promise((r) => setTimeout(r, 1100)); // not in the same GB second as the test above's alarms
    const gb0 = cityAlarms.length;
    const t0 = Date.now();
    expect((await reviewsOf(app).sweep()).overdue).toBe(1);
    await until('duty.review (overdue) and the GB alarm at the city', async () => (await overdueAtCity()).length === 1 && gbReview(gb0).length === 1, 60_000);
    console.log(`overdue custody review at the city (item and GB alarm) after ${Date.now() - t0} ms`);
    const gb = gbReview(gb0)[0];
    expect(gb).toMatchObject({ lowerSipId: SITE.id, priority: 1, method: 7 });
    expect(gb.description).toContain('保密室回看逾期 试卷保密室');
    expect((await overdueAtCity())[0].body).toMatchObject({ roomName: '试卷保密室', state: 'overdue', alarm: 'custody_review_overdue' });
    // A second sweep sends nothing new.
    expect((await reviewsOf(app).sweep()).overdue).toBe(0);
    // Signed (late): the item clears at the city; no GB alarm for the signature.
    const [task] = (await reviewsOf(app).list(admin, periodTo - 7 * 3_600_000, periodTo)).filter((t) => t.roomId === room.id);
    await new Promise((r) => setTimeout(r, 1100));
    const gbBeforeSign = cityAlarms.length;
    await reviewsOf(app).sign(admin, task.id, '已补看，无异常');
    await until('duty.review cleared at the city', async () => (await overdueAtCity()).length === 0, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(gbReview(gbBeforeSign)).toHaveLength(0);
  }, 120_000);
});
