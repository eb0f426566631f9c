// Readiness probes feed the equipment ledger (issue 19 items 1b, 4b, 4d) against the camera and
// ONVIF simulators: R-SEC-1 the camera's own GetDeviceInformation answer fills its ledger row's
// model, serial and firmware (audited, once — an unchanged answer writes nothing); a malformed
// answer (bidi override, broken XML) is refused and recorded, the row untouched, the probe goes on.
// R-FLT-1 a black picture opens one "picture" ticket per camera, seen again it adds to it, a good
// picture later is the measured health the system verifies from. R-CITY-4 a camera replaced (new
// serial) while its ticket is open verifies only after the replacement passes the conformance
// check (its configured profile must match what it sends). Retention disk alarms open the node
// server's one "disk" ticket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const VERIFY_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('readiness probes → ledger facts and tickets (simulated cameras)', () => {
  let t: TestApp;
  let sim: Simulator;
  let onvif: OnvifSim;
  let admin: Actor;
  let campaignId = 0;
  const cam = { pic: 0, onvif: 0, bidi: 0, broken: 0 };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'pic', audio: 'none' }, { id: 'onvif', audio: 'none' }, { id: 'bidi', audio: 'none' }, { id: 'broken', audio: 'none' }], srIntervalMs: 500 });
    onvif = await startOnvifSim(sim, { auth: { username: 'admin', password: 'Cam-Pass-1' } });
    onvif.setDeviceInformation('bidi', '<tds:Manufacturer>ACME</tds:Manufacturer><tds:Model>IPC\u202Egpj.exe</tds:Model><tds:FirmwareVersion>1</tds:FirmwareVersion><tds:SerialNumber>S1</tds:SerialNumber>');
    onvif.setDeviceInformation('broken', '<tds:Model>IPC</tds:Mod');
    t = await createTestApp('sqlite', { realClock: true, app: { ledger: { verifyHealthyMs: VERIFY_MS, tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000 } } });
    admin = await t.actor('admin');
    const affairs = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.find((r) => r.kind === 'affairs')!;
    const add = async (id: string, withOnvif: boolean) =>
      (await t.app.devices.createCamera(admin, { roomId: affairs.id, name: `台账-${id}`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${id}/main`, subStream: `/cam/${id}/sub`, host: '127.0.0.1', port: sim.port, ...(withOnvif ? { onvifUrl: onvif.url(id), username: 'admin', password: 'Cam-Pass-1' } : {}) })).id;
    cam.pic = await add('pic', false);
    cam.onvif = await add('onvif', true);
    cam.bidi = await add('bidi', true);
    cam.broken = await add('broken', true);
    await t.app.ledger.start();
    campaignId = (await t.app.readiness.campaigns.open(admin, { name: '台账联动', checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] })).id;
  }, 60_000);
  afterAll(async () => {
    await t.app.ledger.stop();
    await onvif.close();
    await sim.close();
    await t.close();
  });

  const probe = async (ids: number[]) => (await t.app.readiness.probe(admin, campaignId, { cameraIds: ids })).done;
  const device = async (cameraId: number) => (await t.app.ledger.ledger.list(admin)).find((d) => d.cameraId === cameraId)!;
  const tickets = async (cameraId: number, kind: string) => (await t.app.ledger.faults.list(admin, { state: 'unverified' })).filter((x) => x.cameraId === cameraId && x.kind === kind);
  const factsAudit = async () => t.app.store.db.selectFrom('audit_log').select(['object_id', 'outcome', 'detail']).where('action', '=', 'ledger.device.facts').orderBy('seq').execute();
  const repair = async (id: number) => {
    await t.app.ledger.faults.act(admin, id, 'start_repair');
    await t.app.ledger.faults.act(admin, id, 'mark_repaired');
  };

  it('R-SEC-1/R-FLT-1: facts fill the ledger row, malformed answers are recorded not applied; black pictures open one ticket per camera', async () => {
    sim.fault('pic', { type: 'picture', picture: 'black' });
    sim.fault('onvif', { type: 'picture', picture: 'black' });
    await sleep(2500); // the simulator switches at its next keyframe
    await probe([cam.pic, cam.onvif, cam.bidi, cam.broken]);
    expect(await device(cam.onvif)).toMatchObject({ model: 'XUNCHA-SIM SIM-IPC-2T', serial: 'onvif', firmware: 'V5.7.3 build 250101' });
    for (const id of [cam.bidi, cam.broken]) expect(await device(id)).toMatchObject({ model: '', serial: '', firmware: '' });
    const audit = await factsAudit();
    const of = async (cameraId: number) => {
      const id = String((await device(cameraId)).id);
      return audit.filter((a) => a.object_id === id);
    };
    expect((await of(cam.onvif)).map((a) => a.outcome)).toEqual(['ok']);
    expect(JSON.parse((await of(cam.onvif))[0].detail!)).toMatchObject({ via: 'ONVIF GetDeviceInformation', after: { serial: 'onvif' } });
    expect((await of(cam.bidi)).map((a) => a.outcome)).toEqual(['error']);
    expect(JSON.parse((await of(cam.bidi))[0].detail!).reason).toContain('文字方向控制符');
    expect((await of(cam.broken)).map((a) => a.outcome)).toEqual(['error']);
    // The probe itself went on: the broken camera's device row is a warning, its picture judged.
    const results = (await t.app.readiness.campaigns.get(admin, campaignId)).cameras.find((c) => c.cameraId === cam.broken)!.results;
    expect(results.find((r) => r.probe === 'device')?.verdict).toBe('warn');
    expect(results.find((r) => r.probe === 'picture')?.verdict).toBe('pass');
    for (const id of [cam.pic, cam.onvif]) {
      const open = await tickets(id, 'picture');
      expect(open).toHaveLength(1);
      expect(open[0]).toMatchObject({ state: 'open', origin: 'auto', faultCount: 1 });
      expect(open[0].summary).toContain('画面过暗');
    }
    expect(await tickets(cam.bidi, 'picture')).toHaveLength(0);
  }, 60_000);

  it('R-FLT-1/R-CITY-4: still black adds to the one ticket; the replaced camera is healthy but not verified until it conforms; then both are verified by the system', async () => {
    const picTicket = (await tickets(cam.pic, 'picture'))[0].id;
    const camTicket = (await tickets(cam.onvif, 'picture'))[0].id;
    await repair(picTicket);
    await repair(camTicket);
    // The onvif camera is replaced: another serial, a good picture, but configured 1080p H.265 while sending 720p H.264.
    sim.fault('onvif', { type: 'clear' });
    onvif.setDeviceInformation('onvif', '<tds:Manufacturer>XUNCHA-SIM</tds:Manufacturer><tds:Model>SIM-IPC-4T</tds:Model><tds:FirmwareVersion>V5.8.0</tds:FirmwareVersion><tds:SerialNumber>NEW-SN-2</tds:SerialNumber>');
    onvif.setProfiles('onvif', [{ name: 'mainStream', encoding: 'H265', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, govLength: 50 }]);
    await sleep(2500);
    await probe([cam.pic, cam.onvif]);
    const pic = await t.app.ledger.faults.get(admin, picTicket);
    expect(pic).toMatchObject({ state: 'repairing', faultCount: 2 }); // seen again after "repaired"
    expect((await tickets(cam.pic, 'picture'))).toHaveLength(1);
    expect(await device(cam.onvif)).toMatchObject({ model: 'XUNCHA-SIM SIM-IPC-4T', serial: 'NEW-SN-2', firmware: 'V5.8.0' });
    let replaced = await t.app.ledger.faults.get(admin, camTicket);
    expect(replaced.events.map((e) => e.action)).toContain('device_replaced');
    await sleep(VERIFY_MS + 100);
    await t.app.ledger.tick();
    replaced = await t.app.ledger.faults.get(admin, camTicket);
    expect(replaced.state).toBe('repaired'); // healthy long enough, but the replacement has not conformed
    // Both fixed: the picture is good, the replacement configured to the standard.
    sim.fault('pic', { type: 'clear' });
    onvif.setProfiles('onvif', undefined);
    await t.app.ledger.faults.act(admin, picTicket, 'mark_repaired');
    await sleep(2500);
    await probe([cam.pic, cam.onvif]);
    await sleep(VERIFY_MS + 100);
    await t.app.ledger.tick();
    for (const id of [picTicket, camTicket]) {
      const d = await t.app.ledger.faults.get(admin, id);
      expect(d.state, d.events.map((e) => e.action).join(',')).toBe('verified');
      expect(d.events.at(-1)!.actor).toBe('system');
    }
    expect((await t.app.ledger.faults.get(admin, camTicket)).events.map((e) => e.action)).toEqual(expect.arrayContaining(['device_replaced', 'conformance_pass', 'verify']));
    // Facts audited once per change, not per probe.
    const onvifRow = String((await device(cam.onvif)).id);
    expect((await factsAudit()).filter((a) => a.object_id === onvifRow && a.outcome === 'ok')).toHaveLength(2);
  }, 90_000);

  it('R-FLT-1: retention disk alarms open one disk ticket on the node server; cleared, it is healthy', async () => {
    const alarms = t.app.retention.alarms;
    for (let i = 0; i < 3; i++) alarms.emit('alarm.raised', { alarmId: 1, kind: 'disk_full', atMs: Date.now(), freeBytes: 1024, thresholdBytes: 0, message: '录像磁盘已满' });
    await t.app.ledger.monitor.enqueue(() => Promise.resolve());
    let disk = (await t.app.ledger.faults.list(admin, { state: 'unverified' })).filter((x) => x.kind === 'disk');
    expect(disk).toHaveLength(1);
    expect(disk[0]).toMatchObject({ deviceCode: 'NODE-SERVER', faultCount: 3, healthy: false });
    alarms.emit('alarm.cleared', { alarmId: 1, kind: 'disk_full', atMs: Date.now(), freeBytes: 10 ** 12, thresholdBytes: 0, message: '' });
    await t.app.ledger.monitor.enqueue(() => Promise.resolve());
    disk = (await t.app.ledger.faults.list(admin, { state: 'unverified' })).filter((x) => x.kind === 'disk');
    expect(disk[0].healthy).toBe(true);
  });
});
