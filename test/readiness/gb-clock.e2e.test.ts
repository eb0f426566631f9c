// A GB/T 28181 camera's clock comes from what its device says (issue 17, R-PRE-6): the Date header
// of the device's 200 OK answers to the city's queries (bounded by send and receive times), else of
// its REGISTER/keepalive (a xuncha site states its own clock in both, as GB devices do). A city
// probing a camera whose source is the site's channel judges the clock on that offset — the
// site's clock is 7 s ahead here, so the row is a fail naming the GB/T 28181 source, never a guess.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { addLower, CITY, SITE, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

describe('GB/T 28181 device clock from the Date of its answers (R-PRE-6)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let cityCam = 0;
  let channel = '';

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'g', audio: 'none' }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    // The site's clock runs 7 s ahead (a node without NTP): every Date it writes says so.
    const clock = site.t.app.clock as { nowMs: () => number };
    clock.nowMs = () => Date.now() + 7000;
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-g', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/g/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    await site.t.app.recorder.start();
    await site.cascade.start();
    // The site serves the city's INVITE from its recorder's session.
    await until('site camera records', () => site.t.app.recorder.status(c.id)?.recording === true);
    const cityAdmin = await city.t.actor('admin');
    const cityRoom = (await city.t.app.org.tree(cityAdmin)).find((n) => n.kind === 'site')!.rooms![0];
    cityCam = (await city.t.app.devices.createCamera(cityAdmin, { roomId: cityRoom.id, name: '考点一前置', position: 'front', sourceKind: 'gb28181', mainStream: c.gbCode, subStream: '' })).id;
    channel = c.gbCode;
    await until('city has the channel', () => city.cascade.calls!.owns(c.gbCode));
  }, 60_000);
  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('the city reads the device clock from the Date of its 200 OK answers, within their bound, and judges it (+7 s: fail)', async () => {
    const owner = await city.cascade.calls!.ownerOf(channel);
    const stated = await city.cascade.calls!.clockOf(channel);
    expect(owner?.sip_id).toBe(SITE.id);
    // The site's 200 OK to the city's catalog query carried its Date: bounded by the city's send and
    // receive times, so the answer-based clock is preferred to the REGISTER's one-sided one.
    expect(stated?.via).toBe('200 OK');
    expect(Math.abs(stated!.offsetMs - 7000)).toBeLessThanOrEqual(stated!.accuracyMs + 1);
    const admin = await city.t.actor('admin');
    const campaign = await city.t.app.readiness.campaigns.open(admin, { name: '市级对时检查', checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    await (await city.t.app.readiness.probe(admin, campaign.id, { cameraIds: [cityCam] })).done;
    const d = await city.t.app.readiness.campaigns.get(admin, campaign.id);
    const rows = d.cameras.find((x) => x.cameraId === cityCam)!.results;
    // Issue 17 item 6: the upper itself pulls the lower's channel over GB/T 28181 and decodes real pictures.
    for (const p of ['online', 'decode'] as const) expect(rows.find((r) => r.probe === p)?.verdict, p).toBe('pass');
    const clockRow = rows.find((r) => r.probe === 'clock')!;
    expect(clockRow.value, `${clockRow.value} ${clockRow.reason}`).toMatch(/GB\/T 28181 应答 Date ±\d+\.\d\d 秒，\d+ 次应答 \(200 OK\)/);
    expect(clockRow.value).toMatch(/^\+[5-8]\.\d+ 秒/);
    expect(clockRow.verdict).toBe('fail');
  }, 90_000);
});
