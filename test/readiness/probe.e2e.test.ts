// Camera probes against the simulator through the real recorder (issue 17): a healthy camera
// passes online / decode / profile / picture / audio (R-PRE-3, R-CITY-4); a camera whose clock is
// 5 s off fails the clock check with the measured offset (R-PRE-6); every camera records a 12 s test
// window that is read back and decoded from its files (a stalled or absent camera: fail, nothing
// recorded); a camera that stops sending times out and the campaign goes on; a reference signed by a named person makes "moved" pass, and
// a camera changed after signing asks for a new signature (R-PRE-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('readiness probes on simulated cameras', () => {
  let t: TestApp;
  let sim: Simulator;
  let admin: Actor;
  const cam = { good: 0, skew: 0, stalled: 0, nowhere: 0 };
  let campaignId = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'good', audio: 'aac' }, { id: 'skew', audio: 'pcma', clockOffsetMs: 5000 }, { id: 'stalled', audio: 'aac' }], srIntervalMs: 500 });
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { reconcileIntervalMs: 500 } } });
    admin = await t.actor('admin');
    const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    const examRooms = rooms.filter((r) => r.kind === 'exam' || r.kind === 'lab');
    const add = async (name: string, roomId: number, path: string, port = sim.port) =>
      (await t.app.devices.createCamera(admin, { roomId, name, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${path}/main`, subStream: `/cam/${path}/sub`, host: '127.0.0.1', port })).id;
    cam.good = await add('正常', examRooms[0].id, 'good');
    cam.skew = await add('时钟偏差', examRooms[1].id, 'skew');
    cam.stalled = await add('卡住', examRooms[2].id, 'stalled');
    // Nothing listens on port 1: the camera does not answer.
    cam.nowhere = await add('不在线', examRooms[3].id, 'none', 1);
    await t.app.recorder.start();
    const c = await t.app.readiness.campaigns.open(admin, { name: '考前检测', checks: 'full', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    campaignId = c.id;
  }, 60_000);
  afterAll(async () => {
    await t.app.recorder.stop();
    await sim.close();
    await t.close();
  });

  const results = async (cameraId: number) => {
    const d = await t.app.readiness.campaigns.get(admin, campaignId);
    const v = d.cameras.find((c) => c.cameraId === cameraId)!;
    return { view: v, by: Object.fromEntries(v.results.map((r) => [r.probe, r])) };
  };

  it('probes every camera: pass, clock fail, timed-out stall, offline — and the campaign finishes', async () => {
    // The probes listen to the recorder's sessions: wait until it records the three cameras.
    await expect.poll(() => [cam.good, cam.skew, cam.stalled].map((id) => t.app.recorder.status(id)?.state), { timeout: 20_000 }).toEqual(['online', 'online', 'online']);
    sim.fault('stalled', { type: 'stall' });
    const run = await t.app.readiness.probe(admin, campaignId, { cameraIds: [cam.good, cam.skew, cam.stalled, cam.nowhere] });
    expect(run.queued).toBe(4);
    await run.done;

    const good = await results(cam.good);
    for (const p of ['online', 'decode', 'profile', 'picture', 'audio', 'clock', 'recording'] as const) expect(good.by[p]?.verdict, `${p}: ${good.by[p]?.value} ${good.by[p]?.reason}`).toBe('pass');
    // R-PRE-3 "every camera records": a 12 s test window was recorded, read back and decoded.
    expect(good.by.recording.value).toMatch(/^录得 1[0-2]\.\d 秒，解码 \d+ 帧$/);
    expect(Number(/解码 (\d+) 帧/.exec(good.by.recording.value)![1])).toBeGreaterThanOrEqual(200);
    const windows = (await repos(t.app.store.db).recordings.schedulesOf(cam.good)).filter((s) => s.created_by === 'readiness');
    expect(windows.length).toBe(1);
    expect(windows[0].end_ms - windows[0].start_ms).toBe(12_000);
    expect(good.by.profile.value).toContain('1280×720');
    expect(good.by.profile.value).toMatch(/25\.0 fps/);
    // No signed reference yet: not a pass.
    expect(good.by.moved.verdict).toBe('warn');
    expect(good.view.hasSnapshot).toBe(true);

    const skew = await results(cam.skew);
    expect(skew.by.clock.verdict).toBe('fail');
    expect(skew.by.clock.value).toMatch(/^\+(4\.[89]|5\.[01])\d* 秒/);
    // G.711 A-law (a Hikvision dome's audio) is decoded and measured too.
    expect(skew.by.audio.verdict, skew.by.audio.value).toBe('pass');
    expect(skew.by.audio.value).toMatch(/^平均 -3\d\.\d dBFS/);

    const stalled = await results(cam.stalled);
    expect(stalled.by.online.verdict).toBe('fail');
    expect(stalled.by.online.reason).toContain('无视频帧');
    expect(stalled.by.picture.verdict).toBe('fail');
    // Stalled before its test window: nothing recorded, and it says so.
    expect(stalled.by.recording.verdict).toBe('fail');
    expect(stalled.by.recording.reason).toContain('试录不足');

    const nowhere = await results(cam.nowhere);
    expect(nowhere.by.online.verdict).toBe('fail');
    expect(nowhere.view.verdict).toBe('fail');
    expect(nowhere.by.recording).toMatchObject({ verdict: 'fail', value: '录得 0.0 秒' });

    // The site is not ready, and says why.
    const d = await t.app.readiness.campaigns.get(admin, campaignId);
    const site = d.sites.find((s) => s.siteId === good.view.siteId)!;
    expect(site.state).toBe('not_ready');
    expect(site.reasons.join(' ')).toContain('不合格');
    sim.fault('stalled', { type: 'clear' });
  }, 120_000);

  it('a reference signed by a named person makes "moved" pass; a camera changed afterwards needs a new signature (R-PRE-3)', async () => {
    const jpeg = await t.app.readiness.signoff.picture(admin, cam.good, 'current');
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await t.app.readiness.signoff.signReference(admin, cam.good, '张三');
    let run = await t.app.readiness.probe(admin, campaignId, { cameraIds: [cam.good] });
    await run.done;
    let good = await results(cam.good);
    expect(good.by.moved.verdict, good.by.moved.reason ?? '').toBe('pass');
    expect(good.view.reference).toMatchObject({ signerName: '张三', stale: false });
    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'readiness.reference.sign' });
    expect(audit.records[0].detail).toContain('张三');

    // The device is replaced (its stream address changes): the old signature no longer counts.
    await new Promise((r) => setTimeout(r, 5));
    await t.app.devices.updateCamera(admin, cam.good, { subStream: '/cam/good/sub?replaced=1' });
    run = await t.app.readiness.probe(admin, campaignId, { cameraIds: [cam.good] });
    await run.done;
    good = await results(cam.good);
    expect(good.view.reference?.stale).toBe(true);
    expect(good.by.moved.verdict).toBe('warn');
    expect(good.by.moved.reason).toContain('重新签字');
  }, 120_000);
});
