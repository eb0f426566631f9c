// The free-space watcher (issue 12 item 3; R-RET-1, R-REC-1): with only locked recordings left,
// free space dropping below the threshold holds off unscheduled recording at the next 2 s look —
// not at the 10-minute job tick — and space coming back lifts the hold-off at the next look once
// free space is above threshold × 1.25 (not at the threshold itself: no flapping). Injected disk
// meter and timer; the 10-minute tick is never fired here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Timer } from '../../src/exams/alarm-monitor.ts';
import { createRetentionModule, SPACE_WATCH_INTERVAL_MS } from '../../src/retention/index.ts';
import type { RetentionModule } from '../../src/retention/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { FakeGate, THRESHOLD, record } from './fixture.ts';

/** Fires the intervals of one period only. */
class PeriodTimer implements Timer {
  readonly fns: Array<{ fn: () => void; ms: number }> = [];
  setInterval(fn: () => void, ms: number): unknown {
    this.fns.push({ fn, ms });
    return this.fns.length - 1;
  }
  clearInterval(handle: unknown): void {
    this.fns.splice(handle as number, 1, { fn: () => undefined, ms: -1 });
  }
  fire(ms: number): void {
    for (const f of this.fns) if (f.ms === ms) f.fn();
  }
}

describe('free-space watcher: pressure stop and resume within one look (R-RET-1, R-REC-1)', () => {
  let t: TestApp;
  let m: RetentionModule;
  const gate = new FakeGate();
  const timer = new PeriodTimer();
  let quota = Number.MAX_SAFE_INTEGER;
  let used = 0;

  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const admin = await t.actor('admin');
    const roomId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0].id;
    const cam = (await t.app.devices.createCamera(admin, { roomId, name: 'watched', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
    const files = await record(t, cam, t.clock.nowMs(), 12);
    for (const rel of await t.app.files.list()) used += (await t.app.files.size(rel)) ?? 0;
    const meter = { measure: async () => ({ freeBytes: Math.max(0, quota - used), totalBytes: quota }) };
    m = createRetentionModule(t.app, { meter, timer, gate, reserve: false, backupDir: undefined });
    // Everything recorded is under an evidence hold: nothing can be deleted to make room.
    await m.holds.create(admin, { cameraId: cam, fromMs: Number(files[0].start_ms) - 1000, toMs: Number(files.at(-1)!.end_ms) + 1000, reason: 'incident #12' });
    await m.saveSettings(admin, { minFreePercent: 0, minFreeBytes: THRESHOLD });
    m.start();
    await m.idle(); // the first pass at start has run (plenty of space: nothing to do)
  });
  afterAll(async () => {
    await m?.stop();
    await t?.close();
  });

  const openPressure = async () => (await repos(t.app.store.db).retention.listAlarms()).filter((a) => a.kind === 'disk_pressure' && a.cleared_at_ms === null).length;

  it('holds off at the next look when space drops, lifts it at the next look when space is back above threshold × 1.25', async () => {
    expect(timer.fns.map((f) => f.ms)).toContain(SPACE_WATCH_INTERVAL_MS);
    expect(gate.vetoed).toBe(false);

    quota = used + THRESHOLD - 1; // below the threshold, only locked data on the disk
    timer.fire(SPACE_WATCH_INTERVAL_MS);
    await m.idle();
    expect(gate.vetoed).toBe(true);
    expect(await openPressure()).toBe(1);
    expect(gate.calls.at(-1)).toBe('disk-pressure');

    // Just above the threshold: still held off (resuming here would stop again at the next file).
    quota = used + THRESHOLD + 1;
    timer.fire(SPACE_WATCH_INTERVAL_MS);
    await m.idle();
    expect(gate.vetoed).toBe(true);
    expect(await openPressure()).toBe(1);

    // Space back above threshold × 1.25: one look lifts the hold-off and clears the alarm.
    quota = used + Math.ceil(THRESHOLD * 1.25) + 1;
    const callsBefore = gate.calls.length;
    timer.fire(SPACE_WATCH_INTERVAL_MS);
    await m.idle();
    expect(gate.vetoed).toBe(false);
    expect(await openPressure()).toBe(0);
    expect(gate.calls.slice(callsBefore).at(-1)).toBeUndefined();
  });
});
