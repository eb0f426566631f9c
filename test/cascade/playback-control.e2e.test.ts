// MANSRTSP over INFO (GB/T 28181-2016 Annex B) in a Playback session the city opened at the site:
// PAUSE stops the frames, PLAY with Scale changes the pace, PLAY with Range seeks back to the
// start (the first keyframe comes again); live sessions answer 455; the parser and builder agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMansRtsp, MansRtspError, parseMansRtsp } from '../../src/cascade/mansrtsp.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { addLower, CITY, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

describe('MANSRTSP text', () => {
  it('parses what common uppers send and round-trips what we build', () => {
    expect(parseMansRtsp('PLAY RTSP/1.0\r\nCSeq: 5\r\nRange: npt=120-\r\n\r\n')).toEqual({ method: 'PLAY', cseq: 5, rangeSec: 120 });
    expect(parseMansRtsp('PLAY RTSP/1.0\r\nCSeq: 6\r\nScale: 0.5\r\nRange: npt=now-\r\n')).toEqual({ method: 'PLAY', cseq: 6, scale: 0.5 });
    expect(parseMansRtsp('PAUSE RTSP/1.0\r\nCSeq: 7\r\nPauseTime: now\r\n')).toEqual({ method: 'PAUSE', cseq: 7 });
    expect(parseMansRtsp('TEARDOWN RTSP/1.0\nCSeq: 8\n')).toEqual({ method: 'TEARDOWN', cseq: 8 });
    for (const cmd of [{ method: 'PLAY', cseq: 1, rangeSec: 3.5, scale: 2 }, { method: 'PAUSE', cseq: 2 }, { method: 'PLAY', cseq: 3 }] as const) expect(parseMansRtsp(buildMansRtsp(cmd))).toEqual(cmd);
    expect(() => parseMansRtsp('PLAY RTSP/1.0\r\nCSeq: 1\r\nScale: -1\r\n')).toThrow(MansRtspError);
    expect(() => parseMansRtsp('GET / HTTP/1.1\r\n')).toThrow(MansRtspError);
    expect(() => parseMansRtsp('PLAY RTSP/1.0\r\nCSeq: 1\r\nRange: clock=20260101T000000Z-\r\n')).toThrow(MansRtspError);
  });
});

describe('MANSRTSP playback control: city → site', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let camId = 0;
  let gb = '';

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-a', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    camId = c.id;
    gb = c.gbCode;
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site camera records', () => site.t.app.recorder.status(c.id)?.recording === true);
    await until('city has the channel', () => city.cascade.calls!.owns(gb));
  });

  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('PAUSE, PLAY Scale=2, PLAY Range=0 (seek) steer the Playback stream', async () => {
    const r = repos(site.t.app.store.db).recordings;
    await until('a recorded file', async () => {
      await site.t.app.recorder.index.flush();
      return (await r.filesBetween(camId, 0, Date.now())).length > 0;
    });
    const startSec = Math.ceil(Number((await r.filesBetween(camId, 0, Date.now()))[0].start_ms) / 1000);
    const endSec = startSec + 8;
    await until('8 s recorded', async () => {
      await site.t.app.recorder.index.flush();
      return Date.now() > endSec * 1000 + 1500;
    }, 20_000);
    await site.t.app.recorder.index.flush();
    const calls = city.cascade.calls!;
    const src = await calls.openLive(gb, { session: 'Playback', startSec, endSec });
    const got: Array<{ at: number; pts: number }> = [];
    src.on('frame', (f) => {
      if (f.kind === 'video') got.push({ at: Date.now(), pts: f.pts90k });
    });
    const rate = async (ms: number) => {
      const n = got.length;
      await sleep(ms);
      return ((got.length - n) * 1000) / ms;
    };
    try {
      await until('first frames', () => got.length > 5, 5000);
      const firstPts = got[0].pts;
      const normal = await rate(1000);
      expect(normal).toBeGreaterThan(10);

      expect(await calls.control(src, { method: 'PAUSE' })).toBe(200);
      await sleep(300);
      expect(await rate(1200)).toBe(0);

      expect(await calls.control(src, { method: 'PLAY', scale: 2 })).toBe(200);
      await sleep(200);
      const fast = await rate(1000);
      expect(fast).toBeGreaterThan(normal * 1.6);

      const beforeSeek = got.length;
      expect(await calls.control(src, { method: 'PLAY', rangeSec: 0, scale: 1 })).toBe(200);
      await until('the first keyframe again after the seek', () => got.slice(beforeSeek).some((g) => g.pts === firstPts), 3000);
      const again = await rate(1000);
      expect(again).toBeGreaterThan(normal * 0.6);
      expect(again).toBeLessThan(normal * 1.5);
    } finally {
      await src.stop();
    }
    await until('site session ended', () => site.cascade.status().mediaSessions === 0, 5000);
  });

  it('a live session has nothing to pause: 455; an ended session cannot be controlled', async () => {
    const src = await city.cascade.calls!.openLive(gb);
    expect(await city.cascade.calls!.control(src, { method: 'PAUSE' })).toBe(455);
    await src.stop();
    await expect(city.cascade.calls!.control(src, { method: 'PAUSE' })).rejects.toThrow('ended');
  });
});
