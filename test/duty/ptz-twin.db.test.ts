// A camera added twice cannot be moved through its second row while the first is locked (R-DIS-2,
// issue 18 item 5: "no path — console, API, cascade, a camera added twice — can move a locked
// camera"). The same RTSP stream (same host, port and path; credentials and host case aside) is
// registered once in 第01考场, locked in the exam window, and once more in a 监控室 that has no
// window: the second row is locked too, only presets approved on the locked row pass, through the
// console's PtzService and the cascade's policePtz alike; a different stream on the same host is
// another camera and stays free. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gbActor, policePtz } from '../../src/cascade/ptz-policy.ts';
import { encodePtz } from '../../src/gb28181/index.ts';
import { PtzService } from '../../src/duty/ptz-service.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { bj, closeDay, examDay } from '../exams/fixture.ts';

describe.each(DIALECTS)('PTZ lock of a camera added twice on %s', (dialect) => {
  let d: ExamDay;
  let ptz: PtzService;
  let twin = 0;
  let other = 0;
  beforeAll(async () => {
    d = await examDay(dialect);
    const admin = d.admin;
    const dev = d.t.app.devices;
    // The exam-room camera, reached at 10.0.0.21:554/101.
    await dev.updateCamera(admin, d.cameras.r1front, { host: '10.0.0.21', port: 554, username: 'admin', password: 'cam-secret' });
    const monitoring = await dev.createRoom(admin, { siteId: d.siteId, kind: 'monitoring', name: '监控室二', seats: 0 });
    // The same camera registered again (another user name, host in capitals), and another stream of the same host.
    twin = (await dev.createCamera(admin, { roomId: monitoring.id, name: '走廊（重复登记）', position: 'other', sourceKind: 'rtsp', mainStream: '/101', subStream: '/102', host: '10.0.0.21'.toUpperCase(), port: 554, username: 'viewer', password: 'x' })).id;
    other = (await dev.createCamera(admin, { roomId: monitoring.id, name: '走廊二', position: 'other', sourceKind: 'rtsp', mainStream: '/201', subStream: '/202', host: '10.0.0.21', port: 554 })).id;
    ptz = new PtzService({ store: d.t.app.store, audit: d.t.app.audit, clock: d.t.clock, box: d.t.app.box });
    await ptz.approvePreset(admin, d.cameras.r1front, 1, '全景');
    await ptz.approvePreset(admin, twin, 2, '讲台'); // approved only on the unlocked row: does not pass
    d.t.clock.set(bj('2026-06-07 10:00')); // inside 语文 09:00–11:30
  });
  afterAll(async () => {
    await closeDay(d);
  });

  it('R-DIS-2: the second row is locked by the first row\'s window; only presets approved on the locked row pass; refusals audited (R-DIS-2)', async () => {
    const admin = d.admin;
    const alone = new PtzService({ store: d.t.app.store, audit: d.t.app.audit, clock: d.t.clock }); // no box: each row alone
    expect((await alone.state(admin, twin)).locked).toBe(false); // the room itself has no window
    const s = await ptz.state(admin, twin);
    expect(s.locked).toBe(true);
    expect(s.windows).toEqual(['exam']);
    await expect(ptz.command(admin, twin, { kind: 'ptz', pan: 'left', panSpeed: 128, tiltSpeed: 0, zoomSpeed: 0 })).rejects.toMatchObject({ message: expect.stringContaining(`同一摄像机（另一条登记，编号 ${d.cameras.r1front}）`) });
    const refused = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => (e as AppError).details);
    // Preset 2 was approved only on the unlocked row: refused; the allowed ones are the locked row's.
    expect(await refused(ptz.command(admin, twin, { kind: 'preset', action: 'call', preset: 2 }))).toMatchObject({ rule: 'ptz_locked', approvedPresets: [1] });
    // Preset 1, approved on the locked row, points the one device where the approval allows.
    expect(await ptz.command(admin, twin, { kind: 'preset', action: 'call', preset: 1 })).toMatchObject({ allowed: true });
    // Redefining it through the other row is refused too (the device's preset 1 is the approved one).
    expect(await refused(ptz.command(admin, twin, { kind: 'preset', action: 'set', preset: 1 }))).toMatchObject({ rule: 'ptz_locked' });
    const denied = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'ptz.command', outcome: 'denied', limit: 50 });
    const twinDenied = denied.records.filter((r) => Number(r.object_id) === twin);
    expect(twinDenied.length).toBe(3);
    expect(twinDenied.every((r) => JSON.stringify(r.detail).includes('sameCameraAs'))).toBe(true);
  });

  it('R-DIS-2: the cascade path (policePtz) sees the same lock; another stream of the same host is another camera, free', async () => {
    const cam = (await repos(d.t.app.store.db).cameras.get({ kind: 'all' }, twin))!;
    const deps = { store: d.t.app.store, audit: d.t.app.audit, clock: d.t.clock, box: d.t.app.box };
    expect((await policePtz(deps, gbActor('44010000002000000001', '127.0.0.1'), cam, encodePtz({ kind: 'ptz', pan: 'right', panSpeed: 128, tiltSpeed: 0, zoomSpeed: 0 }))).allowed).toBe(false);
    expect((await ptz.state(d.admin, other)).locked).toBe(false);
    expect(await ptz.command(d.admin, other, { kind: 'ptz', pan: 'left', panSpeed: 128, tiltSpeed: 0, zoomSpeed: 0 })).toMatchObject({ allowed: true });
    // After the window the twin is free again.
    d.t.clock.set(bj('2026-06-07 20:00'));
    expect((await ptz.state(d.admin, twin)).locked).toBe(false);
  });
});
