// A GB/T 28181 source in the normal pipeline (docs/design/cascade.md): at a city node, a camera row
// with source_kind 'gb28181' whose main_stream is a site channel's GB id is opened through the
// app's routing opener (gb28181:// → the cascade's INVITE), recorded by the normal recorder into
// the city's own index (files ffprobe reads), and its supervisor feeds live viewers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutingCameraOpener } from '../../src/ingest/routing-opener.ts';
import type { CameraOpener } from '../../src/ingest/source.ts';
import { streamSpecOf } from '../../src/recording/camera-spec.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { CameraRow } from '../../src/store/repos/camera-repo.ts';
import { ffprobe } from '../helpers/ffprobe.ts';
import { addLower, CITY, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

describe('routing opener and stream specs', () => {
  const spec = (url: string) => ({ cameraId: 1, stream: 'main' as const, url });
  const fake = (name: string): CameraOpener => ({ open: (s) => Promise.reject(new Error(`${name}:${s.url}`)) });

  it('sends rtsp:// to the RTSP opener and gb28181:// to the cascade opener, resolved on each open', async () => {
    const cascade: { opener?: CameraOpener } = {};
    const o = new RoutingCameraOpener({ rtsp: fake('rtsp'), gb28181: () => cascade.opener });
    await expect(o.open(spec('rtsp://h/x'))).rejects.toThrow('rtsp:rtsp://h/x');
    await expect(o.open(spec('gb28181://32010600001310000001'))).rejects.toMatchObject({ code: 'unsupported' });
    cascade.opener = fake('gb');
    await expect(o.open(spec('gb28181://32010600001310000001'))).rejects.toThrow('gb:gb28181://32010600001310000001');
    await expect(o.open(spec('http://h/x'))).rejects.toMatchObject({ code: 'unsupported' });
  });

  it("streamSpecOf gives gb28181:// for source_kind 'gb28181' (one stream: sub is main)", () => {
    const cam = { id: 7, source_kind: 'gb28181', main_stream: '32010600001310000001', sub_stream: '', network_enc: null } as unknown as CameraRow;
    const box = {} as never;
    expect(streamSpecOf(cam, box)).toEqual({ cameraId: 7, stream: 'main', url: 'gb28181://32010600001310000001' });
    expect(streamSpecOf(cam, box, 'sub')).toEqual({ cameraId: 7, stream: 'main', url: 'gb28181://32010600001310000001' });
    expect(streamSpecOf({ ...cam, main_stream: 'gb28181://32010600001310000001' }, box)?.url).toBe('gb28181://32010600001310000001');
    expect(streamSpecOf({ ...cam, main_stream: '/not/an/id' }, box)).toBeUndefined();
  });
});

describe('GB/T 28181 camera recorded at the city like any camera', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let siteGb = '';
  let cityCam = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    city = await startLevel(CITY, undefined, { recorder: true });
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-a', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    siteGb = c.gbCode;
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site camera records', () => site.t.app.recorder.status(c.id)?.recording === true);
    // The city's console: a camera in one of its rooms whose source is the site's channel.
    const cityAdmin = await city.t.actor('admin');
    const cityRoom = (await city.t.app.org.tree(cityAdmin)).find((n) => n.kind === 'site')!.rooms![0];
    cityCam = (await city.t.app.devices.createCamera(cityAdmin, { roomId: cityRoom.id, name: '考点一前置', position: 'front', sourceKind: 'gb28181', mainStream: siteGb, subStream: '' })).id;
    await until('city has the channel', () => city.cascade.calls!.owns(siteGb));
    await city.t.app.recorder.start();
  });

  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('records through the normal recorder: runs and files in the city index, files ffprobe reads', async () => {
    await until('city camera records', () => city.t.app.recorder.status(cityCam)?.recording === true, 20_000);
    expect(city.t.app.recorder.status(cityCam)?.state).toBe('online');
    await sleep(3000);
    // The wall's path: the live hub subscribes to the recorder's supervisor of the camera.
    let frames = 0;
    const onFrame = () => frames++;
    const sup = city.t.app.recorder.supervisor(cityCam)!;
    sup.on('frame', onFrame);
    await sleep(1500);
    sup.off('frame', onFrame);
    expect(frames).toBeGreaterThan(20);
    await city.t.app.recorder.stop();
    const r = repos(city.t.app.store.db).recordings;
    const runs = await r.runsBetween(cityCam, 0, Date.now() + 1000);
    expect(runs.length).toBeGreaterThan(0);
    const files = await r.filesBetween(cityCam, 0, Date.now() + 1000);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.status).toBe('closed');
      const p = ffprobe(city.t.app.files.absolute(f.rel_path));
      expect(p.codec).toBe('h264');
      expect(p.frames).toBe(f.frame_count);
    }
    expect(files.reduce((n, f) => n + f.frame_count, 0)).toBeGreaterThan(50);
  });
});
