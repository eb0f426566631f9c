// A simulated exam day with the manual clock, on both databases: a 2-minute interruption is
// reported exactly, alarms are raised at once and closed, readiness alarms, and the report exports
// (R-REC-1, R-REC-4, R-CITY-3, R-ACC-1).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmView } from '../../src/exams/index.ts';
import { reportPdf, reportXlsx } from '../../src/exams/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from './fixture.ts';
import { bj, closeDay, examDay } from './fixture.ts';

const WINDOW_MS = 3.5 * 3600_000; // 08:30–12:00

async function run(d: ExamDay, camera: string, startMs: number, endMs: number | null, reason: string | null): Promise<number> {
  return repos(d.t.app.store.db).recordings.insertRun({
    camera_id: d.cameras[camera],
    stream: 'main',
    started_at_ms: startMs,
    duration_90k: endMs === null ? 0 : (endMs - startMs) * 90,
    ended_at_ms: endMs,
    end_reason: reason,
    video_codec: 'h264',
    width: 1920,
    height: 1080,
    rfc6381: 'avc1.640028',
    frame_count: 0,
  });
}

describe.each(DIALECTS)('exam day on %s', (dialect) => {
  let d: ExamDay;
  beforeEach(async () => {
    d = await examDay(dialect);
  });
  afterEach(() => closeDay(d));

  /** 第01考场 front: recording from 08:25, a stall at 10:00:00, back at 10:02:00, until 12:10. */
  async function stallDay() {
    await run(d, 'r1front', bj('2026-06-07 08:25'), bj('2026-06-07 10:00'), 'stall');
    await run(d, 'r1front', bj('2026-06-07 10:02'), bj('2026-06-07 12:10'), 'stopped');
    await run(d, 'lab', bj('2026-06-07 08:29'), null, null);
  }

  it('R-REC-4: a 2-minute stall mid-session is exactly one gap with its bounds and reason; coverage = (window − 120 s)/window', async () => {
    await stallDay();
    d.t.clock.set(bj('2026-06-07 12:30'));
    const report = await d.m.reports.build(d.admin, d.examId, d.sessionId);
    const front = report.lines.find((l) => l.cameraId === d.cameras.r1front)!;
    expect(front.gaps).toEqual([{ startMs: bj('2026-06-07 10:00'), endMs: bj('2026-06-07 10:02'), lengthMs: 120_000, reason: 'stall', ongoing: false }]);
    expect(front).toMatchObject({ windowStartMs: bj('2026-06-07 08:30'), windowEndMs: bj('2026-06-07 12:00'), requiredMs: WINDOW_MS, recordedMs: WINDOW_MS - 120_000, inProgress: false });
    expect(front.coverage).toBe((WINDOW_MS - 120_000) / WINDOW_MS);
    // Nothing recorded, and a room without cameras, are whole-window gaps; an open run counts until now.
    expect(report.lines.find((l) => l.cameraId === d.cameras.r1rear)!.gaps).toMatchObject([{ reason: 'no recording', lengthMs: WINDOW_MS }]);
    expect(report.lines.find((l) => l.roomName === '第02考场')).toMatchObject({ cameraId: null, coverage: 0, gaps: [{ reason: 'no camera' }] });
    expect(report.lines.find((l) => l.cameraId === d.cameras.lab)).toMatchObject({ coverage: 1, gaps: [] });
    const roll = Object.fromEntries(report.rollups.map((u) => [`${u.level}:${u.name}`, u]));
    expect(Object.keys(roll)).toEqual(['city:南京市', 'district:鼓楼区', 'site:南京市第一中学考点']);
    expect(roll['site:南京市第一中学考点']).toMatchObject({ cameras: 7, worstCoverage: 0 });
    expect(roll['city:南京市'].recordedMs).toBe(roll['site:南京市第一中学考点'].recordedMs);
  });

  it('R-REC-4: while the window runs, the report counts up to now and marks the ongoing gap', async () => {
    await run(d, 'r1front', bj('2026-06-07 08:30'), bj('2026-06-07 09:10'), 'timeout');
    d.t.clock.set(bj('2026-06-07 09:20'));
    const front = (await d.m.reports.build(d.admin, d.examId)).lines.find((l) => l.cameraId === d.cameras.r1front)!;
    expect(front).toMatchObject({ inProgress: true, requiredMs: 50 * 60_000, recordedMs: 40 * 60_000, gaps: [{ startMs: bj('2026-06-07 09:10'), endMs: bj('2026-06-07 09:20'), reason: 'timeout', ongoing: true }] });
  });

  it('R-REC-4: the monitor raises a gap alarm within 10 s of the run ending and closes it when the next run starts', async () => {
    const raised: AlarmView[] = [];
    const cleared: AlarmView[] = [];
    d.m.alarms.on('alarm.raised', (a) => raised.push(a));
    d.m.alarms.on('alarm.cleared', (a) => cleared.push(a));
    d.m.start();
    const gapStart = bj('2026-06-07 10:00');
    d.t.clock.set(gapStart + 5_000); // the stall is detected 5 s after the media end
    d.t.app.events.emit('recording.run-ended', { cameraId: d.cameras.r1front, startedAtMs: bj('2026-06-07 08:25'), endedAtMs: gapStart, reason: 'stall' });
    d.t.clock.set(gapStart + 120_000 + 300);
    d.t.app.events.emit('recording.run-started', { cameraId: d.cameras.r1front, startedAtMs: gapStart + 120_000 });
    await d.m.monitor.idle();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'recording_gap', cameraId: d.cameras.r1front, roomId: d.rooms['第01考场'], sessionId: d.sessionId, gapStartMs: gapStart, reason: 'stall' });
    expect(raised[0].raisedAtMs - raised[0].gapStartMs!).toBeLessThanOrEqual(10_000);
    expect(cleared).toMatchObject([{ id: raised[0].id, gapEndMs: gapStart + 120_000, clearedAtMs: gapStart + 120_300 }]);
    const [row] = await d.m.alarmService.list(d.admin, { kind: 'recording_gap' });
    expect(row).toMatchObject({ gapStartMs: gapStart, gapEndMs: gapStart + 120_000 });
    // Outside every window nothing is raised.
    d.t.clock.set(bj('2026-06-07 14:00'));
    d.t.app.events.emit('recording.run-ended', { cameraId: d.cameras.r1front, startedAtMs: bj('2026-06-07 13:00'), endedAtMs: bj('2026-06-07 14:00'), reason: 'eof' });
    await d.m.monitor.idle();
    expect(raised).toHaveLength(1);
    // Acknowledged by the on-duty operator of the site, audited; other districts do not see it.
    const operator = await d.user('operator', '南京市第一中学考点');
    expect(await d.m.alarmService.acknowledge(operator, row.id)).toMatchObject({ acknowledgedBy: operator.username });
    expect((await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'alarm.ack' })).total).toBe(1);
    expect(await d.m.alarmService.list(await d.user('admin', '玄武区'), {})).toEqual([]);
  });

  it('R-REC-4 (issue 12): a camera sending garbage from the start gets a recording_gap alarm with reason garbage in its window, not only camera_not_ready', async () => {
    const raised: AlarmView[] = [];
    d.m.alarms.on('alarm.raised', (a) => raised.push(a));
    d.m.start();
    // Before the window: the camera is in error with garbage, no gap alarm yet.
    d.t.clock.set(bj('2026-06-07 08:00'));
    d.t.app.events.emit('camera.status', { cameraId: d.cameras.r1front, state: 'error', recording: false, reason: 'garbage', detail: '40 of 50 packets not H.264', atMs: d.t.clock.nowMs() });
    await d.m.monitor.idle();
    expect(raised.filter((a) => a.kind === 'recording_gap')).toEqual([]);
    // The window starts while it still sends garbage (status unchanged): the readiness pass raises the gap from the window start.
    d.t.clock.set(bj('2026-06-07 08:30') + 5_000);
    d.timer.fire();
    await d.m.monitor.idle();
    const gaps = raised.filter((a) => a.kind === 'recording_gap');
    expect(gaps).toMatchObject([{ cameraId: d.cameras.r1front, reason: 'garbage', detail: '40 of 50 packets not H.264', gapStartMs: bj('2026-06-07 08:30') }]);
    // Repeated status events and passes do not raise it again; a lying SDP on another camera is codec-mismatch, at once.
    d.t.app.events.emit('camera.status', { cameraId: d.cameras.r1front, state: 'error', recording: false, reason: 'garbage', atMs: d.t.clock.nowMs() });
    d.t.app.events.emit('camera.status', { cameraId: d.cameras.r1rear, state: 'error', recording: false, reason: 'codec-mismatch', atMs: d.t.clock.nowMs() });
    d.timer.fire();
    await d.m.monitor.idle();
    expect(raised.filter((a) => a.kind === 'recording_gap').map((a) => [a.cameraId, a.reason])).toEqual([
      [d.cameras.r1front, 'garbage'],
      [d.cameras.r1rear, 'codec-mismatch'],
    ]);
    // A plain connection failure (timeout) is not a gap alarm of this kind: camera_not_ready covers it.
    d.t.app.events.emit('camera.status', { cameraId: d.cameras.lab, state: 'error', recording: false, reason: 'timeout', atMs: d.t.clock.nowMs() });
    await d.m.monitor.idle();
    expect(raised.filter((a) => a.kind === 'recording_gap' && a.cameraId === d.cameras.lab)).toEqual([]);
  });

  it('R-REC-1: every 10 s, cameras not online within 60 min of their window raise camera_not_ready; coming online clears it', async () => {
    d.m.start();
    d.t.clock.set(bj('2026-06-07 07:40'));
    for (const cam of ['r1front', 'r1rear', 'lab', 'affairs']) d.t.app.events.emit('camera.status', { cameraId: d.cameras[cam], state: 'online', recording: true, atMs: d.t.clock.nowMs() });
    d.timer.fire();
    await d.m.monitor.idle();
    let open = await d.m.alarmService.list(d.admin, { open: true });
    expect(open).toMatchObject([{ kind: 'camera_not_ready', cameraId: d.cameras.secrecy, reason: 'unknown' }]);
    d.timer.fire();
    await d.m.monitor.idle();
    expect(await d.m.alarmService.list(d.admin, { open: true })).toHaveLength(1);
    d.t.app.events.emit('camera.status', { cameraId: d.cameras.secrecy, state: 'online', recording: true, atMs: d.t.clock.nowMs() });
    await d.m.monitor.idle();
    open = await d.m.alarmService.list(d.admin, { open: true });
    expect(open).toEqual([]);
  });

  it('R-REC-4/R-CITY-3: the PDF is a signable A4 report with Chinese text; the xlsx holds the gap row; exports are audited', async () => {
    await stallDay();
    d.t.clock.set(bj('2026-06-07 12:30'));
    const report = await d.m.reports.forExport(d.admin, d.examId, undefined, 'pdf');
    const pdf = await reportPdf(report, d.m.font);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-pdf-'));
    try {
      writeFileSync(path.join(dir, 'r.pdf'), pdf);
      const text = execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
      expect(text).toContain('考点负责人');
      expect(text).toContain('系统管理员');
      expect(text).toContain('2026年普通高考');
      expect(text).toContain('2026-06-07 10:00:00.000');
      expect(text).toContain('视频流停滞');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await reportXlsx(report)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '明细', '中断明细']);
    const gapRows: unknown[][] = [];
    wb.getWorksheet('中断明细')!.eachRow((row) => gapRows.push((row.values as unknown[]).slice(1)));
    expect(gapRows).toContainEqual(['语文', '南京市第一中学考点', '第01考场', '前置', '2026-06-07 10:00:00.000', '2026-06-07 10:02:00.000', 120, '视频流停滞 (stall)']);
    expect((await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'exam.report.export' })).records[0]).toMatchObject({ outcome: 'ok', username: 'admin' });
  });
});
