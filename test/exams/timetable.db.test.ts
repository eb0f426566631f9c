// Timetable import from CSV and Excel into sessions, all or nothing with row-numbered errors, on
// both databases (R-REC-1: recording scheduled from the exam timetable).
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import type { ExamDay } from './fixture.ts';
import { bj, closeDay, examDay } from './fixture.ts';

const HEADER = '考试名称,科目,日期,开始时间,结束时间';

describe.each(DIALECTS)('timetable import on %s', (dialect) => {
  let d: ExamDay;
  beforeEach(async () => {
    d = await examDay(dialect);
  });
  afterEach(() => closeDay(d));

  const sessionCount = async () => (await repos(d.t.app.store.db).exams.sessionsOf(d.examId)).length;

  it('R-REC-1: the downloadable template carries this exam\'s name and imports as it is (issue 14 item 12); out of scope it is refused', async () => {
    const xlsx = await d.m.timetable.template(d.admin, d.examId);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['考试日程', '说明']);
    const rows = wb.worksheets[0].getSheetValues().slice(1).map((r) => (r as unknown[]).slice(1));
    expect(rows[0]).toEqual(['考试名称', '科目', '日期', '开始时间', '结束时间']);
    expect(rows[1]).toEqual(['2026年普通高考', '语文', '2027-06-07', '09:00', '11:30']);
    // Filled in as shipped, it is a valid timetable: the two example sessions are created.
    const added = await d.m.timetable.import(d.admin, d.examId, 'xlsx', xlsx);
    expect(added.map((x) => [x.subject, x.start, x.end])).toEqual([
      ['语文', '2027-06-07 09:00:00', '2027-06-07 11:30:00'],
      ['数学', '2027-06-07 15:00:00', '2027-06-07 17:00:00'],
    ]);
    // An administrator of another district cannot learn the exam's name from it.
    const outsider = await d.user('admin', '玄武区');
    const err = (await d.m.timetable.template(outsider, d.examId).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('not_found');
  });

  it('R-REC-1: a bad CSV changes nothing and names every bad row', async () => {
    const csv = [HEADER, '2026年普通高考,数学,2026-06-07,15:00,17:00', '2026年普通高考,外语,2026-06-08,15:00,14:00', '别的考试,物理,2026-06-09,09:00,10:15', '2026年普通高考,化学,2026-02-30,09:00,10:00', '2026年普通高考,数学,2026/6/7,15:00,17:00', '2026年普通高考,语文,2026-06-07,9:00,11:30'].join('\r\n');
    const err = (await d.m.timetable.import(d.admin, d.examId, 'csv', Buffer.from(csv)).catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('import_invalid');
    expect((err.details as Array<{ row: number }>).map((p) => p.row)).toEqual([3, 4, 5, 6, 7]);
    expect(await sessionCount()).toBe(1);
  });

  it('R-REC-1: a GB18030 CSV and an Excel sheet with date/time cells become sessions with armed windows', async () => {
    const csv = iconv.encode([HEADER, '2026年普通高考,数学,2026-06-07,15:00,17:00', '2026年普通高考,外语,2026年6月8日,15:00,17:00'].join('\r\n'), 'gb18030');
    const added = await d.m.timetable.import(d.admin, d.examId, 'csv', csv);
    expect(added.map((s) => [s.subject, s.start, s.end])).toEqual([
      ['数学', '2026-06-07 15:00:00', '2026-06-07 17:00:00'],
      ['外语', '2026-06-08 15:00:00', '2026-06-08 17:00:00'],
    ]);
    const windows = await d.m.windows.list(d.admin, { sessionId: added[0].id });
    expect(windows.find((w) => w.roomName === '第01考场')).toMatchObject({ startMs: bj('2026-06-07 14:30'), endMs: bj('2026-06-07 17:30') });

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('日程');
    ws.addRow(['考试名称', '科目', '日期', '开始时间', '结束时间']);
    ws.addRow(['2026年普通高考', '物理', new Date(Date.UTC(2026, 5, 9)), new Date(Date.UTC(1899, 11, 30, 9, 0)), 10.25 / 24]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const [phys] = await d.m.timetable.import(d.admin, d.examId, 'xlsx', xlsx);
    expect([phys.start, phys.end]).toEqual(['2026-06-09 09:00:00', '2026-06-09 10:15:00']);
    expect(await sessionCount()).toBe(4);
    expect((await repos(d.t.app.store.db).audit.list({ kind: 'all' }, { action: 'exam.timetable.import' })).total).toBe(3);
  });
});
