// R-PRE-4 measured for real through the cascade (issue 17 item 4): the city pulls every channel of
// its lower site at once over GB/T 28181 (the live INVITE path) and its receiver measures bitrate,
// RTP loss and jitter. The achieved sum must be close to what the site's cameras send (measured
// here independently on the site, from the frames its recorder receives), with no loss. Without a
// requirement reported by the site (R-PRE-2) the verdict is a warning, never a pass; a requirement
// above what the link carried fails; a site gone offline fails with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import type { MediaFrame } from '../../src/media/types.ts';
import { repos } from '../../src/store/repos/index.ts';
import { addLower, CITY, SITE, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

const NAMES = ['a', 'b'];

describe('bandwidth measured through the cascade (R-PRE-4, R-PRE-2)', () => {
  let sim: Simulator;
  let city: Level;
  let site: Level;
  let lowerId = 0;
  const siteCams: number[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ cameras: NAMES.map((id) => ({ id, audio: 'none' as const })) });
    city = await startLevel(CITY);
    lowerId = await addLower(city, SITE.id, '考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    const admin = await site.t.actor('admin');
    const rooms = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    const gb: string[] = [];
    for (const [i, n] of NAMES.entries()) {
      const c = await site.t.app.devices.createCamera(admin, { roomId: rooms[i % rooms.length].id, name: `cam-${n}`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${n}/main`, subStream: '/none', host: '127.0.0.1', port: sim.port });
      siteCams.push(c.id);
      gb.push(c.gbCode);
    }
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site cameras record', () => siteCams.every((id) => site.t.app.recorder.status(id)?.recording === true), 30_000);
    await until('city has the channels', async () => (await Promise.all(gb.map((g) => city.cascade.calls!.owns(g)))).every(Boolean), 30_000);
  }, 90_000);
  afterAll(async () => {
    await stopLevels([site, city]);
    await sim?.close();
  });

  it('the city pulls both channels at once: achieved ≈ what the cameras send, loss 0, jitter measured; no reported requirement → warn', async () => {
    // What the site's cameras send, counted at the site over the same window (elementary stream bytes).
    let siteBytes = 0;
    const count = (f: MediaFrame) => void (siteBytes += f.kind === 'video' ? f.nalus.reduce((a, n) => a + n.byteLength + 4, 0) : f.data.byteLength);
    const sups = siteCams.map((id) => site.t.app.recorder.supervisor(id)!);
    for (const s of sups) s.on('frame', count);
    const t0 = Date.now();
    const admin = await city.t.actor('admin');
    const v = await city.t.app.readiness.cascadeBandwidth.measure(admin, lowerId, { durationMs: 6000 });
    const siteKbps = (siteBytes * 8) / (Date.now() - t0);
    for (const s of sups) s.off('frame', count);
    expect(v.streams, JSON.stringify(v)).toBe(2);
    expect(v.channelsTotal).toBe(2);
    for (const s of v.perStream) {
      expect(s.error, s.channel).toBeNull();
      expect(s.kbps, s.channel).toBeGreaterThan(0);
      expect(s.lost, s.channel).toBe(0);
      expect(Number.isFinite(s.jitterMs)).toBe(true);
    }
    expect(v.lossPercent).toBe(0);
    // PS and RTP headers add a few per cent; the site's window is a little longer (INVITE time).
    expect(v.achievedKbps / siteKbps, `${v.achievedKbps} kbit/s at the city, ${siteKbps.toFixed(0)} at the site`).toBeGreaterThan(0.7);
    expect(v.achievedKbps / siteKbps).toBeLessThan(1.6);
    expect(v.requiredKbps).toBeNull();
    expect(v.verdict).toBe('warn');
    expect(v.reason).toMatch(/未上报所需带宽/);
    // Stored and listed (the upper's view beside the lower's reported verdict).
    const listed = (await city.t.app.readiness.cascadeBandwidth.latest(admin)).find((x) => x.lowerId === lowerId)!;
    expect(listed).toMatchObject({ verdict: 'warn', achievedKbps: v.achievedKbps, streams: 2, lossPercent: 0 });
    expect(listed.perStream).toHaveLength(2);
    // R-PRE-2: the measurement is on the node-to-node channel (it goes to every level above with the
    // site's own items), named with the level that measured.
    const cityName = (await repos(city.t.app.store.db).org.root())!.name;
    const reported = () => city.t.app.readiness.reportedBandwidth(admin).then((l) => l.filter((x) => x.lowerId === lowerId));
    expect(await reported()).toEqual([expect.objectContaining({ verdict: 'warn', achievedKbps: v.achievedKbps, streams: 2, measuredAt: cityName, stale: false, lowerSipId: SITE.id })]);

    // A requirement the link did not reach fails, naming both numbers.
    const tooMuch = await city.t.app.readiness.cascadeBandwidth.measure(admin, lowerId, { durationMs: 3000, requiredKbps: Math.round(v.achievedKbps * 5) });
    expect(tooMuch.verdict).toBe('fail');
    expect(tooMuch.reason).toMatch(/低于所需/);
    // One the link carried passes.
    const enough = await city.t.app.readiness.cascadeBandwidth.measure(admin, lowerId, { durationMs: 3000, requiredKbps: Math.max(1, Math.round(v.achievedKbps * 0.3)) });
    expect(enough.verdict, enough.reason ?? '').toBe('pass');
    // The newest measurement replaces the older ones upward (one item per lower).
    expect((await reported()).map((x) => [x.verdict, x.requiredKbps])).toEqual([['pass', enough.requiredKbps]]);
  }, 120_000);

  it('a site gone offline is a fail with its reason, never a pass', async () => {
    await site.cascade.stop();
    // Unregistered, or three keepalives missed (6 s here).
    await until('city sees the site offline', () => city.cascade.registry?.isOnline(lowerId) === false, 30_000);
    const admin = await city.t.actor('admin');
    const v = await city.t.app.readiness.cascadeBandwidth.measure(admin, lowerId, { durationMs: 2000, requiredKbps: 1 });
    expect(v.verdict).toBe('fail');
    expect(v.achievedKbps).toBe(0);
    expect(v.reason).toMatch(/offline|未收到/);
  }, 60_000);
});
