// Recording modes and the camera clock: a 'scheduled' camera records only inside its windows
// (R-REC-1), and each run keeps the camera's clock offset from RTCP sender reports (R-PRE-6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('recording modes', () => {
  let t: TestApp;
  let sim: Simulator;
  let scheduled = 0;
  let skewed = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'sched', audio: 'none' }, { id: 'skew', audio: 'pcma', clockOffsetMs: 5000 }], srIntervalMs: 500 });
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { reconcileIntervalMs: 500 } } });
    const admin = await t.actor('admin');
    const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    scheduled = (await t.app.devices.createCamera(admin, { roomId: rooms[0].id, name: '计划', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/sched/main', subStream: '/cam/sched/sub', host: '127.0.0.1', port: sim.port })).id;
    skewed = (await t.app.devices.createCamera(admin, { roomId: rooms[1].id, name: '时钟偏差', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/skew/main', subStream: '/cam/skew/sub', host: '127.0.0.1', port: sim.port })).id;
    await t.app.recordings.setMode(admin, scheduled, 'scheduled');
    await t.app.recorder.start();
  });
  afterAll(async () => {
    await t.app.recorder.stop();
    await sim.close();
    await t.close();
  });

  it('a scheduled camera records only inside its window, and the window is audited (R-REC-1)', async () => {
    const admin = await t.actor('admin');
    const startMs = Date.now() + 3000;
    await t.app.recordings.addSchedule(admin, { cameraId: scheduled, startMs, endMs: startMs + 4000, reason: '联调测试' });
    await sleep(1500);
    expect(t.app.recorder.status(scheduled)).toMatchObject({ state: 'online', recording: false });
    await sleep(3500);
    expect(t.app.recorder.status(scheduled)?.recording).toBe(true);
    await sleep(4000);
    await t.app.recorder.index.flush();
    await sleep(1200);
    const runs = await repos(t.app.store.db).recordings.runsBetween(scheduled, 0, Date.now() + 1000);
    expect(runs).toHaveLength(1);
    expect(runs[0].end_reason).toBe('schedule');
    // Starts at the first keyframe inside the window (2 s GOP), ends within a second of its end.
    expect(Number(runs[0].started_at_ms)).toBeGreaterThanOrEqual(startMs);
    expect(Number(runs[0].started_at_ms)).toBeLessThan(startMs + 2500);
    expect(Math.abs(Number(runs[0].ended_at_ms) - (startMs + 4000))).toBeLessThan(1200);
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'recording.' });
    expect(records.map((r) => r.action)).toEqual(expect.arrayContaining(['recording.mode', 'recording.schedule.create']));
  });

  it("keeps the camera's clock offset from RTCP sender reports with each run (R-PRE-6)", async () => {
    await t.app.recorder.index.flush();
    const runs = await repos(t.app.store.db).recordings.runsBetween(skewed, 0, Date.now() + 1000);
    expect(runs.length).toBeGreaterThan(0);
    expect(Math.abs(Number(runs[0].clock_offset_ms) - 5000)).toBeLessThan(300);
  });
});
