// Recording alarms of required exam windows become fault tickets (R-FLT-1, R-REC-4, issue 19 item
// 4b; docs/design/ledger.md "Signals"): the app's own exam alarm monitor raises the alarm from a
// recording run ending inside the window, the ledger opens one "recording_gap" ticket for the
// camera, a camera whose recording flaps keeps that one ticket with a count, and the alarm cleared
// (recording again) is the measured health the system verifies from. A refused PTZ command on the
// same alarm emitter is not an equipment fault.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/auth/actor.ts';
import { parseBeijing } from '../../src/util/beijing-time.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const bj = (text: string): number => parseBeijing(text)!;

describe.each(DIALECTS)('recording-gap alarms → fault tickets on %s', (dialect) => {
  let t: TestApp;
  let admin: Actor;
  let cameraId = 0;
  let otherCameraId = 0;
  const ended = async (id: number) => {
    t.app.events.emit('recording.run-ended', { cameraId: id, startedAtMs: t.clock.nowMs() - 60_000, endedAtMs: t.clock.nowMs(), reason: 'eof' });
    await t.app.exams.monitor.idle();
    await t.app.ledger.monitor.enqueue(() => Promise.resolve());
  };
  const started = async (id: number) => {
    t.app.events.emit('recording.run-started', { cameraId: id, startedAtMs: t.clock.nowMs() });
    await t.app.exams.monitor.idle();
    await t.app.ledger.monitor.enqueue(() => Promise.resolve());
  };
  const gapTickets = async () => (await t.app.ledger.faults.list(admin, { state: 'unverified' })).filter((x) => x.kind === 'recording_gap');

  beforeAll(async () => {
    t = await createTestApp(dialect, { app: { ledger: { verifyHealthyMs: 60_000, tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000 } } });
    t.clock.set(bj('2026-06-07 08:00'));
    admin = await t.actor('admin');
    const site = (await t.app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    const room = site.rooms!.find((r) => r.name === '第01考场')!;
    cameraId = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '前置', position: 'front', sourceKind: 'rtsp', mainStream: '/101', subStream: '/102' })).id;
    otherCameraId = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '后置', position: 'rear', sourceKind: 'rtsp', mainStream: '/201', subStream: '/202' })).id;
    const exam = await t.app.exams.exams.create(admin, { name: '2026年普通高考', kind: 'gaokao' });
    await t.app.exams.exams.setSites(admin, exam.id, [{ siteId: site.id }]);
    await t.app.exams.exams.createSessions(admin, exam.id, [{ subject: '语文', startMs: bj('2026-06-07 09:00'), endMs: bj('2026-06-07 11:30') }]);
    t.app.exams.start();
    await t.app.ledger.start();
  });
  afterAll(async () => {
    await t?.app.exams.stop();
    await t?.app.ledger.stop();
    await t?.close();
  });

  it('R-FLT-1/R-REC-4: a recording gap outside any required window opens no ticket; inside one it opens the camera\'s ticket', async () => {
    await ended(cameraId); // 08:00: no window yet, no alarm
    expect(await gapTickets()).toHaveLength(0);
    t.clock.set(bj('2026-06-07 09:10'));
    await started(cameraId);
    t.clock.advance(60_000);
    await ended(cameraId);
    const open = await gapTickets();
    expect(open).toHaveLength(1);
    const device = (await t.app.ledger.ledger.list(admin)).find((d) => d.cameraId === cameraId)!;
    expect(open[0]).toMatchObject({ deviceId: device.id, kind: 'recording_gap', state: 'open', origin: 'auto', faultCount: 1 });
    expect(open[0]!.summary).toContain('录像缺失');
  });

  it('R-FLT-1: a camera whose recording flaps 10 times keeps one ticket; healthy again, the repaired ticket is verified by the system', async () => {
    for (let i = 0; i < 10; i++) {
      t.clock.advance(5_000);
      await started(cameraId);
      t.clock.advance(5_000);
      await ended(cameraId);
    }
    let open = await gapTickets();
    expect(open).toHaveLength(1);
    expect(open[0]!.faultCount).toBe(11);
    const id = open[0]!.id;
    await t.app.ledger.faults.act(admin, id, 'start_repair', '更换存储卡');
    await t.app.ledger.faults.act(admin, id, 'mark_repaired');
    // Still not recording: a repaired ticket is not verified however long we wait.
    t.clock.advance(120_000);
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired');
    await started(cameraId); // the alarm clears: the healthy span starts
    t.clock.advance(61_000);
    await t.app.ledger.tick();
    const d = await t.app.ledger.faults.get(admin, id);
    expect(d.state).toBe('verified');
    expect(d.events.at(-1)).toMatchObject({ actor: 'system', toState: 'verified' });
    open = await gapTickets();
    expect(open).toHaveLength(0);
  });

  it('R-DIS-2/R-FLT-1: a refused PTZ command (an alarm on the same emitter) opens no equipment ticket', async () => {
    t.app.exams.alarms.emit('alarm.raised', { id: 999, kind: 'ptz_refused', cameraId: otherCameraId, roomId: 0, siteId: 0, sessionId: null, raisedAtMs: t.clock.nowMs(), gapStartMs: null, gapEndMs: null, clearedAtMs: null, reason: 'ptz_refused', detail: 'x', acknowledgedBy: null, acknowledgedByName: null, acknowledgedAtMs: null, disposition: null });
    await t.app.ledger.monitor.enqueue(() => Promise.resolve());
    expect((await t.app.ledger.faults.list(admin, { state: 'unverified' })).filter((x) => x.kind === 'recording_gap')).toHaveLength(0);
  });
});
