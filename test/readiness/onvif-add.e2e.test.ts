// Adding a camera by address + user + password alone (issue 17, R-CITY-4): the node asks the
// simulated camera's ONVIF device service for its profiles and stream URIs, creates the camera
// with them, and the readiness probe then reads real pictures over the discovered RTSP address
// and judges the ONVIF configuration against what was delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { addCameraByOnvif, discoverOnvif } from '../../src/org/onvif-add.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('camera added over ONVIF (issue 17)', () => {
  let sim: Simulator;
  let onvif: OnvifSim;
  let t: TestApp;
  let admin: Actor;
  let roomId: number;
  const auth = { username: 'admin', password: 'Cam-Pass-1' };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'found-1', audio: 'aac' }] });
    onvif = await startOnvifSim(sim, { auth });
    t = await createTestApp('sqlite', { realClock: true });
    admin = await t.actor('admin');
    const site = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!;
    roomId = site.rooms!.find((r) => r.kind === 'exam')!.id;
  }, 60_000);
  afterAll(async () => {
    await onvif.close();
    await sim.close();
    await t.close();
  });

  it('发现 shows what the device offers — maker, profiles, stream URIs without credentials — and creates nothing', async () => {
    const cams = async () => (await t.app.store.db.selectFrom('camera').select('id').execute()).length;
    const before = await cams();
    const d = await discoverOnvif({ store: t.app.store, audit: t.app.audit, devices: t.app.devices }, admin, { roomId, address: onvif.url('found-1'), ...auth });
    expect(d.manufacturer).toBe('XUNCHA-SIM');
    expect(d.profiles.map((p) => p.streamUri)).toEqual([`rtsp://127.0.0.1:${sim.port}/cam/found-1/main`, `rtsp://127.0.0.1:${sim.port}/cam/found-1/sub`]);
    expect(JSON.stringify(d)).not.toContain('Cam-Pass-1');
    expect(await cams()).toBe(before);
  });

  it('creates the camera from the device\'s profiles and stream URIs; the probe decodes pictures over them (R-CITY-4)', async () => {
    const auditBefore = (await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'camera.create', limit: 500, offset: 0 })).total;
    const r = await addCameraByOnvif({ store: t.app.store, audit: t.app.audit, devices: t.app.devices }, admin, { roomId, name: 'ONVIF 发现', position: 'front', address: onvif.url('found-1'), ...auth });
    expect(r.discovered.profiles.map((p) => `${p.token} ${p.encoding} ${p.width}×${p.height}`)).toEqual(['Profile_1 H264 1280×720', 'Profile_2 H264 640×360']);
    expect(r.discovered.manufacturer).toBe('XUNCHA-SIM');
    // The stored network configuration is what the device said (inner NAT host replaced by the one reached).
    const net = await t.app.devices.revealNetwork(admin, r.camera.id);
    expect(net).toMatchObject({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'Cam-Pass-1', mainStream: '/cam/found-1/main', subStream: '/cam/found-1/sub', onvifUrl: onvif.url('found-1') });
    expect((await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'camera.create', limit: 500, offset: 0 })).total).toBe(auditBefore + 1);

    const c = await t.app.readiness.campaigns.open(admin, { name: 'ONVIF 添加后检测', checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    const run = await t.app.readiness.probe(admin, c.id, { cameraIds: [r.camera.id] });
    await run.done;
    const d = await t.app.readiness.campaigns.get(admin, c.id);
    const by = Object.fromEntries(d.cameras.find((x) => x.cameraId === r.camera.id)!.results.map((x) => [x.probe, x]));
    for (const p of ['online', 'decode', 'device', 'config'] as const) expect(by[p]?.verdict, `${p}: ${by[p]?.value} ${by[p]?.reason}`).toBe('pass');
    expect(by.decode.value).toMatch(/解码 [1-9]\d* 幅画面/);
  }, 90_000);

  it('a wrong password or an address where nothing answers is refused with the reason; nothing is created', async () => {
    const count = async () => (await repos(t.app.store.db).cameras.list({ kind: 'all' })).length;
    const before = await count();
    const add = (address: string, password: string) => addCameraByOnvif({ store: t.app.store, audit: t.app.audit, devices: t.app.devices }, admin, { roomId, name: '不应创建', position: 'rear', address, username: 'admin', password });
    await expect(add(onvif.url('found-1'), 'wrong')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/NotAuthorized/) });
    await expect(add('127.0.0.1:1', 'x')).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/无法连接/) });
    expect(await count()).toBe(before);
  });
});
