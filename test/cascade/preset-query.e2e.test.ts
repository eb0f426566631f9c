// PresetQuery from a real SIP upper (issue 15 "Missing"; GB/T 28181-2016 A.2.4.8 / A.2.6.10),
// through two levels (raw upper ← city ← site): the city passes the query down to the site that
// owns the channel and relays every part of its answer. The site answers an ONVIF camera's own
// presets (stored on the simulated camera, listed by ONVIF GetPresets), split into MESSAGEs under
// the UDP body budget with SumNum/Num; a camera without ONVIF: the presets approved at the site; a
// camera that does not answer in time: Result ERROR with a reason. R-FN-3.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipDestination } from '../../src/gb28181/index.ts';
import { UDP_BODY_BUDGET_BYTES } from '../../src/gb28181/index.ts';
import { OnvifClient } from '../../src/onvif/client.ts';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { RawUpper } from './raw-upper.ts';
import { addLower, CITY, PASSWORD, SITE, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const UPPER = { id: '32000000002000000001', domain: '3200000000' };
const AUTH = { username: 'onvif', password: 'ptz-secret' };

describe('lower role: PresetQuery answered with the camera\'s presets (R-FN-3, issue 15)', () => {
  let site: Level;
  let city: Level;
  let upper: RawUpper;
  let dest: SipDestination;
  let sim: Simulator;
  let onvif: OnvifSim;
  // An ONVIF device service that accepts and never answers (a hung camera).
  const hung = createServer(() => undefined);
  const cams: Record<'onvif' | 'plain' | 'hung', string> = { onvif: '', plain: '', hung: '' };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'ptz-1', audio: 'none' }] });
    onvif = await startOnvifSim(sim, { auth: AUTH });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
    upper = await RawUpper.start(UPPER.id);
    city = await startLevel(CITY, undefined, {
      sip: { upper: { id: UPPER.id, host: '127.0.0.1', port: upper.port, password: PASSWORD, transport: 'udp', keepaliveS: 30, expiresS: 3600 } },
    });
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city);
    const admin = await site.t.actor('admin');
    const rooms = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    const add = async (roomId: number, position: 'front' | 'rear', name: string, onvifUrl?: string) => {
      const c = await site.t.app.devices.createCamera(admin, { roomId, name, position, sourceKind: 'rtsp', mainStream: '/cam/ptz-1/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
      if (onvifUrl) await site.t.app.devices.updateCamera(admin, c.id, { onvifUrl, ...AUTH });
      return c;
    };
    cams.onvif = (await add(rooms[0].id, 'front', 'cam-onvif', onvif.url('ptz-1'))).gbCode;
    const plain = await add(rooms[0].id, 'rear', 'cam-plain');
    cams.plain = plain.gbCode;
    cams.hung = (await add(rooms[1].id, 'front', 'cam-hung', `http://127.0.0.1:${(hung.address() as AddressInfo).port}/onvif/device_service`)).gbCode;
    await repos(site.t.app.store.db).dutyCases.approvePreset({ camera_id: plain.id, preset_no: 3, label: '讲台', approved_by: 'admin', approved_at_ms: Date.now() });
    await site.cascade.start();
    dest = { host: '127.0.0.1', port: city.cascade.node!.transport.udpPort!, transport: 'udp' };
    await until('city registered above', () => upper.registered && city.cascade.link!.registered, 30_000);
    await until("the city has the site's cameras", async () => (await Promise.all(Object.values(cams).map((gb) => city.cascade.calls!.owns(gb)))).every(Boolean), 30_000);
  }, 90_000);

  afterAll(async () => {
    await stopLevels([site, city]);
    await upper?.close();
    hung.closeAllConnections();
    await new Promise<void>((r) => hung.close(() => r()));
    await onvif?.close();
    await sim?.close();
  });

  /** Sends a PresetQuery and collects every part of the answer (until the Num of the parts adds up to SumNum, or an ERROR). */
  const presetQuery = async (deviceId: string): Promise<string[]> => {
    const sn = upper.node.nextSn();
    const before = upper.received.length;
    const text = `<?xml version="1.0" encoding="GB2312"?>\r\n<Query><CmdType>PresetQuery</CmdType><SN>${sn}</SN><DeviceID>${deviceId}</DeviceID></Query>\r\n`;
    expect((await upper.node.message(dest, CITY.id, text)).status).toBe(200);
    const parts = () => upper.received.slice(before).filter((r) => r.msg?.sn === sn).map((r) => new TextDecoder('gb18030').decode(r.req.body));
    const complete = () => {
      const ps = parts();
      if (ps.some((p) => p.includes('<Result>ERROR</Result>'))) return true;
      const sum = ps.map((p) => Number(/<SumNum>(\d+)<\/SumNum>/.exec(p)?.[1] ?? -1));
      const num = ps.reduce((n, p) => n + Number(/<PresetList Num="(\d+)"/.exec(p)?.[1] ?? 0), 0);
      return ps.length > 0 && sum.every((s) => s === num);
    };
    await until(`answer to PresetQuery ${deviceId}`, complete, 30_000);
    return parts();
  };
  const items = (parts: string[]) => parts.flatMap((p) => [...p.matchAll(/<Item>\s*<PresetID>([^<]*)<\/PresetID>\s*<PresetName>([^<]*)<\/PresetName>\s*<\/Item>/g)].map((m) => [m[1], m[2]]));

  it('R-FN-3: lists the presets stored on the ONVIF camera of the site, relayed by the city, split under the UDP budget with SumNum/Num', async () => {
    // Nothing stored yet: an empty list, not an error.
    expect(items(await presetQuery(cams.onvif))).toEqual([]);
    // Presets stored at the camera itself (its own UI or another client), then asked for by the upper.
    const cam = new OnvifClient({ url: onvif.url('ptz-1'), ...AUTH });
    await cam.setPreset('Profile_1', '1', '考场全景');
    expect(items(await presetQuery(cams.onvif))).toEqual([['1', '考场全景']]);
    const many = Array.from({ length: 30 }, (_, i) => [String(i + 1), `预置位${i + 1}号考场讲台与后门全景`]);
    for (const [t, n] of many) await cam.setPreset('Profile_1', t, n);
    const parts = await presetQuery(cams.onvif);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p).toContain('<SumNum>30</SumNum>');
      expect(Buffer.byteLength(p, 'utf8')).toBeLessThanOrEqual(UDP_BODY_BUDGET_BYTES);
    }
    expect(items(parts).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(many);
  });

  it('R-FN-3: a camera without ONVIF answers the presets approved at the site; one that does not answer in time gets Result ERROR with a reason; an unknown device too', async () => {
    expect(items(await presetQuery(cams.plain))).toEqual([['3', '讲台']]);
    const hungAnswer = (await presetQuery(cams.hung)).join('');
    expect(hungAnswer).toContain('<Result>ERROR</Result>');
    // The site's reason (GetCapabilities timed out) relayed, or the city's own when the site's came too late.
    expect(hungAnswer).toMatch(new RegExp(`<Reason>lower platform did not list the presets of ${cams.hung}: [^<]+</Reason>`));
    const unknown = (await presetQuery('32010600001320009999')).join('');
    expect(unknown).toMatch(/<Result>ERROR<\/Result>\s*<Reason>unknown device<\/Reason>/);
  });
});
