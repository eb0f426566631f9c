// The exam routes through the real HTTP stack (Fastify inject with session cookies and CSRF), on
// both databases: validation, scope (404 outside), roles (403), exports (R-SEC-4, R-REC-4, R-CITY-3).
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import type { ExamDay } from './fixture.ts';
import { PASSWORD, bj, closeDay, examDay } from './fixture.ts';

describe.each(DIALECTS)('exam API on %s', (dialect) => {
  let d: ExamDay;
  let server: FastifyInstance;
  const login: Record<string, { cookie: string; csrf: string }> = {};
  const call = (who: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    server.inject({ method, url, headers: { cookie: login[who].cookie, 'x-csrf-token': login[who].csrf }, payload: payload as Record<string, unknown> | undefined });

  let users: Record<string, string> = {};
  /** Logs everyone in again: moving the manual clock expires idle sessions. */
  async function loginAll() {
    for (const [key, username] of Object.entries(users)) {
      const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: key === 'admin' ? ADMIN_PASSWORD : PASSWORD } });
      expect(res.statusCode, res.body).toBe(200);
      login[key] = { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
    }
  }
  beforeAll(async () => {
    d = await examDay(dialect);
    server = await buildServer(d.t.app, pino({ level: 'silent' }));
    users = { admin: 'admin', outsider: (await d.user('admin', '玄武区')).username, operator: (await d.user('operator', '南京市第一中学考点')).username };
    await loginAll();
  });
  afterAll(async () => {
    await server.close();
    await closeDay(d);
  });

  it('R-SEC-4: lists and shows exams in scope; 404 outside; 403 for roles without exam.write; strict bodies', async () => {
    expect((await call('admin', 'GET', '/api/exams')).json()).toMatchObject({ exams: [{ id: d.examId, national: true, sessions: [{ subject: '语文' }] }] });
    expect((await call('outsider', 'GET', '/api/exams')).json()).toEqual({ exams: [] });
    expect((await call('outsider', 'GET', `/api/exams/${d.examId}`)).statusCode).toBe(404);
    expect((await call('outsider', 'GET', `/api/exams/${d.examId}/report.pdf`)).statusCode).toBe(404);
    expect((await call('operator', 'POST', '/api/exams', { name: '学考', kind: 'proficiency' })).statusCode).toBe(403);
    expect((await call('admin', 'POST', '/api/exams', { name: '学考', kind: 'proficiency', bogus: 1 })).statusCode).toBe(400);
    const created = await call('admin', 'POST', `/api/exams/${d.examId}/sessions`, { subject: '数学', startMs: bj('2026-06-07 15:00'), endMs: bj('2026-06-07 17:00') });
    expect(created.json()).toMatchObject({ subject: '数学', start: '2026-06-07 15:00:00' });
    const windows = (await call('operator', 'GET', `/api/exams/${d.examId}/windows?sessionId=${d.sessionId}`)).json() as { windows: unknown[] };
    expect(windows.windows).toHaveLength(6);
  });

  it('R-REC-2/R-REC-4: the operator seals; report JSON, .xlsx and .pdf come back; alarms list and ack', async () => {
    d.t.clock.set(bj('2026-06-07 11:40'));
    await loginAll();
    const sealed = await call('operator', 'POST', `/api/exam-sessions/${d.sessionId}/rooms/${d.rooms['第01考场']}/seal`);
    expect(sealed.json()).toMatchObject({ endSource: 'sealed', endMs: bj('2026-06-07 11:40') });
    d.t.clock.set(bj('2026-06-07 13:00'));
    await loginAll();
    const report = await call('admin', 'GET', `/api/exams/${d.examId}/report?sessionId=${d.sessionId}`);
    expect(report.statusCode, report.body).toBe(200);
    expect((report.json() as { rollups: Array<{ level: string }> }).rollups.map((u) => u.level)).toEqual(['city', 'district', 'site']);
    const xlsx = await call('admin', 'GET', `/api/exams/${d.examId}/report.xlsx`);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const pdf = await call('operator', 'GET', `/api/exams/${d.examId}/report.pdf?sessionId=${d.sessionId}`);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    // 打印PDF opens it in the browser's viewer, not a blank tab that downloads (issue 14 item 18).
    expect(pdf.headers['content-disposition']).toMatch(/^inline; filename="exam-\d+-report\.pdf"$/);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    d.m.start();
    d.t.app.events.emit('recording.run-ended', { cameraId: d.cameras.lab, startedAtMs: bj('2026-06-07 08:30'), endedAtMs: bj('2026-06-07 11:59'), reason: 'eof' });
    await d.m.monitor.idle();
    const alarms = (await call('operator', 'GET', '/api/alarms?open=true&kind=recording_gap')).json() as { alarms: Array<{ id: number }> };
    expect(alarms.alarms).toHaveLength(1);
    expect((await call('outsider', 'POST', `/api/alarms/${alarms.alarms[0].id}/ack`)).statusCode).toBe(404);
    // Issue 14 item 5 (R-ACC-1): the disposition (处置意见) is stored with the alarm and found by the history filters.
    const acked = await call('operator', 'POST', `/api/alarms/${alarms.alarms[0].id}/ack`, { disposition: '已通知考点，重启摄像机' });
    expect(acked.json()).toMatchObject({ acknowledgedBy: expect.stringMatching(/^operator_/), disposition: '已通知考点，重启摄像机' });
    const history = (await call('operator', 'GET', `/api/alarms?acked=true&fromMs=${bj('2026-06-07 00:00')}`)).json() as { alarms: Array<{ id: number; disposition: string; cameraName: string; siteName: string }> };
    expect(history.alarms.map((a) => a.id)).toContain(alarms.alarms[0].id);
    expect(history.alarms.find((a) => a.id === alarms.alarms[0].id)).toMatchObject({ disposition: '已通知考点，重启摄像机', cameraName: expect.any(String), siteName: expect.any(String) });
    // 确认人 reads as the person (display name) beside the login name (issue 14 item 5).
    const ackedBy = (history.alarms.find((a) => a.id === alarms.alarms[0].id) as unknown as { acknowledgedBy: string; acknowledgedByName: string | null });
    expect(ackedBy.acknowledgedByName).toBe(ackedBy.acknowledgedBy); // the fixture names users by login
    const operatorRow = (await repos(d.t.app.store.db).users.list({ kind: 'all' })).find((u) => u.username === ackedBy.acknowledgedBy)!;
    await repos(d.t.app.store.db).users.update(operatorRow.id, { display_name: '值班员张三' });
    const renamed = ((await call('operator', 'GET', '/api/alarms?acked=true')).json() as { alarms: Array<{ id: number; acknowledgedByName: string | null }> }).alarms.find((a) => a.id === alarms.alarms[0].id);
    expect(renamed?.acknowledgedByName).toBe('值班员张三');
    expect(((await call('operator', 'GET', '/api/alarms?acked=false&kind=recording_gap')).json() as { alarms: unknown[] }).alarms).toHaveLength(0);
    // …and by site and the end of the time range (the 报警记录 filters; the alarm was raised at 13:00).
    const ids = async (q: string) => ((await call('admin', 'GET', `/api/alarms?${q}`)).json() as { alarms: Array<{ id: number }> }).alarms.map((a) => a.id);
    expect(await ids(`siteId=${d.siteId}`)).toContain(alarms.alarms[0].id);
    expect(await ids(`siteId=${d.siteId + 100_000}`)).toEqual([]);
    expect(await ids(`fromMs=${bj('2026-06-07 00:00')}&toMs=${bj('2026-06-07 12:00')}`)).not.toContain(alarms.alarms[0].id);
    expect(await ids(`fromMs=${bj('2026-06-07 12:00')}&toMs=${bj('2026-06-08 00:00')}`)).toContain(alarms.alarms[0].id);
    const xlsx2 = await call('operator', 'GET', '/api/alarms.xlsx?acked=true');
    expect(xlsx2.statusCode).toBe(200);
    expect(xlsx2.rawPayload.subarray(0, 2).toString()).toBe('PK');
    expect(((await call('outsider', 'GET', '/api/alarms?acked=true')).json() as { alarms: unknown[] }).alarms).toHaveLength(0);
  });

  it('documents every exam route in the OpenAPI description', async () => {
    const res = await server.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys((res.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/exams', '/api/exams/{id}/report.pdf', '/api/exam-sessions/{id}/rooms/{roomId}/seal', '/api/alarms/{id}/ack']));
  });

  it('R-REC-1: timetable import answers 400 with row numbers and adds nothing', async () => {
    const csv = Buffer.from('考试名称,科目,日期,开始时间,结束时间\n2026年普通高考,理综,2026-06-08,25:00,11:30\n').toString('base64');
    const res = await call('admin', 'POST', `/api/exams/${d.examId}/timetable`, { format: 'csv', dataBase64: csv });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'import_invalid', details: [{ row: 2 }] });
  });
});
