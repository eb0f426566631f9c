// A gap alarm is not lost when the database cannot grow (issue 12, R-REC-4): the recordings filled the
// data disk, so the alarm monitor's insert fails with SQLITE_FULL; the camera's run-started follows
// before space is back. Once the database can grow again the alarm is raised with its event's times
// and then cleared, in that order, exactly once. A real SQLite "database or disk is full":
// `max_page_count` caps the file at its size and filler rows use up the last page.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmView } from '../../src/exams/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { ExamDay } from './fixture.ts';
import { bj, closeDay, examDay } from './fixture.ts';

describe('gap alarm while the database is full (sqlite)', () => {
  let d: ExamDay;
  beforeEach(async () => {
    d = await examDay('sqlite');
  });
  afterEach(() => closeDay(d));

  it('R-REC-4 (issue 12): the alarm raised on a full disk is retried, raised once with its gap start and cleared once after', async () => {
    const db = d.t.app.store.db;
    const events: string[] = [];
    const errors: Error[] = [];
    d.m.alarms.on('alarm.raised', (a: AlarmView) => events.push(`raised:${a.cameraId}:${a.gapStartMs}:${a.raisedAtMs}`));
    d.m.alarms.on('alarm.cleared', (a: AlarmView) => events.push(`cleared:${a.cameraId}:${a.gapEndMs}:${a.clearedAtMs}`));
    d.m.alarms.on('alarm.error', (e) => errors.push(e));
    d.m.start();
    // Every camera online: the readiness ticks below have nothing to raise.
    for (const id of Object.values(d.cameras)) d.t.app.events.emit('camera.status', { cameraId: id, state: 'online', recording: true, atMs: d.t.clock.nowMs() });
    await d.m.monitor.idle();

    // The database may not grow any more; filler rows (closed alarms of another camera) fill its last page.
    const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0].page_count);
    await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
    // Big rows until one does not fit, then smaller ones, to the last byte of the last page.
    const codes: Array<string | undefined> = [];
    for (const size of [400, 60, 0]) {
      for (let i = 0; i < 10_000; i++) {
        try {
          await repos(db).exams.insertAlarm({ kind: 'ptz_refused', camera_id: d.cameras.secrecy, room_id: d.rooms['试卷保密室'], site_id: d.siteId, session_id: d.sessionId, raised_at_ms: 1, gap_start_ms: null, gap_end_ms: null, cleared_at_ms: 2, reason: 'filler', detail: size ? 'x'.repeat(size) : null, acknowledged_by: null, acknowledged_at_ms: null });
        } catch (err) {
          codes.push((err as { code?: string }).code);
          break;
        }
      }
    }
    expect(codes).toEqual(['SQLITE_FULL', 'SQLITE_FULL', 'SQLITE_FULL']);

    const gapStart = bj('2026-06-07 10:00');
    d.t.clock.set(gapStart + 200);
    d.t.app.events.emit('recording.run-ended', { cameraId: d.cameras.r1front, startedAtMs: bj('2026-06-07 08:25'), endedAtMs: gapStart, reason: 'disk-full', detail: 'ENOSPC' });
    d.t.clock.set(gapStart + 30_000);
    d.t.app.events.emit('recording.run-started', { cameraId: d.cameras.r1front, startedAtMs: gapStart + 29_800 });
    await d.m.monitor.idle();
    // Still full: nothing raised yet, one error reported (not one per retry).
    d.timer.fire();
    d.timer.fire();
    await d.m.monitor.idle();
    expect(events).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(await d.m.alarmService.list(d.admin, { kind: 'recording_gap' })).toEqual([]);

    // Space is back: the retry raises the alarm with the times of its events, then clears it.
    await sql.raw('pragma max_page_count = 1073741823').execute(db);
    d.t.clock.set(gapStart + 31_000);
    d.timer.fire();
    await d.m.monitor.idle();
    const cam = d.cameras.r1front;
    expect(events).toEqual([`raised:${cam}:${gapStart}:${gapStart + 200}`, `cleared:${cam}:${gapStart + 29_800}:${gapStart + 30_000}`]);
    const rows = await d.m.alarmService.list(d.admin, { kind: 'recording_gap' });
    expect(rows).toMatchObject([{ cameraId: cam, reason: 'disk-full', gapStartMs: gapStart, gapEndMs: gapStart + 29_800, clearedAtMs: gapStart + 30_000 }]);
    // Nothing left to retry: later ticks change nothing.
    d.timer.fire();
    await d.m.monitor.idle();
    expect(events).toHaveLength(2);
  });
});
