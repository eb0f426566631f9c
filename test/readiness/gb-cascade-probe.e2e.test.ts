// Joint debugging upward (issue 17 item 6, R-PRE-2, R-PRE-3, R-PRE-6): a city probes a camera that
// lives at a site through the cascade and verifies it with GB/T 28181 itself — the live pull decodes
// real pictures, DeviceStatus and the catalog say the channel is online, RecordInfo finds ≥ 10 s of
// the site's recording in the test window, and the clock comes from the Date of the site's 200 OK
// answers to the city's queries (bounded by send and receive times). A site camera that records only
// in scheduled windows (none now) is a recording fail, said as such; no camera is recorded by the city.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { addLower, addSimCameras, CITY, SITE, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

describe('city probes a site camera through the cascade (R-PRE-2, R-PRE-3, R-PRE-6)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  const cityCam: Record<string, number> = {};
  let gb: Record<string, { id: number; gb: string }> = {};

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'r', audio: 'none' }, { id: 'n', audio: 'none' }] });
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    // The site's clock runs 5 s ahead: its answers' Date must say so, within the round trip.
    const clock = site.t.app.clock as { nowMs: () => number };
    clock.nowMs = () => Date.now() + 5000;
    gb = await addSimCameras(site, sim.port, ['r', 'n']);
    const siteAdmin = await site.t.actor('admin');
    // Camera n records only in scheduled windows, and none is scheduled: the site does not record it.
    await site.t.app.recordings.setMode(siteAdmin, gb.n.id, 'scheduled');
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site camera r records', () => site.t.app.recorder.status(gb.r.id)?.recording === true);
    const cityAdmin = await city.t.actor('admin');
    const rooms = (await city.t.app.org.tree(cityAdmin)).find((n) => n.kind === 'site')!.rooms!;
    for (const [i, k] of ['r', 'n'].entries()) {
      cityCam[k] = (await city.t.app.devices.createCamera(cityAdmin, { roomId: rooms[i].id, name: `考点一-${k}`, position: 'front', sourceKind: 'gb28181', mainStream: gb[k].gb, subStream: '' })).id;
    }
    await until('city has the channels', async () => (await city.cascade.calls!.owns(gb.r.gb)) && city.cascade.calls!.owns(gb.n.gb));
  }, 60_000);
  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('a full check at the city: live decode, DeviceStatus + catalog, RecordInfo of the test window, clock from the answers’ Date', async () => {
    const admin = await city.t.actor('admin');
    const campaign = await city.t.app.readiness.campaigns.open(admin, { name: '市级联调', checks: 'full', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    const t0 = Date.now();
    await (await city.t.app.readiness.probe(admin, campaign.id, { cameraIds: [cityCam.r, cityCam.n] })).done;
    // The test window (14 s) plus settling: the RecordInfo was asked after it ended.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(14_000);
    const d = await city.t.app.readiness.campaigns.get(admin, campaign.id);
    const rowsOf = (k: string) => d.cameras.find((x) => x.cameraId === cityCam[k])!.results;
    const row = (k: string, p: string) => rowsOf(k).find((r) => r.probe === p)!;
    const r = (k: string, p: string) => `${k}/${p}: ${row(k, p)?.verdict} ${row(k, p)?.value} ${row(k, p)?.reason}`;

    for (const p of ['online', 'decode'] as const) expect(row('r', p)?.verdict, r('r', p)).toBe('pass');
    expect(row('r', 'device').verdict, r('r', 'device')).toBe('pass');
    expect(row('r', 'device').value).toMatch(/^DeviceStatus OK ONLINE\/OK 编码 ON 录像 ON；目录状态 ON$/);
    expect(row('r', 'recording').verdict, r('r', 'recording')).toBe('pass');
    // The site answers RecordInfo in its own time, 5 s ahead: the city shifted the window by it.
    expect(row('r', 'recording').value).toMatch(/^下级录像覆盖 1[0-4]\.\d 秒 \(RecordInfo \d+ 段，按下级时钟 \+5 秒查询\)$/);
    const clockRow = row('r', 'clock');
    expect(clockRow.value, r('r', 'clock')).toMatch(/^\+(4\.[5-9]|5\.[0-4])\d 秒 \(GB\/T 28181 应答 Date ±0\.\d\d 秒，\d+ 次应答 \(200 OK\)\)$/);
    expect(clockRow.verdict).toBe('fail'); // 5 s off: beyond the 3 s warning line

    // Camera n: online at the site, but not recorded: DeviceStatus says Record OFF (warn), and the
    // index has nothing in the window (fail) — the city does not take "online" for "records".
    expect(row('n', 'device').verdict, r('n', 'device')).toBe('warn');
    expect(row('n', 'device').reason).toContain('Record OFF');
    expect(row('n', 'recording').verdict, r('n', 'recording')).toBe('fail');
    expect(row('n', 'recording').reason).toBe('下级在试录时段内无录像 (RecordInfo found no recording)');

    // The city recorded neither channel itself: no test window was scheduled at the city.
    const windows = await city.t.app.store.db.selectFrom('recording_schedule').select('camera_id').where('created_by', '=', 'readiness').execute();
    expect(windows).toEqual([]);
  }, 120_000);

  it('a site camera that went offline fails the device row with what the site and its catalog say', async () => {
    const admin = await city.t.actor('admin');
    const campaign = await city.t.app.readiness.campaigns.open(admin, { name: '市级对时', checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    sim.removeCamera('r'); // unplugged: the site's session ends and reconnecting finds nothing
    await until('site sees camera r offline', () => site.t.app.recorder.status(gb.r.id)?.state !== 'online', 20_000);
    await (await city.t.app.readiness.probe(admin, campaign.id, { cameraIds: [cityCam.r] })).done;
    const d = await city.t.app.readiness.campaigns.get(admin, campaign.id);
    const results = d.cameras.find((x) => x.cameraId === cityCam.r)!.results;
    const dev = results.find((x) => x.probe === 'device')!;
    expect(dev.verdict, `${dev.value} ${dev.reason}`).toBe('fail');
    // The catalog was asked again for this run: it says OFF now too.
    expect(dev.reason).toBe('下级报告设备离线 (OFFLINE)；下级目录中通道状态 OFF');
    expect(results.find((x) => x.probe === 'online')!.verdict).toBe('fail');
    // No recording row in a clock check.
    expect(results.some((x) => x.probe === 'recording')).toBe(false);
  }, 60_000);
});
