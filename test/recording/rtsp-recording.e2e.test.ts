// Recording real RTSP sessions from the camera simulator through the whole pipeline (RTSP client,
// depacketizer, supervisor, recorder, index): interruptions become exact gaps with reasons, every
// frame sent is written, a garbage-sending camera is isolated (R-FN-1, R-REC-1, R-REC-4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraStatusEvent } from '../../src/events/bus.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { ffprobe } from '../helpers/ffprobe.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('recording simulated cameras over RTSP', () => {
  let t: TestApp;
  let sim: Simulator;
  const ids: Record<string, number> = {};
  const statuses: CameraStatusEvent[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'pcma' }, { id: 'b', audio: 'aac' }, { id: 'hevc', audio: 'none' }] });
    // A real clock: this test runs over the network in real time. Retries every 100 ms so that
    // the index can be compared with the outage itself.
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { supervisor: { backoffMinMs: 50, backoffMaxMs: 100, stallTimeoutMs: 3000 } } } });
    const admin = await t.actor('admin');
    const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    for (const [i, [name, path]] of [['a', '/cam/a/main'], ['b', '/cam/b/main'], ['hevc', '/cam/hevc/h265']].entries()) {
      ids[name] = (await t.app.devices.createCamera(admin, { roomId: rooms[i].id, name, position: 'front', sourceKind: 'rtsp', mainStream: path, subStream: '/none', host: '127.0.0.1', port: sim.port })).id;
    }
    t.app.events.on('camera.status', (s) => statuses.push(s));
  });
  afterAll(async () => {
    await t.app.recorder.stop();
    await sim.close();
    await t.close();
  });

  it('drops a camera for 7 s: the index shows a 7 s gap (±0.2 s) with its reason, and every frame sent was written (R-REC-4)', async () => {
    await t.app.recorder.start();
    await until('camera a records', () => t.app.recorder.status(ids.a)?.recording === true);
    await sleep(4000);
    const dropAt = Date.now();
    sim.fault('a', { type: 'drop', durationMs: 7000 });
    const sentBeforeDrop = sim.stats('a')!.streams.main.framesSent;
    await until('camera a records again', async () => (await repos(t.app.store.db).recordings.runsBetween(ids.a, 0, Date.now() + 1000)).length >= 2, 15_000);
    await sleep(3000);
    await t.app.recorder.index.flush();
    const runs = await repos(t.app.store.db).recordings.runsBetween(ids.a, 0, Date.now() + 1000);
    const first = runs[0];
    expect(first.end_reason).toBe('eof');
    expect(Number(first.frame_count)).toBe(sentBeforeDrop);
    const gapMs = Number(runs[1].started_at_ms) - Number(first.ended_at_ms);
    expect(gapMs).toBeGreaterThan(7000 - 200);
    expect(gapMs).toBeLessThan(7000 + 200);
    expect(Math.abs(Number(first.ended_at_ms) - dropAt)).toBeLessThan(200);
    // The other cameras were not disturbed: one run each, still open.
    const b = await repos(t.app.store.db).recordings.runsBetween(ids.b, 0, Date.now() + 1000);
    expect(b).toHaveLength(1);
    expect(b[0].ended_at_ms).toBeNull();
  });

  it('a camera sending only garbage is marked in error with the reason and retried; others are untouched (R-REC-4)', async () => {
    const before = statuses.length;
    // Valid media stops and junk bytes arrive in its place for 6 s.
    sim.fault('b', { type: 'stall', durationMs: 6000 });
    sim.fault('b', { type: 'garbage', durationMs: 6000 });
    await until('camera b in error', () => statuses.slice(before).some((s) => s.cameraId === ids.b && s.state === 'error'));
    const err = statuses.slice(before).find((s) => s.cameraId === ids.b && s.state === 'error')!;
    expect(err.reason).toMatch(/protocol|garbage|stall/);
    await until('the run of b is closed in the index', async () => (await repos(t.app.store.db).recordings.runsBetween(ids.b, 0, Date.now() + 1000))[0].end_reason !== null);
    const runsB = await repos(t.app.store.db).recordings.runsBetween(ids.b, 0, Date.now() + 1000);
    expect(runsB[0].end_reason).toMatch(/protocol|garbage|stall/);
    await until('camera b recovers', () => t.app.recorder.status(ids.b)?.state === 'online' && t.app.recorder.status(ids.b)?.recording === true, 20_000);
    const a = await repos(t.app.store.db).recordings.runsBetween(ids.a, 0, Date.now() + 1000);
    expect(a.at(-1)!.ended_at_ms).toBeNull();
  });

  it('records H.265 and PCMA/AAC audio as files ffprobe plays, to the frame (R-FN-1)', async () => {
    await t.app.recorder.stop();
    const r = repos(t.app.store.db).recordings;
    for (const [name, codec, audio] of [['a', 'h264', 'pcm_alaw'], ['b', 'h264', 'aac'], ['hevc', 'hevc', undefined]] as const) {
      const files = await r.filesBetween(ids[name], 0, Date.now() + 1000);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        expect(f.status).toBe('closed');
        const p = ffprobe(t.app.files.absolute(f.rel_path));
        expect(p.codec).toBe(codec);
        expect(p.frames).toBe(f.frame_count);
        if (audio) expect(p.audioCodec).toBe(audio);
      }
    }
  });
});
