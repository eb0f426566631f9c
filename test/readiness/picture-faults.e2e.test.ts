// Picture and sound faults a real camera shows, from the simulator (scripts/make-fault-clips.sh),
// judged by the readiness probes through the real recorder (R-PRE-3: image neither dark, blurred
// nor blocked; the scene matches the signed reference; sound present, measured in dBFS). Each faulty camera is a fail with its reason, never a
// pass; the same cameras pass again once the fault is cleared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import type { PictureFault } from '../../src/sim/fault-clips.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const FAULTS: Array<{ kind: PictureFault; probe: 'picture' | 'moved'; reason: RegExp }> = [
  { kind: 'black', probe: 'picture', reason: /画面过暗/ },
  { kind: 'covered', probe: 'picture', reason: /画面单一\/被遮挡/ },
  { kind: 'blur', probe: 'picture', reason: /画面模糊/ },
  { kind: 'frozen', probe: 'picture', reason: /画面冻结/ },
  { kind: 'moved', probe: 'moved', reason: /摄像机可能被移动/ },
];

describe('readiness: picture faults from the simulator (R-PRE-3)', () => {
  let t: TestApp;
  let sim: Simulator;
  let admin: Actor;
  let campaignId = 0;
  const ids = new Map<PictureFault, number>();

  beforeAll(async () => {
    sim = await startSimulator({ cameras: FAULTS.map((f) => ({ id: f.kind, audio: 'aac' as const })), srIntervalMs: 500 });
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { reconcileIntervalMs: 500 } } });
    admin = await t.actor('admin');
    const rooms = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!.filter((r) => r.kind === 'exam' || r.kind === 'lab');
    for (const [i, f] of FAULTS.entries()) {
      const cam = await t.app.devices.createCamera(admin, { roomId: rooms[i % rooms.length].id, name: `故障-${f.kind}`, position: i < rooms.length ? 'front' : 'rear', sourceKind: 'rtsp', mainStream: `/cam/${f.kind}/main`, subStream: `/cam/${f.kind}/sub`, host: '127.0.0.1', port: sim.port });
      ids.set(f.kind, cam.id);
    }
    await t.app.recorder.start();
    campaignId = (await t.app.readiness.campaigns.open(admin, { name: '画面故障', checks: 'clock', deadlineMs: Date.now() + 86_400_000, contacts: [] })).id;
  }, 60_000);
  afterAll(async () => {
    await t.app.recorder.stop();
    await sim.close();
    await t.close();
  });

  const results = async (cameraId: number) => {
    const v = (await t.app.readiness.campaigns.get(admin, campaignId)).cameras.find((c) => c.cameraId === cameraId)!;
    return Object.fromEntries(v.results.map((r) => [r.probe, r]));
  };
  const probeAll = async () => (await t.app.readiness.probe(admin, campaignId, { cameraIds: [...ids.values()] })).done;

  it('healthy pictures pass; references are signed while the scenes are right', async () => {
    await expect.poll(() => [...ids.values()].map((id) => t.app.recorder.status(id)?.state), { timeout: 20_000 }).toEqual(FAULTS.map(() => 'online'));
    await probeAll();
    for (const id of ids.values()) await t.app.readiness.signoff.signReference(admin, id, '王五');
    await probeAll();
    for (const [kind, id] of ids) {
      const r = await results(id);
      expect([kind, r.picture?.verdict, r.moved?.verdict], `${r.picture?.value} ${r.picture?.reason} ${r.moved?.reason}`).toEqual([kind, 'pass', 'pass']);
      // Exam rooms need sound: the simulator's tone (ffmpeg sine, amplitude 1/8 × volume 0.3: RMS
      // 0.0265) is −31.5 dBFS on average.
      expect([kind, r.audio?.verdict], r.audio?.value).toEqual([kind, 'pass']);
      const mean = Number(/平均 (-?[\d.]+) dBFS/.exec(r.audio!.value)![1]);
      expect(mean).toBeGreaterThan(-34);
      expect(mean).toBeLessThan(-29);
    }
  }, 120_000);

  it('a dead microphone (digital silence) fails the sound check with its level', async () => {
    const id = ids.get('black')!;
    sim.fault('black', { type: 'silence' });
    await new Promise((r) => setTimeout(r, 500));
    await (await t.app.readiness.probe(admin, campaignId, { cameraIds: [id] })).done;
    const r = await results(id);
    expect(r.audio?.verdict, r.audio?.value).toBe('fail');
    expect(r.audio?.reason).toContain('无声');
    expect(Number(/平均 (-?[\d.]+) dBFS/.exec(r.audio!.value)![1])).toBeLessThan(-80);
    sim.fault('black', { type: 'clear' });
  }, 60_000);

  it('black, covered, blurred, frozen and turned cameras each fail with the reason', async () => {
    for (const f of FAULTS) sim.fault(f.kind, { type: 'picture', picture: f.kind });
    // The camera switches at its next keyframe (GOP 2 s).
    await new Promise((r) => setTimeout(r, 2500));
    await probeAll();
    for (const f of FAULTS) {
      const r = await results(ids.get(f.kind)!);
      expect([f.kind, r[f.probe]?.verdict], `${r[f.probe]?.value} ${r[f.probe]?.reason}`).toEqual([f.kind, 'fail']);
      expect(r[f.probe]?.reason).toMatch(f.reason);
    }
    
  }, 120_000);

  it('the faults cleared, the same cameras pass again', async () => {
    for (const f of FAULTS) sim.fault(f.kind, { type: 'clear' });
    await new Promise((r) => setTimeout(r, 2500));
    await probeAll();
    for (const [kind, id] of ids) {
      const r = await results(id);
      expect([kind, r.picture?.verdict, r.moved?.verdict]).toEqual([kind, 'pass', 'pass']);
    }
  }, 120_000);
});
