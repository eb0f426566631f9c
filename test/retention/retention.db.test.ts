// Retention on both databases with real recordings and a small disk quota (R-RET-1, R-FN-2):
// expired and pressure deletions go oldest first through the garbage list, locked recordings
// (exam windows ± 5 min, evidence holds) stay on disk and in the index, and when only locked data
// is left unscheduled recording stops with an alarm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverRecordings } from '../../src/recording/recovery.ts';
import pino from 'pino';
import type { RetentionAlarmEvent } from '../../src/retention/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import type { FileRow } from '../../src/store/repos/recording-repo.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { bj, closeDay, examDay } from '../exams/fixture.ts';
import type { ExamDay } from '../exams/fixture.ts';
import { THRESHOLD, harness, record } from './fixture.ts';
import type { Harness } from './fixture.ts';

const DAY = 86_400_000;
const D = bj('2026-06-07 00:00');

describe.each(DIALECTS)('retention job on %s', (dialect) => {
  let d: ExamDay;
  let h: Harness;
  const f: Record<string, FileRow[]> = {};
  const raised: RetentionAlarmEvent[] = [];
  const cleared: RetentionAlarmEvent[] = [];

  const onDisk = async (rows: FileRow[]) => Promise.all(rows.map(async (r) => (await d.t.app.files.size(r.rel_path)) !== undefined));
  const indexed = async (rows: FileRow[]) => {
    const ids = new Set((await repos(d.t.app.store.db).recordings.allFilePaths()).map((x) => x.id));
    return rows.map((r) => ids.has(r.id));
  };
  const kept = async (rows: FileRow[]) => [...(await onDisk(rows)), ...(await indexed(rows))].every(Boolean);
  const gone = async (rows: FileRow[]) => [...(await onDisk(rows)), ...(await indexed(rows))].every((x) => !x);
  const bytes = (rows: FileRow[]) => rows.reduce((n, r) => n + Number(r.bytes), 0);

  beforeAll(async () => {
    d = await examDay(dialect);
    h = harness(d.t, { backups: false });
    h.m.alarms.on('alarm.raised', (e) => raised.push(e));
    h.m.alarms.on('alarm.cleared', (e) => cleared.push(e));
    const { r1front, r1rear } = d.cameras;
    f.A = await record(d.t, r1front, D - 40 * DAY, 20); // non-exam, expired
    f.E = await record(d.t, r1rear, D - 40 * DAY, 20); // expired, but under an evidence hold
    f.B = await record(d.t, r1front, D - 5 * DAY, 20); // non-exam, oldest of the young
    f.C = await record(d.t, r1front, D - 3 * DAY, 20); // non-exam
    // Window of 第01考场: 08:30–12:00 Beijing; the lock starts 5 min earlier, at 08:25:00.
    f.S = await record(d.t, r1front, bj('2026-06-07 08:24:55'), 10); // straddles the margin: locked whole
    f.X = await record(d.t, r1front, bj('2026-06-07 09:10'), 20); // inside the exam window
    const admin = await d.t.actor('admin');
    // The hold covers only the last seconds of the first E file: the file is locked whole.
    await h.m.holds.create(admin, { cameraId: r1rear, fromMs: Number(f.E[0].end_ms) - 2000, toMs: Number(f.E[f.E.length - 1].end_ms) + 1000, reason: '考生疑似作弊 incident #7' });
    await h.m.saveSettings(admin, { minFreePercent: 0, minFreeBytes: THRESHOLD });
    d.t.clock.set(D + DAY);
  });
  afterAll(async () => {
    await h.m.stop();
    await closeDay(d);
  });

  it('deletes expired unlocked recordings through the garbage list and keeps held ones (R-RET-1, R-FN-2)', async () => {
    for (const k of ['A', 'B', 'C', 'E', 'S', 'X']) expect(f[k].length, k).toBeGreaterThan(0);
    expect(f.S[0].start_ms).toBeLessThan(bj('2026-06-07 08:25'));
    const report = await h.m.tick();
    expect(report.expired.files).toBe(f.A.length);
    expect(report.pressure.files).toBe(0);
    expect(await gone(f.A)).toBe(true);
    for (const k of ['B', 'C', 'E', 'S', 'X']) expect(await kept(f[k]), k).toBe(true);
    expect(await repos(d.t.app.store.db).recordings.garbage()).toEqual([]);
    const audit = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'retention.delete' });
    expect(audit.records.map((r) => JSON.parse(r.detail!) as { cause: string; paths: string[] })).toEqual([expect.objectContaining({ cause: 'expired', paths: f.A.map((x) => x.rel_path) })]);
  });

  it('under disk pressure deletes unlocked non-exam recordings oldest first, never a locked one (R-RET-1)', async () => {
    await h.needing(bytes(f.B) - 1);
    const report = await h.m.tick();
    expect(report.pressure.files).toBe(f.B.length);
    expect(await gone(f.B)).toBe(true);
    // C is younger than B; E is older than both but held; S and X are in the exam window.
    for (const k of ['C', 'E', 'S', 'X']) expect(await kept(f[k]), k).toBe(true);
    expect(report.pressureStop).toBe(false);
    expect(h.gate.vetoed).toBe(false);
  });

  it('when only locked data is left, stops unscheduled recording and raises the alarm (R-RET-1)', async () => {
    // A full disk (the minimum-free floor is capped at 20 % of the disk, so the disk is not 1 byte).
    h.setQuota((await h.used()) - bytes(f.C) + 100);
    const report = await h.m.tick();
    expect(await gone(f.C)).toBe(true);
    for (const k of ['E', 'S', 'X']) expect(await kept(f[k]), k).toBe(true);
    expect(report.pressureStop).toBe(true);
    expect(h.gate.calls).toEqual(['disk-pressure']);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'disk_pressure', thresholdBytes: THRESHOLD });
    const alarms = await h.m.alarmList(await d.t.actor('admin'));
    expect(alarms[0]).toMatchObject({ kind: 'disk_pressure', clearedAtMs: null });
    // The console's alarm banner (GET /api/retention/alarms/open): a site operator sees it too.
    expect(await h.m.openAlarmList(await d.user('operator', '南京市第一中学考点'))).toEqual([expect.objectContaining({ kind: 'disk_pressure', clearedAtMs: null, message: expect.stringContaining('磁盘空间不足') })]);
    // A second pass keeps the one alarm.
    await h.m.tick();
    expect(raised).toHaveLength(1);
    const fc = await h.m.forecast(await d.t.actor('admin'));
    expect(fc.lockedBytes).toBe(bytes(f.E) + bytes(f.S) + bytes(f.X));
    expect(fc.deletableBytes).toBe(0);
    expect(fc.locked.at(-1)).toMatchObject({ untilMs: null, bytes: bytes(f.E) });
    expect(fc.lockedUntilMs).toBeGreaterThanOrEqual(bj('2026-06-07 12:00') + 180 * DAY);
  });

  it('resumes recording when space is back; exam recordings outlive the default retention (R-RET-1)', async () => {
    h.setQuota(Number.MAX_SAFE_INTEGER);
    d.t.clock.set(D + 60 * DAY);
    const report = await h.m.tick();
    expect(report.pressureStop).toBe(false);
    expect(h.gate.calls.at(-1)).toBeUndefined();
    expect(cleared).toHaveLength(1);
    expect(await h.m.openAlarmList(await d.t.actor('admin'))).toEqual([]);
    for (const k of ['E', 'S', 'X']) expect(await kept(f[k]), k).toBe(true);
  });

  it('an evidence hold released by an administrator (audited) no longer protects (R-FN-2)', async () => {
    const admin = await d.t.actor('admin');
    const operator = await d.user('operator', '南京市第一中学考点');
    const [hold] = await h.m.holds.list(admin);
    await expect(h.m.holds.release(operator, hold.id, '无')).rejects.toMatchObject({ code: 'forbidden' });
    await h.m.holds.release(admin, hold.id, '调查结束 closed');
    await h.m.tick();
    expect(await gone(f.E)).toBe(true);
    expect(await kept(f.X)).toBe(true);
    const audit = await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'evidence.' });
    expect(audit.records.map((r) => `${r.action}:${r.outcome}`)).toEqual(expect.arrayContaining(['evidence.hold:ok', 'evidence.release:denied', 'evidence.release:ok']));
    d.t.clock.set(bj('2026-06-07 12:00') + 181 * DAY);
    await h.m.tick();
    expect(await gone(f.X)).toBe(true);
  });

  it('finishes a deletion interrupted between its steps (garbage row left behind)', async () => {
    const rows = await record(d.t, d.cameras.lab, d.t.clock.nowMs() - 40 * DAY, 10);
    const now = d.t.clock.nowMs();
    // Killed after step one: rows moved to the garbage list, files still on disk.
    await d.t.app.store.db.transaction().execute((trx) => repos(trx).recordings.moveFilesToGarbage(rows, now));
    expect((await onDisk(rows)).every(Boolean)).toBe(true);
    const report = await h.m.job.runOnce();
    expect(report.garbageFinished).toBe(rows.length);
    expect((await onDisk(rows)).some(Boolean)).toBe(false);
    expect(await repos(d.t.app.store.db).recordings.garbage()).toEqual([]);
    // Start-up recovery does the same.
    const more = await record(d.t, d.cameras.lab, now - 39 * DAY, 10);
    await d.t.app.store.db.transaction().execute((trx) => repos(trx).recordings.moveFilesToGarbage(more, now));
    expect((await recoverRecordings(d.t.app.store, d.t.app.files, d.t.clock, pino({ level: 'silent' }))).garbageRemoved).toBe(more.length);
    expect((await onDisk(more)).some(Boolean)).toBe(false);
  });
});
