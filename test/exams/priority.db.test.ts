// R-FN-4: national exams pre-empt other uses of a site's cameras. With the manual clock inside the
// gaokao windows of 南京市第一中学考点 (exam rooms 08:30–12:00, custody rooms 08:00–12:30 Beijing), live viewing of a camera of the same
// site that takes no part (a campus camera) is refused with 409 exam_priority and audited; exam
// cameras stay open to patrol roles; after the window both are allowed; an administrator's
// override is audited with its reason. Through the real HTTP stack, on both databases.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { EXAM_PRIORITY_MESSAGE, ExamPriority } from '../../src/exams/priority.ts';
import { LiveAccessError, cameraForViewing } from '../../src/live/access.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from './fixture.ts';
import { PASSWORD, bj, closeDay, examDay } from './fixture.ts';

describe.each(DIALECTS)('exam priority for live viewing (R-FN-4) on %s', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  let campus: number;
  let users: Record<string, string> = {};
  const login: Record<string, { cookie: string; csrf: string }> = {};
  const token = (who: string, payload: Record<string, unknown>) =>
    server.inject({ method: 'POST', url: '/api/live/token', headers: { cookie: login[who].cookie, 'x-csrf-token': login[who].csrf }, payload });
  async function loginAll() {
    for (const [key, username] of Object.entries(users)) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: key === 'admin' ? ADMIN_PASSWORD : PASSWORD } });
      expect(res.statusCode, res.body).toBe(200);
      login[key] = { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    }
  }
  const audits = async (action: string, cameraId: number) =>
    (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action, limit: 100 })).records
      .filter((r) => r.object_id === String(cameraId))
      .map((r) => ({ username: r.username, outcome: r.outcome, detail: r.detail ? (JSON.parse(String(r.detail)) as Record<string, unknown>) : null }));

  beforeAll(async () => {
    d = await examDay(dialect);
    const room = await d.t.app.devices.createRoom(d.admin, { siteId: d.siteId, kind: 'other', name: '校园', seats: 0 });
    campus = (await d.t.app.devices.createCamera(d.admin, { roomId: room.id, name: '操场', position: 'front', sourceKind: 'rtsp', mainStream: '/101', subStream: '/102' })).id;
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    users = { admin: 'admin', operator: (await d.user('operator', '南京市第一中学考点')).username, leader: (await d.user('leader', '南京市第一中学考点')).username };
    await loginAll();
  });
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('R-FN-4: inside the national window a non-exam camera of the site is refused (409 exam_priority, audited); exam cameras stay open', async () => {
    d.t.clock.set(bj('2026-06-07 10:00'));
    await loginAll();
    const refused = await token('operator', { cameraIds: [campus] });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'exam_priority', message: EXAM_PRIORITY_MESSAGE });
    // A mixed request is refused as a whole: the token would otherwise open the campus camera.
    expect((await token('operator', { cameraIds: [d.cameras.r1front, campus] })).statusCode).toBe(409);
    const denied = await audits('video.live.start', campus);
    expect(denied.filter((a) => a.outcome === 'denied' && a.detail?.reason === 'exam_priority')).toHaveLength(2);
    expect(denied[0].detail).toMatchObject({ sessionIds: [d.sessionId], siteId: d.siteId, examCamera: false });

    for (const who of ['operator', 'leader', 'admin']) {
      const ok = await token(who, { cameraIds: [d.cameras.r1front, d.cameras.lab, d.cameras.secrecy] });
      expect(ok.statusCode, `${who}: ${ok.body}`).toBe(200);
    }
    // An operator cannot override; the stated reason is recorded with the refusal.
    expect((await token('operator', { cameraIds: [campus], examOverrideReason: '校园安全事件' })).statusCode).toBe(409);
    expect((await audits('video.live.start', campus)).some((a) => a.detail?.overrideReasonGiven === true)).toBe(true);
  });

  it('R-FN-4: an administrator overrides with a stated reason, audited; without a reason the admin is refused too', async () => {
    d.t.clock.set(bj('2026-06-07 10:30'));
    await loginAll();
    expect((await token('admin', { cameraIds: [campus] })).statusCode).toBe(409);
    const ok = await token('admin', { cameraIds: [campus], examOverrideReason: '校门口发生紧急情况，需查看' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await audits('exam.priority.override', campus)).toEqual([
      // The record also names the camera as it was then (issue 14 item 17).
      { username: 'admin', outcome: 'ok', detail: { for: 'video.live.start', reason: '校门口发生紧急情况，需查看', sessionIds: [d.sessionId], siteId: d.siteId, camera: expect.any(String) as unknown } },
    ]);
  });

  it('R-FN-4: a token issued before the window does not open a non-exam camera once it begins (socket/WebRTC path); no transcoding or sub-stream for it', async () => {
    d.t.clock.set(bj('2026-06-07 07:59'));
    await loginAll();
    const before = await token('operator', { cameraIds: [campus, d.cameras.r1front] });
    expect(before.statusCode, before.body).toBe(200);
    const operator = await d.t.actor(users.operator);
    const claims = { u: operator.userId!, p: 'live' as const, c: [campus, d.cameras.r1front], exp: bj('2026-06-07 08:01'), s: 'x' };
    expect((await cameraForViewing(d.t.app, operator, claims, campus)).id).toBe(campus);
    d.t.clock.set(bj('2026-06-07 08:00') + 1000); // the secrecy room's custody window opens
    const err = await cameraForViewing(d.t.app, operator, claims, campus).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiveAccessError);
    expect(err).toMatchObject({ code: 'exam_priority', message: EXAM_PRIORITY_MESSAGE });
    expect((await cameraForViewing(d.t.app, operator, claims, d.cameras.r1front)).id).toBe(d.cameras.r1front);
    const p = new ExamPriority(d.t.app);
    expect(await p.allowsNonExamUse(campus)).toBe(false);
    expect(await p.allowsNonExamUse(d.cameras.r1front)).toBe(true);
  });

  it('R-FN-4: after the window both cameras are allowed again', async () => {
    d.t.clock.set(bj('2026-06-07 12:30') + 60_000); // custody window (the last one) has closed
    await loginAll();
    const res = await token('operator', { cameraIds: [campus, d.cameras.r1front] });
    expect(res.statusCode, res.body).toBe(200);
    expect(await new ExamPriority(d.t.app).decide(campus)).toMatchObject({ restricted: false, examCamera: false });
  });
});
