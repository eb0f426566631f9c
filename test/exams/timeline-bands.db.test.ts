// Exam windows drawn as bands on the playback timeline, in the viewer's scope (issue 6 with
// issue 5; R-REC-2, R-REC-3, R-REC-4, R-SEC-4).
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import type { ExamDay } from './fixture.ts';
import { bj, closeDay, examDay } from './fixture.ts';

interface Band {
  cameraId?: number;
  startMs: number;
  endMs: number;
  label: string;
  kind: string;
}

describe.each(DIALECTS)('timeline bands on %s', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let cookie = '';
  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    cookie = res.headers['set-cookie']!.toString().split(';')[0];
  });
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('shows the exam window of an exam room and the custody window of the paper room (R-REC-2, R-REC-3)', async () => {
    const ids = [d.cameras.r1front, d.cameras.secrecy].join(',');
    const res = await server.inject({ method: 'GET', url: `/api/playback/timeline?cameraIds=${ids}&fromMs=${bj('2026-06-07 06:00')}&toMs=${bj('2026-06-07 14:00')}`, headers: { cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const bands = (res.json() as { bands: Band[] }).bands;
    const exam = bands.find((b) => b.cameraId === d.cameras.r1front)!;
    expect(exam).toMatchObject({ kind: 'exam-window', startMs: bj('2026-06-07 08:30'), label: expect.stringContaining('语文') });
    const custody = bands.find((b) => b.cameraId === d.cameras.secrecy)!;
    expect(custody.kind).toBe('custody-window');
    expect(custody.startMs).toBeLessThan(exam.startMs);
    // An alarm is an event on the timeline, with the gap it reported.
    const room = (await d.t.app.devices.updateCamera(await d.t.actor('admin'), d.cameras.r1front, {})).roomId;
    const siteId = (await repos(d.t.app.store.db).rooms.get({ kind: 'all' }, room))!.site_id;
    await repos(d.t.app.store.db).exams.insertAlarm({ kind: 'recording_gap', camera_id: d.cameras.r1front, room_id: room, site_id: siteId, session_id: null, raised_at_ms: bj('2026-06-07 10:00') + 5000, gap_start_ms: bj('2026-06-07 10:00'), gap_end_ms: bj('2026-06-07 10:02'), cleared_at_ms: bj('2026-06-07 10:02'), reason: 'stall', detail: null, acknowledged_by: null, acknowledged_at_ms: null });
    const withAlarm = (await server.inject({ method: 'GET', url: `/api/playback/timeline?cameraIds=${ids}&fromMs=${bj('2026-06-07 06:00')}&toMs=${bj('2026-06-07 14:00')}`, headers: { cookie } })).json() as { bands: Band[] };
    expect(withAlarm.bands.find((b) => b.kind === 'alarm')).toMatchObject({ cameraId: d.cameras.r1front, startMs: bj('2026-06-07 10:00'), endMs: bj('2026-06-07 10:02'), label: expect.stringContaining('录像中断') });
    // Outside the range: nothing.
    const none = await server.inject({ method: 'GET', url: `/api/playback/timeline?cameraIds=${ids}&fromMs=${bj('2026-06-08 06:00')}&toMs=${bj('2026-06-08 14:00')}`, headers: { cookie } });
    expect((none.json() as { bands: Band[] }).bands).toEqual([]);
  });
});
