// Playback over the real server stack with recordings of known frames: a seek lands on the exact
// frame, file boundaries are seamless, gaps are announced with their length and reason, several
// cameras share one clock, and every session is audited with the range watched
// (R-FN-1, R-CITY-3, R-DIS-5, R-ACC-1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concat, parseFragment } from '../../src/playback/fmp4-read.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { playbackFixture, frameCodes } from './fixture.ts';
import type { Fixture } from './fixture.ts';
import { PlaybackClient } from './ws-client.ts';

describe.each(DIALECTS)('playback sockets on %s (R-FN-1, R-CITY-3)', (dialect) => {
  let f: Fixture;
  let op: { cookie: string; csrf: string };
  beforeAll(async () => {
    f = await playbackFixture(dialect);
    op = await f.login('gulou_op');
  });
  afterAll(() => f.close());

  const open = async (cameraIds: number[], fromMs: number) => {
    const res = await f.server.inject({ method: 'POST', url: '/api/playback/token', headers: { cookie: op.cookie, 'x-csrf-token': op.csrf }, payload: { cameraIds, fromMs } });
    expect(res.statusCode, res.body).toBe(200);
    const c = await PlaybackClient.open(f.baseUrl, (res.json() as { wsPath: string }).wsPath);
    await c.until(() => c.json('start').length > 0);
    return c;
  };

  it('seeks to the exact frame: keyframe before the instant from the index, offset into the first fragment (R-FN-1)', async () => {
    const at = f.t0 + 12_345; // frame 308 of the front camera (clip frame code 58); keyframe 300 at 12.000 s
    const c = await open([f.front], at);
    await c.until(() => c.bins(0).filter((b) => b.kind === 2).length >= 2);
    const start = c.json('start')[0] as { originMs: number; slots: Array<{ keyframeMs: number; inGap: boolean }> };
    expect(start.slots[0]).toMatchObject({ keyframeMs: f.t0 + 12_000, inGap: false });
    const [init, first] = c.bins(0);
    expect(init.kind).toBe(1);
    // From the stream's own timestamps: the sample shown at the instant.
    const samples = parseFragment(first.payload);
    const target90k = (at - start.originMs) * 90;
    const k = samples.findIndex((s) => s.decodeTime <= target90k && target90k < s.decodeTime + s.duration);
    expect(samples[0].decodeTime).toBe((f.t0 + 12_000 - start.originMs) * 90);
    expect(k).toBe(8);
    // And from the pictures: decode what the server sent and read the frame code drawn in it.
    const codes = frameCodes(concat([init.payload, first.payload]));
    expect(codes[0]).toBe(50); // the keyframe (frame 300 = clip frame 50)
    expect(codes[k]).toBe(58);
    c.close();
  });

  it('crosses a file boundary without a seam: continuous timestamps and frames, no gap, no new init', async () => {
    const c = await open([f.rear], f.t0 + 9_000);
    await c.until(() => c.bins(0).filter((b) => b.kind === 2).length >= 4);
    const frags = c.bins(0).filter((b) => b.kind === 2).slice(0, 4);
    expect(c.bins(0).filter((b) => b.kind === 1)).toHaveLength(1);
    expect(c.json('gap')).toHaveLength(0);
    let expected = -1;
    for (const fr of frags) {
      const s = parseFragment(fr.payload);
      if (expected >= 0) expect(s[0].decodeTime).toBe(expected);
      expected = s.at(-1)!.decodeTime + s.at(-1)!.duration;
    }
    const codes = frameCodes(concat([c.bins(0)[0].payload, ...frags.map((x) => x.payload)]));
    // 8 s is keyframe 200; the file boundary is at frame 250 (10 s); frames run on without a break.
    expect(codes.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => (200 + i) % 250));
    c.close();
  });

  it('announces a gap with its exact length and reason before the data after it, and keeps wall-clock media time', async () => {
    const c = await open([f.front], f.t0 + 28_000);
    await c.until(() => c.json('gap').length > 0 && c.bins(0).filter((b) => b.kind === 2).length >= 4);
    expect(c.json('gap')[0]).toMatchObject({ slot: 0, startMs: f.t0 + 30_000, endMs: f.t1, durationMs: 7000, reason: 'eof' });
    const origin = (c.json('start')[0] as { originMs: number }).originMs;
    const order = c.msgs.map((m) => ('json' in m ? m.json.type : m.bin.kind === 1 ? 'init' : `frag@${parseFragment(m.bin.payload)[0].decodeTime / 90 + origin}`));
    const gapAt = order.indexOf('gap');
    expect(order.slice(0, gapAt)).toEqual(['start', 'codec', 'init', `frag@${f.t0 + 28_000}`, `frag@${f.t0 + 29_000}`]);
    expect(order[gapAt + 1]).toBe(`frag@${f.t1}`);
    c.close();
  });

  it('plays front and rear on one clock over one socket; a seek starts a new generation', async () => {
    const c = await open([f.front, f.rear], f.t0 + 33_000); // front is in its gap, rear records
    await c.until(() => c.bins(1).filter((b) => b.kind === 2).length >= 2 && c.json('gap').length > 0);
    const start = c.json('start')[0] as { originMs: number; slots: Array<{ keyframeMs: number; inGap: boolean }> };
    expect(start.slots[1]).toMatchObject({ keyframeMs: f.t0 + 32_000, inGap: false });
    expect(start.slots[0]).toMatchObject({ keyframeMs: f.t1, inGap: true });
    expect(c.json('gap')[0]).toMatchObject({ slot: 0, startMs: f.t0 + 33_000, endMs: f.t1, reason: 'no-recording' });
    expect(start.originMs).toBe(f.t0 + 32_000);
    const rearFirst = parseFragment(c.bins(1).find((b) => b.kind === 2)!.payload)[0];
    expect(rearFirst.decodeTime).toBe(0);
    c.send({ type: 'pos', gen: 1, atMs: f.t0 + 40_000 });
    await c.until(() => c.bins(0).some((b) => b.kind === 2));
    expect(parseFragment(c.bins(0).find((b) => b.kind === 2)!.payload)[0].decodeTime).toBe((f.t1 - start.originMs) * 90);
    c.send({ type: 'seek', atMs: f.t0 + 5_000 });
    await c.until(() => c.json('start').length === 2 && c.bins(0, 2).some((b) => b.kind === 2));
    expect(c.json('start')[1]).toMatchObject({ gen: 2, atMs: f.t0 + 5_000, originMs: f.t0 + 4_000 });
    c.close();
    const ends = async () => (await repos(f.t.app.store.db).audit.list({ kind: 'all' }, { action: 'playback.end' })).records.filter((r) => r.detail?.includes(String(f.t0 + 33_000)));
    for (let i = 0; i < 50 && (await ends()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const last = (await ends())[0];
    expect(last.username).toBe('gulou_op');
    const detail = JSON.parse(last.detail!) as { watched: number[][] };
    expect(detail.watched).toContainEqual([f.t0 + 33_000, f.t0 + 40_000]);
  });

  it('sends keyframes only above 4x, each lasting until the next keyframe', async () => {
    const c = await open([f.rear], f.t0 + 2_000);
    c.send({ type: 'speed', rate: 8 });
    await c.until(() => c.json('start').length === 2 && c.bins(0, 2).filter((b) => b.kind === 2).length >= 3);
    expect(c.json('start')[1]).toMatchObject({ keyframesOnly: true, speed: 8 });
    for (const b of c.bins(0, 2).filter((x) => x.kind === 2).slice(0, 3)) {
      const s = parseFragment(b.payload);
      expect(s).toHaveLength(1);
      expect(s[0].duration).toBe(2 * 90_000);
    }
    c.close();
  });

  it('refuses a token for a camera outside the scope (404) and audits it; a used token does not open twice', async () => {
    const denied = async () => (await repos(f.t.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied' })).total;
    const before = await denied();
    const res = await f.server.inject({ method: 'POST', url: '/api/playback/token', headers: { cookie: op.cookie, 'x-csrf-token': op.csrf }, payload: { cameraIds: [f.front, f.outside], fromMs: f.t0 } });
    expect(res.statusCode).toBe(404);
    expect(await denied()).toBe(before + 1);
    const ok = await f.server.inject({ method: 'POST', url: '/api/playback/token', headers: { cookie: op.cookie, 'x-csrf-token': op.csrf }, payload: { cameraIds: [f.front], fromMs: f.t0 } });
    const path = (ok.json() as { wsPath: string }).wsPath;
    const c1 = await PlaybackClient.open(f.baseUrl, path);
    await c1.until(() => c1.json('start').length > 0);
    c1.close();
    const c2 = await PlaybackClient.open(f.baseUrl, path);
    await c2.until(() => c2.closedWith !== undefined);
    expect(c2.closedWith).toBe(4401);
  });
});
