// Camera probes against the simulator through the real recorder (issue 17): a healthy camera
// passes online / decode / profile / picture / audio (R-PRE-3, R-CITY-4); a camera whose clock is
// 5 s off fails the clock check with the measured offset (R-PRE-6); every camera records a 14 s test
// window that is read back and decoded from its files (a stalled or absent camera: fail, nothing
// recorded); a camera with ONVIF whose clock is 37 s off is set to Beijing time inside the run,
// audited, with its maker/model/firmware read, and one that refuses is reported once, not retried
// (R-PRE-6); the profile row carries the measured bitrate (R-PRE-4); a camera that stops sending times out and the campaign goes on; a reference signed by a named person makes "moved" pass, and
// a camera changed after signing asks for a new signature (R-PRE-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRecordings } from '../../src/recording/verify/verify-recordings.ts';
import { sntpReplyTo } from '../../src/util/sntp.ts';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { Actor } from '../../src/auth/actor.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('readiness probes on simulated cameras', () => {
  let t: TestApp;
  let sim: Simulator;
  let onvif: OnvifSim;
  let admin: Actor;
  const cam = { good: 0, skew: 0, stalled: 0, nowhere: 0, onvifSkew: 0, onvifLocked: 0, dateSkew: 0 };
  let campaignId = 0;
  let goodRoomId = 0;
  let timeServer: Socket;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'good', audio: 'aac' }, { id: 'skew', audio: 'pcma', clockOffsetMs: 5000 }, { id: 'stalled', audio: 'aac' }, { id: 'onvif-skew', audio: 'none', clockOffsetMs: 37_000 }, { id: 'onvif-locked', audio: 'none', clockOffsetMs: -20_000 }, { id: 'date-skew', audio: 'none', clockOffsetMs: -7300, rtcpSr: false }], srIntervalMs: 500 });
    onvif = await startOnvifSim(sim, { auth: { username: 'admin', password: 'Cam-Pass-1' } });
    onvif.refuseTimeSet('onvif-locked', true);
    // R-CITY-4: this camera says its main stream is 1080p H.265 but sends the clips' 720p H.264.
    onvif.setProfiles('onvif-locked', [{ name: 'mainStream', encoding: 'H265', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, govLength: 50 }]);
    // The node's own time source (SNTP, on time): the clock check is corrected by the node's offset.
    timeServer = createSocket('udp4');
    timeServer.on('message', (msg, rinfo) => timeServer.send(sntpReplyTo(msg, Date.now(), Date.now()), rinfo.port, rinfo.address));
    await new Promise<void>((r) => timeServer.bind(0, '127.0.0.1', r));
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { reconcileIntervalMs: 500 }, ledger: { healthIntervalMs: 3_600_000, timeServer: `127.0.0.1:${timeServer.address().port}` } } });
    await t.app.ledger.health.sample();
    admin = await t.actor('admin');
    const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    const examRooms = rooms.filter((r) => r.kind === 'exam' || r.kind === 'lab');
    const add = async (name: string, roomId: number, path: string, port = sim.port, extra: { onvifUrl?: string; username?: string; password?: string } = {}) =>
      (await t.app.devices.createCamera(admin, { roomId, name, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${path}/main`, subStream: `/cam/${path}/sub`, host: '127.0.0.1', port, ...extra })).id;
    cam.good = await add('正常', examRooms[0].id, 'good');
    goodRoomId = examRooms[0].id;
    cam.skew = await add('时钟偏差', examRooms[1].id, 'skew');
    cam.stalled = await add('卡住', examRooms[2].id, 'stalled');
    // Nothing listens on port 1: the camera does not answer.
    cam.nowhere = await add('不在线', examRooms[3].id, 'none', 1);
    // ONVIF cameras in a room that needs no microphone (the 考务室); the simulator asks no RTSP password.
    const affairs = rooms.find((r) => r.kind === 'affairs')!;
    cam.onvifSkew = await add('ONVIF 偏差', affairs.id, 'onvif-skew', sim.port, { onvifUrl: onvif.url('onvif-skew'), username: 'admin', password: 'Cam-Pass-1' });
    cam.onvifLocked = await add('ONVIF 锁定', affairs.id, 'onvif-locked', sim.port, { onvifUrl: onvif.url('onvif-locked'), username: 'admin', password: 'Cam-Pass-1' });
    // No RTCP SR, no ONVIF: its clock is known only from the Date headers of its RTSP replies.
    cam.dateSkew = await add('无 SR', affairs.id, 'date-skew');
    await t.app.recorder.start();
    const c = await t.app.readiness.campaigns.open(admin, { name: '考前检测', checks: 'full', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    campaignId = c.id;
  }, 60_000);
  afterAll(async () => {
    await t.app.recorder.stop();
    await onvif.close();
    await sim.close();
    await t.close();
    timeServer.close();
  });

  const results = async (cameraId: number) => {
    const d = await t.app.readiness.campaigns.get(admin, campaignId);
    const v = d.cameras.find((c) => c.cameraId === cameraId)!;
    return { view: v, by: Object.fromEntries(v.results.map((r) => [r.probe, r])) };
  };

  it('probes every camera: pass, clock fail, timed-out stall, offline — and the campaign finishes', async () => {
    // The probes listen to the recorder's sessions: wait until it records the three cameras.
    await expect.poll(() => [cam.good, cam.skew, cam.stalled, cam.onvifSkew, cam.onvifLocked, cam.dateSkew].map((id) => t.app.recorder.status(id)?.state), { timeout: 20_000 }).toEqual(['online', 'online', 'online', 'online', 'online', 'online']);
    // 'online' comes at the session's start, but a run opens only at the first keyframe (up to a
    // GOP later): wait until the good camera records, or that first GOP counts as missing below.
    await expect.poll(() => t.app.recorder.status(cam.good)?.recording, { timeout: 10_000 }).toBe(true);
    sim.fault('stalled', { type: 'stall' });
    const probeStartMs = Date.now();
    const run = await t.app.readiness.probe(admin, campaignId, { cameraIds: [cam.good, cam.skew, cam.stalled, cam.nowhere, cam.onvifSkew, cam.onvifLocked, cam.dateSkew] });
    expect(run.queued).toBe(7);
    await run.done;
    const probeEndMs = Date.now();

    // Issue 17 "the recordings lose 0 frames during a full check": the probes share the recorder's
    // sessions, so the good camera's recording across the whole run is continuous — the files
    // agree with the index, no hole (> 3 frame intervals) and no gap, and the indexed time covers
    // the run up to the fragment still being written (≤ 1 s) and the start rounding.
    // The fragment being written when the run ended (up to a GOP) is indexed when it closes: read
    // again until it is (a full CI run once read 34.9 s of a 37.3 s run, without any hole).
    const verify = async () => {
      await t.app.recorder.index.flush();
      return verifyRecordings(t.app.store, t.app.files, { cameraId: cam.good, fromMs: probeStartMs, toMs: probeEndMs });
    };
    try {
      await expect.poll(async () => (await verify()).recordedMs, { timeout: 15_000 }).toBeGreaterThan(probeEndMs - probeStartMs - 1000);
    } catch (err) {
      // Seen twice at full-suite load (32.2 s of a 34.1 s run, after waiting): say where the
      // seconds went — the runs (a reconnect ends one, with its reason) and any hole in the files.
      const runs = await repos(t.app.store.db).recordings.runsBetween(cam.good, probeStartMs, probeEndMs);
      const seen = runs.map((r) => ({ startedMs: Number(r.started_at_ms) - probeStartMs, endedMs: r.ended_at_ms === null ? null : Number(r.ended_at_ms) - probeStartMs, endReason: r.end_reason, detail: r.end_detail }));
      throw new Error(`${(err as Error).message}\nrun ${probeEndMs - probeStartMs} ms; runs (ms from the run's start): ${JSON.stringify(seen)}\nproblems: ${JSON.stringify((await verify()).problems)}`);
    }
    const verified = await verify();
    expect(verified.problems).toEqual([]);

    const good = await results(cam.good);
    for (const p of ['online', 'decode', 'profile', 'picture', 'audio', 'clock', 'recording'] as const) expect(good.by[p]?.verdict, `${p}: ${good.by[p]?.value} ${good.by[p]?.reason}`).toBe('pass');
    // R-PRE-3 "every camera records": a 14 s test window was recorded, read back and decoded.
    expect(good.by.recording.value).toMatch(/^录得 1[0-4]\.\d 秒，解码 \d+ 帧$/);
    expect(Number(/解码 (\d+) 帧/.exec(good.by.recording.value)![1])).toBeGreaterThanOrEqual(200);
    const windows = (await repos(t.app.store.db).recordings.schedulesOf(cam.good)).filter((s) => s.created_by === 'readiness');
    expect(windows.length).toBe(1);
    expect(windows[0].end_ms - windows[0].start_ms).toBe(14_000);
    expect(good.by.profile.value).toContain('1280×720');
    expect(good.by.profile.value).toMatch(/25\.0 fps/);
    // R-PRE-4: the measured bitrate is kept for the site's bandwidth verdict.
    expect(good.by.profile.measuredKbps).toBeGreaterThan(100);
    // No ONVIF address: no device row, the clock comes from RTCP.
    expect(good.by.device).toBeUndefined();
    expect(good.by.config).toBeUndefined();
    // No signed reference yet: not a pass.
    expect(good.by.moved.verdict).toBe('warn');
    expect(good.view.hasSnapshot).toBe(true);

    const skew = await results(cam.skew);
    expect(skew.by.clock.verdict).toBe('fail');
    expect(skew.by.clock.value).toMatch(/^\+(4\.[89]|5\.[01])\d* 秒/);
    // Judged against the node's SNTP source, which the row names (R-PRE-6: Beijing time).
    expect(skew.by.clock.value).toContain(`按 127.0.0.1:${timeServer.address().port} 校正本机`);
    // R-PRE-6 without RTCP SR or ONVIF: the offset the camera states in its RTSP replies' Date headers.
    const ds = await results(cam.dateSkew);
    expect(ds.by.clock.verdict, `${ds.by.clock.value}`).toBe('fail');
    const [, secs, plusMinus] = /^(-\d+\.\d+) 秒 \(RTSP Date ±(\d\.\d+) 秒/.exec(ds.by.clock.value) ?? [];
    expect(Math.abs(Number(secs) + 7.3), ds.by.clock.value).toBeLessThanOrEqual(Number(plusMinus) + 0.1);
    // The reason states the offset too (its own rounding of the same bounded estimate).
    const [, reasonSecs] = /摄像机时钟偏差 (-\d+\.\d+) 秒/.exec(ds.by.clock.reason ?? '') ?? [];
    expect(Math.abs(Number(reasonSecs) + 7.3), ds.by.clock.reason ?? '').toBeLessThanOrEqual(Number(plusMinus) + 0.1);
    // G.711 A-law (a Hikvision dome's audio) is decoded and measured too.
    expect(skew.by.audio.verdict, skew.by.audio.value).toBe('pass');
    expect(skew.by.audio.value).toMatch(/^平均 -3\d\.\d dBFS/);

    const stalled = await results(cam.stalled);
    expect(stalled.by.online.verdict).toBe('fail');
    // Frames already on their way when the stall began can reach the capture (seen at load 10–14):
    // then it is "no keyframe in N frames" instead of "no video frames" — no usable picture either way.
    expect(stalled.by.online.reason).toMatch(/无视频帧|无关键帧/);
    expect(stalled.by.picture.verdict).toBe('fail');
    // Stalled before its test window: nothing recorded, and it says so.
    expect(stalled.by.recording.verdict).toBe('fail');
    expect(stalled.by.recording.reason).toContain('试录不足');

    const nowhere = await results(cam.nowhere);
    expect(nowhere.by.online.verdict).toBe('fail');
    expect(nowhere.view.verdict).toBe('fail');
    expect(nowhere.by.recording).toMatchObject({ verdict: 'fail', value: '录得 0.0 秒' });

    // R-PRE-6: the ONVIF camera 37 s off was set to Beijing time inside the run and read back;
    // the set is audited as the system; its maker, model and firmware are in the check.
    const os = await results(cam.onvifSkew);
    expect(os.by.clock.verdict, `${os.by.clock.value} ${os.by.clock.reason}`).toBe('pass');
    expect(os.by.clock.value).toMatch(/^校时前 \+3[678]\.\d 秒 → 校时后 [+-][01]\.\d 秒 \(ONVIF/);
    expect(Math.abs(sim.stats('onvif-skew')!.clockOffsetMs)).toBeLessThan(1500);
    expect(os.by.device).toMatchObject({ verdict: 'pass', value: 'XUNCHA-SIM SIM-IPC-2T 固件 V5.7.3 build 250101 序列号 onvif-skew' });
    // R-CITY-4: its main profile (GetProfiles) is what its stream delivers.
    expect(os.by.config.verdict, `${os.by.config.value} ${os.by.config.reason}`).toBe('pass');
    expect(os.by.config.value).toMatch(/^配置 H264 1280×720 25 fps ≤2000 kbit\/s GOP 50；实测 H264 1280×720/);
    const sets = (await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'camera.clock.set' })).records;
    const setOk = sets.find((a) => a.object_id === String(cam.onvifSkew))!;
    expect(setOk).toMatchObject({ outcome: 'ok', username: 'system' });
    expect(JSON.parse(setOk.detail!)).toMatchObject({ via: 'ONVIF SetSystemDateAndTime', timeZone: 'CST-8' });
    // The camera that refuses is reported with the reason and its offset, asked once, audited as an error.
    const ol = await results(cam.onvifLocked);
    expect(ol.by.clock.verdict).toBe('fail');
    expect(ol.by.clock.reason).toContain('摄像机拒绝校时');
    expect(ol.by.clock.reason).toContain('OperationProhibited');
    expect(onvif.calls.get('SetSystemDateAndTime')).toBe(2);
    expect(sets.find((a) => a.object_id === String(cam.onvifLocked))).toMatchObject({ outcome: 'error' });
    expect(sim.stats('onvif-locked')!.clockOffsetMs).toBe(-20_000);
    // Configured 1080p H.265, delivering 720p H.264: a warn naming both (R-CITY-4).
    expect(ol.by.config).toMatchObject({ verdict: 'warn', reason: expect.stringContaining('主码流 1920×1080') as string });
    expect(ol.by.config.reason).toContain('编码 H264 与配置 H265 不符');

    // The site is not ready, and says why.
    const d = await t.app.readiness.campaigns.get(admin, campaignId);
    const site = d.sites.find((s) => s.siteId === good.view.siteId)!;
    expect(site.state).toBe('not_ready');
    expect(site.reasons.join(' ')).toContain('不合格');
    sim.fault('stalled', { type: 'clear' });
  }, 120_000);

  it('a reference signed by a named person makes "moved" pass (re-checked by room); a camera changed afterwards needs a new signature (R-PRE-3)', async () => {
    const jpeg = await t.app.readiness.signoff.picture(admin, cam.good, 'current');
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await t.app.readiness.signoff.signReference(admin, cam.good, '张三');
    // Re-run one room (the console's 重新检测本考场): only that room's camera is probed again.
    const skewBefore = (await results(cam.skew)).by.clock.measuredAtMs;
    let run = await t.app.readiness.probe(admin, campaignId, { roomIds: [goodRoomId] });
    expect(run.queued).toBe(1);
    await run.done;
    expect((await results(cam.skew)).by.clock.measuredAtMs).toBe(skewBefore);
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
