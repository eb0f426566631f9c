// Issue 14 item 11 on both databases (R-REC-1, R-REC-2): rooms picked individually; sites picked
// whole take rooms (and cameras) added later without 重新计算, rooms picked individually do not;
// removing a site or room whose recording window is open is refused (409, Chinese, naming what
// stops) unless confirmed, through the service and the HTTP route; the confirmed removal is audited.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from './fixture.ts';
import { bj, closeDay, examDay } from './fixture.ts';

describe.each(DIALECTS)('exam rooms picked and removed on %s', (dialect) => {
  let d: ExamDay;
  beforeEach(async () => {
    d = await examDay(dialect);
    d.m.follower.start();
  });
  afterEach(() => closeDay(d));

  const roomsWithWindows = async () => (await d.m.windows.list(d.admin, { sessionId: d.sessionId })).map((w) => w.roomName).sort();
  const addExamRoom = async (name: string) => {
    const room = await d.t.app.devices.createRoom(d.admin, { siteId: d.siteId, kind: 'exam', name, seats: 30 });
    const cam = await d.t.app.devices.createCamera(d.admin, { roomId: room.id, name: '前置', position: 'front', sourceKind: 'rtsp', mainStream: '/1', subStream: '/2' });
    await d.m.follower.idle();
    return { room, cam };
  };

  it('R-REC-1: a site picked whole takes an exam room and camera added later, armed without recompute', async () => {
    d.t.clock.set(bj('2026-06-07 07:00'));
    const { cam } = await addExamRoom('第05考场');
    expect(await roomsWithWindows()).toContain('第05考场');
    expect(await repos(d.t.app.store.db).recordings.schedulesOf(cam.id)).toMatchObject([{ reason: `exam:${d.sessionId}`, start_ms: bj('2026-06-07 08:30') }]);
  });

  it('R-REC-1: rooms picked individually: only those exam rooms (custody rooms always); a room added later does not join', async () => {
    d.t.clock.set(bj('2026-06-07 07:00'));
    const exam = await d.m.exams.setSites(d.admin, d.examId, [{ siteId: d.siteId, roomIds: [d.rooms['第01考场'], d.rooms['第04考场(机房)']] }]);
    expect(exam.selectedRoomIds.sort()).toEqual([d.rooms['第01考场'], d.rooms['第04考场(机房)']].sort());
    expect(await roomsWithWindows()).toEqual(['第01考场', '第04考场(机房)', '考务室', '试卷保密室'].sort());
    const { cam } = await addExamRoom('第06考场');
    expect(await roomsWithWindows()).not.toContain('第06考场');
    expect(await repos(d.t.app.store.db).recordings.schedulesOf(cam.id)).toEqual([]);
  });

  it('R-REC-2: removing rooms whose window is open is refused without confirm (409 naming them), done and audited with it', async () => {
    d.t.clock.set(bj('2026-06-07 09:10'));
    const refused = await d.m.exams.setSites(d.admin, d.examId, [{ siteId: d.siteId, roomIds: [d.rooms['第01考场']] }]).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('conflict');
    expect((refused as AppError).message).toMatch(/停止录像：.*第02考场.*第03考场/);
    expect((refused as AppError).message).not.toContain('第01考场');
    expect(await roomsWithWindows()).toHaveLength(6);

    await d.m.exams.setSites(d.admin, d.examId, [{ siteId: d.siteId, roomIds: [d.rooms['第01考场']] }], true);
    expect(await roomsWithWindows()).toEqual(['第01考场', '考务室', '试卷保密室'].sort());
    const { records } = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'exam.sites' });
    const confirmed = records.find((r) => r.outcome === 'ok' && (r.detail ?? '').includes('stopped'));
    expect(confirmed?.detail).toContain('第02考场');
  });

  it('R-REC-2: before any window opens, removal needs no confirmation', async () => {
    d.t.clock.set(bj('2026-06-07 07:00'));
    await d.m.exams.setSites(d.admin, d.examId, []);
    expect(await roomsWithWindows()).toEqual([]);
  });

  it('the HTTP route answers 409 with the Chinese reason, then 200 with confirm: true', async () => {
    d.t.clock.set(bj('2026-06-07 09:10'));
    const server: FastifyInstance = await buildServer(d.t.app, pino({ level: 'silent' }));
    try {
      const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
      const headers = { cookie: login.headers['set-cookie']!.toString().split(';')[0], 'x-csrf-token': (login.json() as { csrfToken: string }).csrfToken };
      const put = (payload: object) => server.inject({ method: 'PUT', url: `/api/exams/${d.examId}/sites`, headers, payload });
      const refused = await put({ sites: [] });
      expect(refused.statusCode).toBe(409);
      expect((refused.json() as { message: string }).message).toContain('移除后将立即停止录像');
      expect((refused.json() as { details: { stopping: unknown[] } }).details.stopping).toHaveLength(6);
      const done = await put({ sites: [], confirm: true });
      expect(done.statusCode, done.body).toBe(200);
      expect(await roomsWithWindows()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
