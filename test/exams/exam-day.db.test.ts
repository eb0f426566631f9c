// A simulated exam day with the manual clock, on both databases: a 2-minute interruption is
// reported exactly, alarms are raised at once and closed, readiness alarms, and the report exports
// (R-REC-1, R-REC-4, R-CITY-3, R-ACC-1).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
      // Issue 14 item 18: no internal table name, durations in 小时/分/秒, a finished exam is not 临时.
      expect(text).not.toContain('recording_run');
      expect(text).toMatch(/3小时30分0秒/); // the window 08:30–12:00
      expect(text).toContain('2分0秒');
      expect(text).not.toContain('临时');
      expect(text).not.toContain('…'); // room names wrap, never cut
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await reportXlsx(report)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '明细', '中断明细']);
    const gapRows: unknown[][] = [];
    wb.getWorksheet('中断明细')!.eachRow((row) => gapRows.push((row.values as unknown[]).slice(1)));
    expect(gapRows).toContainEqual(['语文', '南京市第一中学考点', '第01考场', '前置', '2026-06-07 10:00:00.000', '2026-06-07 10:02:00.000', '2分0秒', '视频流停滞']);
    expect((await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'exam.report.export' })).records[0]).toMatchObject({ outcome: 'ok', username: 'admin' });
  });

  it('R-REC-4 (issue 14 item 18): a report made during the exam is 临时; a later session is 未开始, not 100 %; 完整率 and durations in 小时/分/秒 in the PDF and the Excel', async () => {
    await run(d, 'r1front', bj('2026-06-07 08:25'), bj('2026-06-07 09:12:34'), 'stall');
    await run(d, 'r1front', bj('2026-06-07 09:13'), null, null);
    await d.m.exams.createSessions(d.admin, d.examId, [{ subject: '数学', startMs: bj('2026-06-07 15:00'), endMs: bj('2026-06-07 17:00') }]);
    d.t.clock.set(bj('2026-06-07 09:47:26')); // 1 h 17 min 26 s into the 08:30 window
    const report = await d.m.reports.build(d.admin, d.examId);
    expect(report.provisional).toBe(true);
    // Kept with a picture of its first page (pdftoppm) to be looked at: test-results/exams/.
    const dir = path.join(import.meta.dirname, '../../test-results/exams');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `report-provisional-${dialect}.pdf`);
    writeFileSync(file, await reportPdf(report, d.m.font));
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', file, file.replace(/\.pdf$/, '')]);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('完整性报告（临时）');
    expect(text).toContain('临时报告：生成时仍有场次在进行');
    expect(text).toMatch(/数学\s+2026-06-07 15:00:00 ～ 2026-06-07 17:00:00\s+未开始/);
    const front = text.split('\n').find((l) => l.includes('语文') && l.includes('第01考场') && l.includes('前置') && l.includes('进行中'))!;
    expect(front).toContain('1小时17分26秒'); // 应录时长 so far
    expect(front).toContain('99.44%'); // (4646 − 26) / 4646 s, cut (not rounded) to 2 decimals
    const later = text.split('\n').filter((l) => l.includes('数学') && l.includes('第01考场'));
    expect(later.length).toBeGreaterThan(0);
    for (const l of later) {
      expect(l).toContain('未开始');
      expect(l).not.toContain('100.00%');
    }
    expect(text).toContain('26秒'); // the 09:12:34–09:13 gap
    expect(text).not.toContain('recording_run');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await reportXlsx(report)) as unknown as ArrayBuffer);
    const rows = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const det = rows('明细');
    expect(det[0][0]).toContain('临时报告');
    const header = det.find((r) => r[0] === '科目')!;
    const col = (h: string) => header.indexOf(h);
    const frontRow = det.find((r) => r[0] === '语文' && r[4] === '第01考场' && r[6] === '前置')!;
    expect(frontRow[col('应录时长')]).toBe('1小时17分26秒');
    expect(frontRow[col('完整率')]).toBeCloseTo(4620 / 4646, 6);
    expect(frontRow[col('状态')]).toBe('进行中');
    const laterRow = det.find((r) => r[0] === '数学' && r[4] === '第01考场' && r[6] === '前置')!;
    expect([laterRow[col('完整率')], laterRow[col('状态')]]).toEqual(['未开始', '未开始']);
    expect(rows('中断明细')).toContainEqual(expect.arrayContaining(['语文', '第01考场', '前置', '2026-06-07 09:12:34.000', '2026-06-07 09:13:00.000', '26秒', '视频流停滞']));
  });

  it('R-REC-4 (issue 14 item 18): while candidates enter, before the session starts, the report is 临时 and its header says the session is 进行中, not 未开始', async () => {
    await run(d, 'r1front', bj('2026-06-07 08:25'), null, null);
    d.t.clock.set(bj('2026-06-07 08:40')); // the 08:30 window runs; 语文 starts at 09:00
    const report = await d.m.reports.build(d.admin, d.examId);
    expect(report.provisional).toBe(true);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'xuncha-report-')), 'r.pdf');
    try {
      writeFileSync(file, await reportPdf(report, d.m.font));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toMatch(/场次：语文\s+2026-06-07 09:00:00 ～ 2026-06-07 11:30:00\s+进行中/);
    } finally {
      rmSync(path.dirname(file), { recursive: true, force: true });
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await reportXlsx(report)) as unknown as ArrayBuffer);
    const titles: string[] = [];
    wb.getWorksheet('汇总')!.eachRow((row) => titles.push(String((row.values as unknown[])[1] ?? '')));
    expect(titles.find((t) => t.startsWith('场次：'))).toContain('语文 2026-06-07 09:00:00～11:30:00（进行中）');
  });
});
