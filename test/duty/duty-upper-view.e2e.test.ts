// GB/T 28181 upper-platform viewing and the two-person rule (R-DIS-3; docs/design/duty.md
// "Upper-platform viewing (上级平台调阅)"). A site and a city on loopback with real SIP; the site has
// an exam window open and the duty rule in force (an enrolled workstation, nobody checked in). The
// city — the exam authority above — INVITEs live video of an exam-room camera: the site serves it
// (frames arrive), audits it as `duty.view` ok with rule upper_platform, and after the BYE its patrol
// log lists the viewing as 上级平台调阅 by the city with its duration. A user of the site watching from
// a computer outside the monitoring room is still refused without an approved grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatrolService } from '../../src/duty/patrol-service.ts';
import { dutyOf } from '../../src/duty/index.ts';
import { issueLiveToken } from '../../src/live/access.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { CITY, SITE, addLower, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

const MIN = 60_000;

describe('the upper platform watches an exam room during a window (R-DIS-3, 上级平台调阅)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let cam = { id: 0, gb: '' };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '南京市第一中学考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    const app = site.t.app;
    const admin = await site.t.actor('admin');
    const siteNode = (await app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    const room = siteNode.rooms!.find((r) => r.name === '第01考场')!;
    const c = await app.devices.createCamera(admin, { roomId: room.id, name: '第01考场前', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    cam = { id: c.id, gb: c.gbCode };
    // An exam whose session starts in 20 min: the exam rooms' windows are open now.
    const exam = await app.exams.exams.create(admin, { name: '上级调阅演练', kind: 'gaokao' });
    await app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    const start = Date.now() + 20 * MIN;
    await app.exams.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: start, endMs: start + 150 * MIN }]);
    await dutyOf(app).enroll(admin, siteNode.rooms!.find((r) => r.name === '监控室')!.id, '监控室1号机');
    await app.recorder.start();
    await site.cascade.start();
    await until('site registered at the city', () => site.cascade.link?.registered === true, 30_000);
    await until('camera running', () => app.recorder.status(cam.id)?.recording === true, 30_000);
  }, 120_000);

  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('R-DIS-3: the city\'s INVITE is served and recorded as 上级平台调阅 (audit and patrol log); a remote site user without a grant is still refused', async () => {
    const app = site.t.app;
    expect((await repos(app.store.db).duty.windowsAt([(await repos(app.store.db).cameras.get({ kind: 'all' }, cam.id))!.room_id], Date.now())).length).toBeGreaterThan(0);
    const src = await city.cascade.calls!.openLive(cam.gb, {});
    let video = 0;
    src.on('frame', (f) => {
      if (f.kind === 'video') video++;
    });
    await until('video frames at the city', () => video > 10, 30_000);
    await src.stop();
    await until('site session ended by BYE', () => site.cascade.status().mediaSessions === 0, 10_000);

    const viewed = (await repos(app.store.db).audit.list({ kind: 'all' }, { action: 'duty.view', limit: 20 })).records.filter((r) => r.username === `gb:${CITY.id}`);
    expect(viewed).toHaveLength(1);
    expect(viewed[0].outcome).toBe('ok');
    expect(JSON.parse(viewed[0].detail!)).toMatchObject({ via: 'cascade', rule: 'upper_platform', label: '上级平台调阅', windows: expect.arrayContaining(['exam']) as unknown });

    const admin = await site.t.actor('admin');
    await until('the viewing in the patrol log', async () => (await new PatrolService(app).log(admin, { fromMs: Date.now() - 10 * MIN, toMs: Date.now() + MIN })).viewings.some((v) => v.via === 'cascade'), 10_000);
    const log = await new PatrolService(app).log(admin, { fromMs: Date.now() - 10 * MIN, toMs: Date.now() + MIN });
    const v = log.viewings.find((x) => x.via === 'cascade')!;
    expect(v).toMatchObject({ username: `gb:${CITY.id}`, cameraId: cam.id, roomName: '第01考场' });
    expect(v.durationMs).toBeGreaterThan(0);

    // A user of the site away from the monitoring room still needs an approved grant.
    const siteNode = (await app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    await app.users.create(admin, { username: 'home_viewer', displayName: '居家巡查员', role: 'operator', orgNodeId: siteNode.id, password: 'Home-Viewer-Passw0rd' });
    await expect(issueLiveToken(app, await site.t.actor('home_viewer'), 'test-session', [cam.id])).rejects.toThrow('须经上级考试机构批准');
  }, 120_000);
});
