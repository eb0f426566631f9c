// Required windows, arming, 已封门, custody events, edits, defaults and scope, on both databases
// (R-REC-1, R-REC-2, R-REC-3, R-CITY-1, R-RET-1, R-FN-4, R-SEC-4).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from './fixture.ts';
import { bj, closeDay, examDay } from './fixture.ts';

const MIN = 60_000;
const expectAppError = async (p: Promise<unknown>, code: string) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
};

describe.each(DIALECTS)('exam windows on %s', (dialect) => {
  let d: ExamDay;
  beforeEach(async () => {
    d = await examDay(dialect);
  });
  afterEach(() => closeDay(d));

  const windowOf = async (room: string) => (await d.m.windows.list(d.admin, { sessionId: d.sessionId })).find((w) => w.roomId === d.rooms[room])!;
  const schedulesOf = (camera: string) => repos(d.t.app.store.db).recordings.schedulesOf(d.cameras[camera]);

  it('R-REC-2/R-REC-3/R-CITY-1: exam and lab rooms get exam windows, affairs and secrecy rooms custody windows', async () => {
    const windows = await d.m.windows.list(d.admin, { sessionId: d.sessionId });
    const byRoom = Object.fromEntries(windows.map((w) => [w.roomName, w]));
    expect(Object.keys(byRoom).sort()).toEqual(['第01考场', '第02考场', '第03考场', '第04考场(机房)', '考务室', '试卷保密室'].sort());
    for (const room of ['第01考场', '第02考场', '第03考场', '第04考场(机房)']) {
      expect(byRoom[room]).toMatchObject({ kind: 'exam', startMs: bj('2026-06-07 08:30'), endMs: bj('2026-06-07 12:00'), startSource: 'default', endSource: 'default' });
    }
    for (const room of ['考务室', '试卷保密室']) expect(byRoom[room]).toMatchObject({ kind: 'custody', startMs: bj('2026-06-07 08:00'), endMs: bj('2026-06-07 12:30') });
  });

  it('R-REC-1: arms a schedule row per window × camera with reason exam:<session>, unsealed windows with 30 min grace', async () => {
    const all = await repos(d.t.app.store.db).recordings.schedulesActiveOrAfter(0);
    expect(all).toHaveLength(5);
    expect(new Set(all.map((s) => s.reason))).toEqual(new Set([`exam:${d.sessionId}`]));
    expect(await schedulesOf('r1front')).toMatchObject([{ start_ms: bj('2026-06-07 08:30'), end_ms: bj('2026-06-07 12:30') }]);
    expect(await schedulesOf('secrecy')).toMatchObject([{ start_ms: bj('2026-06-07 08:00'), end_ms: bj('2026-06-07 13:00') }]);
    // Rooms or cameras added later are armed by recompute.
    const cam = await d.t.app.devices.createCamera(d.admin, { roomId: d.rooms['第02考场'], name: '前置', position: 'front', sourceKind: 'rtsp', mainStream: '/1', subStream: '/2' });
    expect(await d.m.exams.recompute(d.admin, d.examId)).toEqual({ windows: 6, schedules: 6 });
    expect(await repos(d.t.app.store.db).recordings.schedulesOf(cam.id)).toHaveLength(1);
  });

  it('R-REC-2: sealing ends the window at that instant, only after the session, and rewrites the schedules', async () => {
    d.t.clock.set(bj('2026-06-07 11:00'));
    await expectAppError(d.m.windows.markSealed(d.admin, d.sessionId, d.rooms['第01考场']), 'conflict');
    const sealAt = bj('2026-06-07 11:41') + 30_500;
    d.t.clock.set(sealAt);
    const w = await d.m.windows.markSealed(d.admin, d.sessionId, d.rooms['第01考场']);
    expect(w).toMatchObject({ endMs: sealAt, endSource: 'sealed', sealedBy: 'admin', sealedAtMs: sealAt, startMs: bj('2026-06-07 08:30') });
    expect(await schedulesOf('r1front')).toMatchObject([{ start_ms: bj('2026-06-07 08:30'), end_ms: sealAt }]);
    expect(await schedulesOf('r1rear')).toMatchObject([{ end_ms: sealAt }]);
    expect(await schedulesOf('lab')).toMatchObject([{ end_ms: bj('2026-06-07 12:30') }]);
    await expectAppError(d.m.windows.markSealed(d.admin, d.sessionId, d.rooms['第01考场']), 'conflict');
    await expectAppError(d.m.windows.markSealed(d.admin, d.sessionId, d.rooms['考务室']), 'invalid_input');
    const audit = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'exam.window.seal' });
    expect(audit.records[0]).toMatchObject({ outcome: 'ok', username: 'admin' });
    // A later recompute (session edited) keeps the seal.
    await d.m.exams.updateSession(d.admin, d.sessionId, { subject: '语文（改）' });
    expect((await windowOf('第01考场')).endMs).toBe(sealAt);
  });

  it('R-REC-3: papers arriving and leaving move the custody window and its schedule', async () => {
    d.t.clock.set(bj('2026-06-07 08:10'));
    expect(await d.m.windows.custodyEvent(d.admin, d.sessionId, d.rooms['试卷保密室'], 'arrived')).toMatchObject({ startMs: bj('2026-06-07 08:10'), startSource: 'custody' });
    d.t.clock.set(bj('2026-06-07 12:05'));
    expect(await d.m.windows.custodyEvent(d.admin, d.sessionId, d.rooms['试卷保密室'], 'left')).toMatchObject({ endMs: bj('2026-06-07 12:05'), endSource: 'custody' });
    expect(await schedulesOf('secrecy')).toMatchObject([{ start_ms: bj('2026-06-07 08:10'), end_ms: bj('2026-06-07 12:05') }]);
    await expectAppError(d.m.windows.custodyEvent(d.admin, d.sessionId, d.rooms['第01考场'], 'left'), 'invalid_input');
  });

  it('R-REC-1: site defaults and edits recompute windows; edited bounds survive recomputation; audited', async () => {
    await d.m.windows.putSettings(d.admin, d.siteId, { examLeadMin: 45, examTrailMin: 20, custodyLeadMin: 90, custodyTrailMin: 60 });
    expect(await windowOf('第01考场')).toMatchObject({ startMs: bj('2026-06-07 08:15'), endMs: bj('2026-06-07 11:50') });
    expect(await windowOf('考务室')).toMatchObject({ startMs: bj('2026-06-07 07:30') });
    const w = await windowOf('第04考场(机房)');
    await d.m.windows.edit(d.admin, w.id, { endMs: bj('2026-06-07 12:15') });
    await d.m.exams.updateSession(d.admin, d.sessionId, { startMs: bj('2026-06-07 09:30'), endMs: bj('2026-06-07 12:00') });
    expect(await windowOf('第04考场(机房)')).toMatchObject({ startMs: bj('2026-06-07 08:45'), endMs: bj('2026-06-07 12:15'), endSource: 'edited', editedBy: 'admin' });
    expect(await windowOf('第01考场')).toMatchObject({ startMs: bj('2026-06-07 08:45'), endMs: bj('2026-06-07 12:20') });
    expect(await schedulesOf('lab')).toMatchObject([{ start_ms: bj('2026-06-07 08:45'), end_ms: bj('2026-06-07 12:15') }]);
    const actions = (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'exam.' })).records.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['exam.settings.update', 'exam.window.edit', 'exam.session.update', 'exam.session.create', 'exam.sites', 'exam.create']));
  });

  it('R-SEC-4: other districts see nothing and are refused (audited); a site sees its own part; roles limit what they do', async () => {
    const outsider = await d.user('admin', '玄武区');
    expect(await d.m.exams.list(outsider)).toEqual([]);
    const denied = async () => (await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied' })).total;
    const before = await denied();
    await expectAppError(d.m.exams.get(outsider, d.examId), 'not_found');
    await expectAppError(d.m.windows.list(outsider, { sessionId: d.sessionId }), 'not_found');
    await expectAppError(d.m.windows.markSealed(outsider, d.sessionId, d.rooms['第01考场']), 'not_found');
    await expectAppError(d.m.reports.build(outsider, d.examId), 'not_found');
    await expectAppError(d.m.exams.update(outsider, d.examId, { name: 'x' }), 'not_found');
    await expectAppError(d.m.windows.putSettings(outsider, d.siteId, { examLeadMin: 0, examTrailMin: 0, custodyLeadMin: 0, custodyTrailMin: 0 }), 'not_found');
    expect(await denied()).toBe(before + 6);

    const siteAdmin = await d.user('admin', '南京市第一中学考点');
    expect((await d.m.exams.list(siteAdmin)).map((e) => e.id)).toEqual([d.examId]);
    await expectAppError(d.m.exams.update(siteAdmin, d.examId, { name: '改名' }), 'forbidden');
    expect((await d.m.windows.list(siteAdmin, { sessionId: d.sessionId })).length).toBe(6);
    const operator = await d.user('operator', '南京市第一中学考点');
    await expectAppError(d.m.exams.createSessions(operator, d.examId, [{ subject: '数学', startMs: bj('2026-06-07 15:00'), endMs: bj('2026-06-07 17:00') }]), 'forbidden');
    d.t.clock.set(bj('2026-06-07 11:35'));
    expect((await d.m.windows.markSealed(operator, d.sessionId, d.rooms['第01考场'])).endSource).toBe('sealed');
    // The inspector reads exams and their reports (report.read, issue 14 item 16) but not the windows, and writes nothing.
    const inspector = await d.user('inspector', '鼓楼区');
    expect((await d.m.exams.list(inspector)).map((e) => e.id)).toEqual([d.examId]);
    expect((await d.m.reports.build(inspector, d.examId)).lines.length).toBeGreaterThan(0);
    await expectAppError(d.m.windows.list(inspector, { sessionId: d.sessionId }), 'forbidden');
    await expectAppError(d.m.exams.update(inspector, d.examId, { name: '改名' }), 'forbidden');
    expect(await d.m.exams.get({ userId: null, username: 'system', role: 'system', ip: '-', workstation: '-', scope: { kind: 'all' } }, d.examId)).toMatchObject({ name: '2026年普通高考' });
  });

  it('R-RET-1/R-FN-4: national exams keep at least 180 days; holds and national-window checks for other services', async () => {
    await expectAppError(d.m.exams.create(d.admin, { name: '研考', kind: 'postgrad', retentionDays: 90 }), 'invalid_input');
    expect((await d.m.exams.create(d.admin, { name: '学考', kind: 'proficiency', retentionDays: 90 })).retentionDays).toBe(90);
    await expectAppError(d.m.exams.update(d.admin, d.examId, { retentionDays: 30 }), 'invalid_input');
    const holds = (await d.m.windows.retentionHolds()).filter((h) => h.cameraId === d.cameras.r1front);
    expect(holds).toEqual([{ cameraId: d.cameras.r1front, examId: d.examId, fromMs: bj('2026-06-07 08:30'), toMs: bj('2026-06-07 12:00'), keepUntilMs: bj('2026-06-07 12:00') + 180 * 86_400_000 }]);
    expect(await d.m.windows.nationalExamActive(d.cameras.r1front, bj('2026-06-07 10:00'))).toBe(true);
    expect(await d.m.windows.nationalExamActive(d.cameras.r1front, bj('2026-06-07 12:00') + MIN)).toBe(false);
  });

  it('R-REC-1: a session whose window has begun cannot be deleted; one in the future can, with its schedules', async () => {
    const [later] = await d.m.exams.createSessions(d.admin, d.examId, [{ subject: '数学', startMs: bj('2026-06-07 15:00'), endMs: bj('2026-06-07 17:00') }]);
    d.t.clock.set(bj('2026-06-07 08:40'));
    await expectAppError(d.m.exams.deleteSession(d.admin, d.sessionId), 'conflict');
    await d.m.exams.deleteSession(d.admin, later.id);
    const reasons = new Set((await repos(d.t.app.store.db).recordings.schedulesActiveOrAfter(0)).map((s) => s.reason));
    expect(reasons).toEqual(new Set([`exam:${d.sessionId}`]));
    await expectAppError(d.m.exams.createSessions(d.admin, d.examId, [{ subject: '坏', startMs: bj('2026-06-07 17:00'), endMs: bj('2026-06-07 15:00') }]), 'invalid_input');
  });
});
