// A GB/T 28181 source in the normal pipeline (docs/design/cascade.md): at a city node, a camera row
// with source_kind 'gb28181' whose main_stream is a site channel's GB id is opened through the
// app's routing opener (gb28181:// → the cascade's INVITE), recorded by the normal recorder into
// the city's own index (files ffprobe reads), and its supervisor feeds live viewers. R-DIS-2: a PTZ
// command at the city goes down as a GB/T 28181 PTZCmd and the site moves its ONVIF camera (the
// simulator's PTZ service sees it); once the site's exam window locks the camera nothing moves.
// R-FN-3 (issue 15): IFameCmd from the province for the city's camera goes down to the site that
// owns its channel, and the site's camera is asked for a keyframe (RTCP PLI/FIR at the simulator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoutingCameraOpener } from '../../src/ingest/routing-opener.ts';
import type { CameraOpener } from '../../src/ingest/source.ts';
import { streamSpecOf } from '../../src/recording/camera-spec.ts';
import { ptzForwarderOf } from '../../src/duty/index.ts';
import { PtzService } from '../../src/duty/ptz-service.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { CameraRow } from '../../src/store/repos/camera-repo.ts';
import { ffprobe } from '../helpers/ffprobe.ts';
import { addLower, CITY, PROVINCE, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
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
  let onvif: OnvifSim;
  let siteCam = 0;
  let province: Level;
  let city: Level;
  let site: Level;
  let siteGb = '';
  let cityCam = 0;
  let cityCamGb = '';

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    onvif = await startOnvifSim(sim);
    province = await startLevel(PROVINCE);
    await addLower(province, CITY.id, '市平台');
    await province.cascade.start();
    city = await startLevel(CITY, province, { recorder: true });
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-a', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port, onvifUrl: onvif.url('a') });
    siteGb = c.gbCode;
    siteCam = c.id;
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site camera records', () => site.t.app.recorder.status(c.id)?.recording === true);
    // The city's console: a camera in one of its rooms whose source is the site's channel.
    const cityAdmin = await city.t.actor('admin');
    const cityRoom = (await city.t.app.org.tree(cityAdmin)).find((n) => n.kind === 'site')!.rooms![0];
    const created = await city.t.app.devices.createCamera(cityAdmin, { roomId: cityRoom.id, name: '考点一前置', position: 'front', sourceKind: 'gb28181', mainStream: siteGb, subStream: '' });
    cityCam = created.id;
    cityCamGb = created.gbCode;
    await until('city has the channel', () => city.cascade.calls!.owns(siteGb));
    await city.t.app.recorder.start();
  });

  afterAll(async () => {
    await stopLevels([site, city, province]);
    await onvif?.close();
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

  it("R-FN-3: IFameCmd from the province for the city's GB-sourced camera goes down to the site: the site's camera gets a PLI/FIR, OK at every level", async () => {
    await city.t.app.recorder.start(); // the test above stopped it
    await until('city camera online', () => city.t.app.recorder.status(cityCam)?.state === 'online', 20_000);
    await until("the province has the city's camera", () => province.cascade.calls!.owns(cityCamGb), 20_000);
    const asked = () => sim.stats('a')!.streams.main.keyframeRequests;
    const before = asked();
    // Without the forward the city answered ERROR: its GB session has no RTCP channel to ask.
    expect(await province.cascade.calls!.deviceControl(cityCamGb, { IFameCmd: 'Send' })).toBe('OK');
    await until('the site camera received a PLI/FIR', () => asked() > before, 5000);
    const last = async (l: Level) => l.t.app.store.db.selectFrom('audit_log').select(['outcome', 'object_type', 'object_id', 'detail']).where('action', '=', 'cascade.control').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    const atCity = await last(city);
    expect(atCity).toMatchObject({ outcome: 'ok', object_type: 'camera', object_id: String(cityCam) });
    expect(String(atCity.detail)).toContain(`keyframe requested from the lower owning ${siteGb}`);
    const atSite = await last(site);
    expect(atSite).toMatchObject({ outcome: 'ok', object_id: String(siteCam) });
    expect(String(atSite.detail)).toMatch(/keyframe requested from the camera \(rtcp-(tcp|udp)\)/);
  });

  it('R-DIS-2: PTZ at the city reaches the site camera as PTZCmd → ONVIF; locked at the site, nothing moves', async () => {
    const cityAdmin = await city.t.actor('admin');
    const ptz = new PtzService({ store: city.t.app.store, audit: city.t.app.audit, clock: city.t.app.clock, forwarder: ptzForwarderOf(city.t.app) });
    const moved = await ptz.command(cityAdmin, cityCam, { kind: 'ptz', tilt: 'up', tiltSpeed: 128, panSpeed: 0, zoomSpeed: 0 });
    expect(moved).toEqual({ allowed: true, forwarded: true, via: 'gb28181' });
    expect(onvif.ptz('a')).toMatchObject({ moving: true, pan: 0 });
    expect(onvif.ptz('a').tilt).toBeGreaterThan(0.4);
    expect((await ptz.command(cityAdmin, cityCam, { kind: 'stop' })).forwarded).toBe(true);
    expect(onvif.ptz('a').moving).toBe(false);
    // The site's exam window: its own lock refuses what the city sends, and the camera stays still.
    const now = Date.now();
    await repos(site.t.app.store.db).recordings.insertSchedule({ camera_id: siteCam, start_ms: now - 60_000, end_ms: now + 3600_000, reason: 'exam:1:语文', created_by: 'test', created_at_ms: now });
    const movesBefore = onvif.calls.get('ContinuousMove') ?? 0;
    const refused = await ptz.command(cityAdmin, cityCam, { kind: 'ptz', pan: 'left', panSpeed: 200, tiltSpeed: 0, zoomSpeed: 0 });
    expect(refused).toMatchObject({ forwarded: false, via: 'gb28181' });
    expect(onvif.calls.get('ContinuousMove') ?? 0).toBe(movesBefore);
    expect(onvif.ptz('a').moving).toBe(false);
    const siteAudit = await site.t.app.store.db.selectFrom('audit_log').select(['outcome']).where('action', '=', 'ptz.command').orderBy('seq').execute();
    expect(siteAudit.map((a) => a.outcome)).toEqual(['ok', 'ok', 'denied']);
  });
});
