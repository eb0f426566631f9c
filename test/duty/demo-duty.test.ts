// The `npm start` demo's duty setup (issue 18 "Done means": the demo has a roster so a new user sees
// the rule working): the administrator is on the roster of the sample site's monitoring room as 组长
// for the coming week, so after enrolling a workstation they can check in there while a person off
// the roster cannot; preset 1 (全景) is approved on every camera of the site, so the PTZ lock leaves
// the overview callable during the demo exam's windows (R-DIS-1, R-DIS-2).
import pino from 'pino';
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

  it('R-DIS-1/R-DIS-2: the administrator is rostered as 组长 for the week and can check in; preset 1 (全景) is approved on every camera of the site', async () => {
    const r = repos(t.app.store.db);
    const rooms = await r.rooms.list({ kind: 'all' });
    const monitoring = rooms.find((x) => x.kind === 'monitoring')!;
    expect(monitoring).toBeDefined();
    const siteId = monitoring.site_id;
    // The demo adds its cameras before seeding duty: two in each of two exam rooms of the site.
    const examRooms = rooms.filter((x) => x.site_id === siteId && x.kind === 'exam').slice(0, 2);
    for (const room of examRooms) for (const position of ['front', 'rear'] as const) await t.app.devices.createCamera(SYSTEM_ACTOR, { roomId: room.id, name: position, position, sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '127.0.0.1' });
    const startMs = t.app.clock.nowMs();
    await seedDemoDuty(t.app, pino({ level: 'silent' }), siteId, SYSTEM_ACTOR);

    const roster = await new RosterService(t.app).list(SYSTEM_ACTOR, { roomId: monitoring.id });
    expect(roster).toEqual([expect.objectContaining({ name: expect.any(String) as unknown, dutyRole: 'leader', dutyRoleLabel: '组长', fromMs: startMs, toMs: startMs + 7 * 24 * 3600_000 })]);
    expect(roster[0].userId).toBe((await r.users.byUsername('admin'))!.id);
    // Six days on, still on duty.
    expect(await new RosterService(t.app).list(SYSTEM_ACTOR, { roomId: monitoring.id, atMs: startMs + 6 * 24 * 3600_000 })).toHaveLength(1);

    // What a new user does next: enroll the browser, then check in with the administrator's password.
    const duty = dutyOf(t.app);
    const ws = await duty.enroll(SYSTEM_ACTOR, monitoring.id, '演示终端');
    const admin = await t.actor('admin');
    expect((await duty.checkIn(admin, ws.credential, { username: 'admin', password: ADMIN_PASSWORD })).user_id).toBe(roster[0].userId);
    // The roster is what decides: someone of the site who is not on it cannot check in.
    await t.app.users.create(SYSTEM_ACTOR, { username: 'not_rostered', displayName: '未排班', role: 'operator', orgNodeId: siteId, password: 'Demo-Duty-Passw0rd' });
    const refused = await duty.checkIn(admin, ws.credential, { username: 'not_rostered', password: 'Demo-Duty-Passw0rd' }).catch((e: unknown) => e as AppError);
    expect(refused).toMatchObject({ code: 'forbidden' });

    const cams = (await r.cameras.list({ kind: 'all' })).filter((c) => c.site_id === siteId);
    expect(cams).toHaveLength(4);
    const ptz = new PtzService({ store: t.app.store, audit: t.app.audit, clock: t.app.clock });
    for (const c of cams) expect((await ptz.presets(SYSTEM_ACTOR, c.id)).map((p) => [p.presetNo, p.label])).toEqual([[1, '全景']]);
  });
});
