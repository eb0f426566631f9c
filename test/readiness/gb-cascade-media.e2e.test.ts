// Joint debugging upward proves the video and sound arrive (issue 17 item 6, R-PRE-2, R-PRE-3):
// an upper's probe of a site camera pulls it live through the cascade (GB/T 28181 INVITE, RTP/PS)
// and judges what it decoded — picture not black, sound level in dBFS — not what the site says.
// Province ← city ← site, real nodes on loopback: the city pulls from the site directly; the
// province pulls through the city's relay (the city INVITEs the site and re-muxes video and audio
// into the province's PS). A good camera with G.711 (pcma) and one with AAC pass picture and sound
// at both levels with the simulator tone's level (−31.5 dBFS); a black camera fails the picture
// and a silent microphone fails the sound, at the city and at the province, each with its reason.
// A full check started at the province also finds the site's test recording through the city
// (RecordInfo relayed), and its clock row judges the site's clock (DeviceTime the city relays),
// not the city's (the Date of the city's own answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessProbe } from '../../src/store/schema.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { addLower, addSimCameras, CITY, PROVINCE, SITE, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

const CAMS = [
  { id: 'g', audio: 'pcma' as const },
  { id: 'a', audio: 'aac' as const },
  { id: 'k', audio: 'pcma' as const }, // black picture
  { id: 'q', audio: 'pcma' as const }, // dead microphone
];

describe('upper probes decode a site camera’s picture and sound through the cascade (R-PRE-2, R-PRE-3)', () => {
  let sim: Simulator;
  let province: Level;
  let city: Level;
  let site: Level;
  let gb: Record<string, { id: number; gb: string }> = {};
  const camAt = new Map<Level, Record<string, number>>();

  /**
   * The site's cameras as gb28181 cameras in exam rooms (sound required) of an upper level. Each
   * copy gets its own GB code: the three test nodes share one seed, so an allocated code would
   * equal the site channel's and the city would answer for its copy instead of relaying.
   */
  const addRemote = async (l: Level) => {
    const admin = await l.t.actor('admin');
    const rooms = (await l.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.filter((r) => r.kind === 'exam');
    const ids: Record<string, number> = {};
    for (const [i, c] of CAMS.entries()) {
      ids[c.id] = (await l.t.app.devices.createCamera(admin, { roomId: rooms[i % rooms.length].id, name: `考点-${c.id}`, position: i < rooms.length ? 'front' : 'rear', sourceKind: 'gb28181', mainStream: gb[c.id].gb, subStream: '', gbCode: `${gb[c.id].gb.slice(0, 14)}${l === city ? 8 : 9}0000${i}` })).id;
    }
    camAt.set(l, ids);
  };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: CAMS });
    province = await startLevel(PROVINCE);
    await addLower(province, CITY.id, '市平台');
    await province.cascade.start();
    city = await startLevel(CITY, province);
    await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    // The site's clock runs 5 s ahead of the city's and the province's (the full check below).
    (site.t.app.clock as { nowMs: () => number }).nowMs = () => Date.now() + 5000;
    gb = await addSimCameras(site, sim.port, CAMS.map((c) => c.id));
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site cameras record', () => CAMS.every((c) => site.t.app.recorder.status(gb[c.id].id)?.recording === true), 30_000);
    await until('city and province have the channels', async () => {
      for (const c of CAMS) if (!(await city.cascade.calls!.owns(gb[c.id].gb)) || !(await province.cascade.calls!.owns(gb[c.id].gb))) return false;
      return true;
    }, 30_000);
    await addRemote(city);
    await addRemote(province);
    sim.fault('k', { type: 'picture', picture: 'black' });
    sim.fault('q', { type: 'silence' });
    await new Promise((r) => setTimeout(r, 2500)); // faults take effect at the next keyframe (GOP 2 s)
  }, 60_000);
  afterAll(async () => {
    await stopLevels([site, city, province]);
    await sim?.close();
  });

  const probeAt = async (l: Level, name: string) => {
    const admin = await l.t.actor('admin');
    const campaign = await l.t.app.readiness.campaigns.open(admin, { name, checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    const ids = camAt.get(l)!;
    await (await l.t.app.readiness.probe(admin, campaign.id, { cameraIds: Object.values(ids) })).done;
    const d = await l.t.app.readiness.campaigns.get(admin, campaign.id);
    return (cam: string, probe: ReadinessProbe) => {
      const r = d.cameras.find((x) => x.cameraId === ids[cam])!.results.find((x) => x.probe === probe);
      return { verdict: r?.verdict, value: r?.value ?? '', reason: r?.reason ?? '', text: `${cam}/${probe}: ${r?.verdict} ${r?.value} ${r?.reason}` };
    };
  };
  it('a full check at the province through the city: RecordInfo relayed by the city finds the site’s recording; the clock judged is the site’s, not the city’s', async () => {
    const admin = await province.t.actor('admin');
    const campaign = await province.t.app.readiness.campaigns.open(admin, { name: '省级联调', checks: 'full', deadlineMs: Date.now() + 86_400_000, contacts: [] });
    const id = camAt.get(province)!.g;
    // The site's clock runs 5 s ahead (from the start); the city's is right. The province's queries
    // are answered by the city (its Date says +0), the DeviceStatus it relays carries the site's
    // DeviceTime (+5).
    await (await province.t.app.readiness.probe(admin, campaign.id, { cameraIds: [id] })).done;
    const results = (await province.t.app.readiness.campaigns.get(admin, campaign.id)).cameras.find((x) => x.cameraId === id)!.results;
    const row = (p: ReadinessProbe) => results.find((x) => x.probe === p)!;
    for (const p of ['online', 'decode', 'picture', 'audio', 'device'] as const) expect(row(p).verdict, `${p}: ${row(p).value} ${row(p).reason}`).toBe('pass');
    expect(row('recording').verdict, `${row('recording').value} ${row('recording').reason}`).toBe('pass');
    // RecordInfo asked in the site's time (the site answers in it), not the city's.
    expect(row('recording').value).toMatch(/^下级录像覆盖 1[0-4]\.\d 秒 \(RecordInfo \d+ 段，按下级时钟 \+5 秒查询\)$/);
    // Before gb17b this row read "+0.00 秒 … 200 OK" and passed: the relaying city's clock.
    expect(row('clock').verdict, `${row('clock').value} ${row('clock').reason}`).toBe('fail');
    expect(row('clock').value).toMatch(/^\+(4\.[4-9]|5\.[0-6])\d 秒 \(GB\/T 28181 DeviceStatus DeviceTime ±0\.\d\d 秒 \(下级设备所在节点\)；应答 Date 为中继节点时钟 [+-]0\.\d\d 秒\)$/);
    // The province recorded nothing itself: the site's recording is what was found.
    expect(await province.t.app.store.db.selectFrom('recording_schedule').select('camera_id').where('created_by', '=', 'readiness').execute()).toEqual([]);
  }, 60_000);

  const meanDb = (value: string) => Number(/平均 (-?[\d.]+) dBFS/.exec(value)?.[1]);

  for (const [which, level] of [['city (pulls from the site)', () => city], ['province (pulls through the city’s relay)', () => province]] as const) {
    it(`at the ${which}: good pictures and the tone pass, black and silence fail with their reasons`, async () => {
      const row = await probeAt(level(), `联调 ${which}`);
      for (const cam of ['g', 'a']) {
        for (const p of ['online', 'decode', 'picture'] as const) expect(row(cam, p).verdict, row(cam, p).text).toBe('pass');
        // The room needs sound: the tone arrived through the cascade and was measured at this level.
        expect(row(cam, 'audio').verdict, row(cam, 'audio').text).toBe('pass');
        expect(meanDb(row(cam, 'audio').value), row(cam, 'audio').text).toBeGreaterThan(-34);
        expect(meanDb(row(cam, 'audio').value)).toBeLessThan(-29);
        // Sound from the first GOP on (a relay learns the audio from its first frame and announces
        // it at once): ≥ 3 s of the ~4 s capture (G.711 50 frames/s, AAC 16 kHz 15.6 frames/s).
        const frames = Number(/\((\d+) 帧\)/.exec(row(cam, 'audio').value)?.[1]);
        expect(frames, row(cam, 'audio').text).toBeGreaterThanOrEqual(cam === 'g' ? 150 : 45);
        expect(row(cam, 'device').verdict, row(cam, 'device').text).toBe('pass');
      }
      // A black camera is online, decodes and sounds right: only its picture fails.
      expect(row('k', 'decode').verdict, row('k', 'decode').text).toBe('pass');
      expect(row('k', 'picture').verdict, row('k', 'picture').text).toBe('fail');
      expect(row('k', 'picture').reason).toMatch(/画面过暗/);
      expect(row('k', 'audio').verdict, row('k', 'audio').text).toBe('pass');
      // A dead microphone: audio frames arrive, their level is digital silence.
      expect(row('q', 'picture').verdict, row('q', 'picture').text).toBe('pass');
      expect(row('q', 'audio').verdict, row('q', 'audio').text).toBe('fail');
      expect(row('q', 'audio').reason).toContain('无声');
      // G.711 digital silence (A-law 0xD5) decodes to ±8 of 32768: −72.2 dBFS, below the −70 fail line.
      expect(meanDb(row('q', 'audio').value), row('q', 'audio').text).toBeLessThanOrEqual(-70);
    }, 60_000);
  }
});
