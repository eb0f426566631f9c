// The `npm start` demo's duty setup (issue 18 "Done means": the demo has a roster and an enrolled
// workstation so a new user sees the rule working): the administrator (组长) and a second person
// (值班员 zhiban, password made and printed once) are on the roster of the sample site's monitoring
// room for the coming week; a workstation is enrolled and its one-time link, opened by the admin's
// browser, makes that browser the workstation (a second use is refused); both check in there while
// a person off the roster cannot; preset 1 (全景) is approved on every camera of the site, so the
// PTZ lock leaves the overview callable during the demo exam's windows (R-DIS-1, R-DIS-2, R-DIS-3).
import pino from 'pino';
import { buildServer } from '../../src/api/server.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { seedDemoDuty } from '../../src/duty/demo-duty.ts';
import { dutyOf } from '../../src/duty/index.ts';
import { PtzService } from '../../src/duty/ptz-service.ts';
import { RosterService } from '../../src/duty/roster-service.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { AppError } from '../../src/util/errors.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('demo duty', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t?.close());

  it('R-DIS-1/R-DIS-2/R-DIS-3: the administrator and a second person are rostered for the week, the printed link enrolls the browser once, both check in; preset 1 (全景) is approved on every camera of the site', async () => {
    const r = repos(t.app.store.db);
    const rooms = await r.rooms.list({ kind: 'all' });
    const monitoring = rooms.find((x) => x.kind === 'monitoring')!;
    expect(monitoring).toBeDefined();
    const siteId = monitoring.site_id;
    // The demo adds its cameras before seeding duty: two in each of two exam rooms of the site.
    const examRooms = rooms.filter((x) => x.site_id === siteId && x.kind === 'exam').slice(0, 2);
    for (const room of examRooms) for (const position of ['front', 'rear'] as const) await t.app.devices.createCamera(SYSTEM_ACTOR, { roomId: room.id, name: position, position, sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '127.0.0.1' });
    const startMs = t.app.clock.nowMs();
    const seeded = (await seedDemoDuty(t.app, pino({ level: 'silent' }), siteId, SYSTEM_ACTOR))!;
    expect(seeded.second.username).toBe('zhiban');
    expect(seeded.enrollPath).toMatch(/^\/api\/duty\/workstations\/claim\?code=[A-Za-z0-9_-]{43}$/);

    const roster = await new RosterService(t.app).list(SYSTEM_ACTOR, { roomId: monitoring.id });
    expect(roster.map((x) => [x.userId, x.dutyRoleLabel, x.fromMs, x.toMs])).toEqual([
      [(await r.users.byUsername('admin'))!.id, '组长', startMs, startMs + 7 * 24 * 3600_000],
      [(await r.users.byUsername('zhiban'))!.id, '值班员', startMs, startMs + 7 * 24 * 3600_000],
    ]);
    // Six days on, still on duty.
    expect(await new RosterService(t.app).list(SYSTEM_ACTOR, { roomId: monitoring.id, atMs: startMs + 6 * 24 * 3600_000 })).toHaveLength(2);

    // What a new user does next: logged in as admin, open the printed link → this browser is the workstation.
    const server = await buildServer(t.app, pino({ level: 'silent' }));
    try {
      const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      const session = login.headers['set-cookie']!.toString().split(';')[0];
      const anonymous = await server.inject({ method: 'GET', url: seeded.enrollPath });
      expect(anonymous.statusCode).toBe(401); // not logged in: nothing claimed
      const res = await server.inject({ method: 'GET', url: seeded.enrollPath, headers: { cookie: session } });
      expect(res.statusCode, res.body).toBe(302);
      expect(res.headers.location).toBe('/#/duty');
      const set = res.headers['set-cookie']!.toString();
      expect(set).toContain('HttpOnly');
      const credential = /xuncha_ws=([A-Za-z0-9_-]{43});/.exec(set)![1];
      expect(seeded.enrollPath).not.toContain(credential); // rotated: the printed code is spent
      const again = await server.inject({ method: 'GET', url: seeded.enrollPath, headers: { cookie: session } });
      expect(again.statusCode).toBe(404);
      expect((again.json() as { message: string }).message).toContain('登记链接无效或已使用');
      const status = await server.inject({ method: 'GET', url: '/api/duty/status', headers: { cookie: `${session}; xuncha_ws=${credential}` } });
      expect((status.json() as { workstation: { name: string } | null }).workstation?.name).toBe('演示值班终端');

      // Both rostered people check in there: the two-person rule can be met.
      const duty = dutyOf(t.app);
      const admin = await t.actor('admin');
      expect((await duty.checkIn(admin, credential, { username: 'admin', password: ADMIN_PASSWORD })).user_id).toBe(roster[0].userId);
      expect((await duty.checkIn(admin, credential, { username: 'zhiban', password: seeded.second.password })).user_id).toBe(roster[1].userId);
      expect((await duty.status(admin)).rooms.find((x) => x.roomId === monitoring.id)).toMatchObject({ meetsTwoPerson: true });
      // The roster is what decides: someone of the site who is not on it cannot check in.
      await t.app.users.create(SYSTEM_ACTOR, { username: 'not_rostered', displayName: '未排班', role: 'operator', orgNodeId: siteId, password: 'Demo-Duty-Passw0rd' });
      const refused = await duty.checkIn(admin, credential, { username: 'not_rostered', password: 'Demo-Duty-Passw0rd' }).catch((e: unknown) => e as AppError);
      expect(refused).toMatchObject({ code: 'forbidden' });
    } finally {
      await server.close();
    }

    const cams = (await r.cameras.list({ kind: 'all' })).filter((c) => c.site_id === siteId);
    expect(cams).toHaveLength(4);
    const ptz = new PtzService({ store: t.app.store, audit: t.app.audit, clock: t.app.clock });
    for (const c of cams) expect((await ptz.presets(SYSTEM_ACTOR, c.id)).map((p) => [p.presetNo, p.label])).toEqual([[1, '全景']]);
  });
});
