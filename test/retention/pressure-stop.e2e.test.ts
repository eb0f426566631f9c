// Under disk pressure with only locked data left, the recording manager stops recording that no
// window requires and keeps recording inside required windows (R-RET-1, R-REC-1); the veto lifts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('disk-pressure hold-off in the recording manager', () => {
  let t: TestApp;
  let sim: Simulator;
  let free = 0;
  let required = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'free', audio: 'none' }, { id: 'req', audio: 'none' }] });
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { reconcileIntervalMs: 500 } } });
    const admin = await t.actor('admin');
    const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    const cam = async (id: string, roomId: number) => (await t.app.devices.createCamera(admin, { roomId, name: id, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${id}/main`, subStream: `/cam/${id}/sub`, host: '127.0.0.1', port: sim.port })).id;
    free = await cam('free', rooms[0].id);
    required = await cam('req', rooms[1].id);
    // A required window (as exam arming writes it) on one of the two continuous cameras.
    await t.app.recordings.addSchedule(admin, { cameraId: required, startMs: Date.now() - 1000, endMs: Date.now() + 600_000, reason: 'exam:test' });
    await t.app.recorder.start();
  });
  afterAll(async () => {
    await t.app.recorder.stop();
    await sim.close();
    await t.close();
  });

  it('stops only recording outside required windows, with end reason disk-pressure, and resumes (R-RET-1)', async () => {
    for (let i = 0; i < 40 && !(t.app.recorder.status(free)?.recording && t.app.recorder.status(required)?.recording); i++) await sleep(250);
    expect(t.app.recorder.status(free)?.recording).toBe(true);
    expect(t.app.recorder.status(required)?.recording).toBe(true);
    t.app.recorder.setUnscheduledVeto('disk-pressure');
    await sleep(300);
    expect(t.app.recorder.status(free)?.recording).toBe(false);
    expect(t.app.recorder.status(required)?.recording).toBe(true);
    await t.app.recorder.index.flush();
    const runs = await repos(t.app.store.db).recordings.runsBetween(free, 0, Date.now() + 1000);
    expect(runs.at(-1)?.end_reason).toBe('disk-pressure');
    t.app.recorder.setUnscheduledVeto(undefined);
    for (let i = 0; i < 40 && !t.app.recorder.status(free)?.recording; i++) await sleep(250);
    expect(t.app.recorder.status(free)?.recording).toBe(true);
  });
});
