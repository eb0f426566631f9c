// GB/T 28181 DeviceInfo fills the ledger (R-SEC-1, issue 19 item 1b): a city node probing a camera
// whose source is a site's channel asks the site for DeviceInfo through the cascade; the site
// answers with the camera's facts from its own ledger, and the city's ledger row takes them
// (audited as the system). A channel no lower owns is recorded as an error, the row untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { addLower, CITY, SITE, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

describe('GB/T 28181 DeviceInfo → the city ledger', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let cityCam = 0;
  let strayCam = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city);
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-a', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    // The site's ledger knows the camera's facts (by hand here; by ONVIF in probe-ledger.e2e).
    await site.t.app.ledger.ledger.syncCameras();
    const row = (await site.t.app.ledger.ledger.list(admin)).find((d) => d.cameraId === c.id)!;
    await site.t.app.ledger.ledger.update(admin, row.id, { ...row, model: 'HIKVISION DS-2CD2T47G2', serial: 'DS-1', firmware: 'V5.7.3' });
    await site.cascade.start();
    const cityAdmin = await city.t.actor('admin');
    const cityRoom = (await city.t.app.org.tree(cityAdmin)).find((n) => n.kind === 'site')!.rooms![0];
    cityCam = (await city.t.app.devices.createCamera(cityAdmin, { roomId: cityRoom.id, name: '考点一前置', position: 'front', sourceKind: 'gb28181', mainStream: c.gbCode, subStream: '' })).id;
    strayCam = (await city.t.app.devices.createCamera(cityAdmin, { roomId: cityRoom.id, name: '无主通道', position: 'rear', sourceKind: 'gb28181', mainStream: '32010600001310009999', subStream: '' })).id;
    await until('city has the channel', () => city.cascade.calls!.owns(c.gbCode));
  }, 60_000);
  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('R-SEC-1: the probe at the city fills model and firmware from the site\'s DeviceInfo; an unowned channel is recorded, not applied', async () => {
    const admin = await city.t.actor('admin');
    const campaign = await city.t.app.readiness.campaigns.open(admin, { name: '市级检测', checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    await (await city.t.app.readiness.probe(admin, campaign.id, { cameraIds: [cityCam, strayCam] })).done;
    const rows = await city.t.app.ledger.ledger.list(admin);
    expect(rows.find((d) => d.cameraId === cityCam)).toMatchObject({ model: 'HIKVISION DS-2CD2T47G2', firmware: 'V5.7.3', serial: '' });
    expect(rows.find((d) => d.cameraId === strayCam)).toMatchObject({ model: '', firmware: '' });
    const audit = await city.t.app.store.db.selectFrom('audit_log').select(['object_id', 'outcome', 'detail']).where('action', '=', 'ledger.device.facts').execute();
    const idOf = (cameraId: number) => String(rows.find((d) => d.cameraId === cameraId)!.id);
    expect(audit.filter((a) => a.object_id === idOf(cityCam)).map((a) => [a.outcome, JSON.parse(a.detail!).via])).toEqual([['ok', 'GB/T 28181 DeviceInfo']]);
    expect(audit.filter((a) => a.object_id === idOf(strayCam)).map((a) => a.outcome)).toEqual(['error']);
  }, 60_000);
});
