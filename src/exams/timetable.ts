// Timetable import (R-REC-1): CSV (UTF-8 or GB18030) or Excel with columns 考试名称, 科目, 日期,
// 开始时间, 结束时间 become sessions of one exam. All or nothing; every problem names its sheet
// row (the header is row 1).
import type ExcelJS from 'exceljs';
import { loadExcelJS } from '../util/lazy-libs.ts';
import type { Actor } from '../auth/actor.ts';
import { decodeText, parseCsv } from '../org/transfer/csv.ts';
import type { ImportProblem } from '../org/transfer/rows.ts';
import { parseBeijing } from '../util/beijing-time.ts';
import { AppError } from '../util/errors.ts';
import type { ExamService, SessionInput } from './exam-service.ts';
import { checkSession } from './exam-service.ts';
import type { SessionView } from './views.ts';

export const TIMETABLE_COLUMNS = ['考试名称', '科目', '日期', '开始时间', '结束时间'] as const;
const MAX_ROWS = 500;
/** The example rows' day in the template (a date to replace, in the format the import reads). */
const TEMPLATE_DATE = '2027-06-07';
const TEMPLATE_HELP = [
  '考试日程导入说明 (timetable import)',
  '1. 第一行为列名，不要修改：考试名称、科目、日期、开始时间、结束时间。',
  '2. 考试名称须与本考试名称完全一致（模板中已填好）。',
  '3. 日期写作 2027-06-07（也可 2027/6/7、2027年6月7日）；时间为北京时间，写作 09:00。',
  '4. 每行一个场次；结束时间须晚于开始时间；同一科目同一开始时间不能重复。',
  '5. 全部或全不：任一行有错误则不导入，并列出出错的行号。最多 500 行。',
  '6. 示例两行为样例，请替换为实际场次。也可另存为 CSV（UTF-8 或 GB18030）导入。',
];
const pad = (n: number | string) => String(n).padStart(2, '0');

/** Excel gives dates and times as Date objects (UTC fields hold the shown value) or day fractions. */
function cellText(v: ExcelJS.CellValue, kind: 'date' | 'time' | 'text'): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return kind === 'time' ? `${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}` : `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
  if (typeof v === 'number' && kind === 'time' && v >= 0 && v < 1) {
    const min = Math.round(v * 1440);
    return `${pad(Math.floor(min / 60))}:${pad(min % 60)}`;
  }
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  if (typeof v === 'object' && 'text' in v) return String(v.text);
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '');
  return String(v as string | number | boolean);
}

async function readTable(format: 'csv' | 'xlsx', data: Buffer): Promise<unknown[][]> {
  if (format === 'csv') return parseCsv(decodeText(data).text);
  const wb = new (await loadExcelJS()).Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new AppError('import_invalid', '无法读取Excel文件 (not a readable .xlsx file)', [{ row: 0, message: 'not a readable .xlsx file' }]);
  }
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  ws?.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = Array.from({ length: Math.max(row.cellCount, 5) }, (_, i) => row.getCell(i + 1).value);
  });
  return Array.from(rows, (r) => r ?? []);
}

function normDate(text: string): string | undefined {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(text.trim());
  return m ? `${m[1]}-${pad(m[2])}-${pad(m[3])}` : undefined;
}

function normTime(text: string): string | undefined {
  const m = /^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$/.exec(text.trim());
  if (!m || +m[1] > 23 || +m[2] > 59) return undefined;
  return `${pad(m[1])}:${m[2]}${m[3] ? `:${m[3]}` : ''}`;
}

/** Parses the table into sessions of `examName`; throws import_invalid with every problem. */
export async function parseTimetable(format: 'csv' | 'xlsx', data: Buffer, examName: string, existing: readonly { subject: string; startMs: number }[]): Promise<SessionInput[]> {
  const table = await readTable(format, data);
  const problems: ImportProblem[] = [];
  const header = (table[0] ?? []).map((c) => cellText(c as ExcelJS.CellValue, 'text').replace(/^\uFEFF/, '').trim());
  const col = TIMETABLE_COLUMNS.map((name) => header.indexOf(name));
  const missing = TIMETABLE_COLUMNS.filter((_, i) => col[i] < 0);
  if (missing.length) throw new AppError('import_invalid', `缺少列：${missing.join('、')} (missing columns)`, [{ row: 1, message: `缺少列 ${missing.join('、')}` }]);
  if (table.length - 1 > MAX_ROWS) throw new AppError('import_invalid', `最多${MAX_ROWS}行 (too many rows)`, [{ row: MAX_ROWS + 2, message: 'too many rows' }]);
  const seen = new Map<string, number>();
  for (const s of existing) seen.set(`${s.subject}@${s.startMs}`, 0);
  const out: SessionInput[] = [];
  table.slice(1).forEach((cells, i) => {
    const row = i + 2;
    const get = (k: number, kind: 'date' | 'time' | 'text') => cellText(cells[col[k]] as ExcelJS.CellValue, kind).trim();
    const [name, subject, dateText, startText, endText] = [get(0, 'text'), get(1, 'text'), get(2, 'date'), get(3, 'time'), get(4, 'time')];
    if (!name && !subject && !dateText && !startText && !endText) return;
    const bad = (message: string) => problems.push({ row, message });
    if (name !== examName) return void bad(`考试名称“${name}”与本考试“${examName}”不符 (exam name does not match)`);
    if (!subject || subject.length > 64) return void bad('科目不能为空且不超过64字 (subject required, ≤ 64 characters)');
    if (/^[=+\-@]/.test(subject)) return void bad('科目不能以 = + - @ 开头 (formula-like text)');
    const date = normDate(dateText);
    if (!date) return void bad(`日期“${dateText}”格式应为 2026-06-07 (date format)`);
    const [st, et] = [normTime(startText), normTime(endText)];
    if (!st || !et) return void bad(`时间“${!st ? startText : endText}”格式应为 09:00 (time format)`);
    const startMs = parseBeijing(`${date} ${st}`);
    const endMs = parseBeijing(`${date} ${et}`);
    if (startMs === undefined || endMs === undefined || Number.isNaN(startMs) || formatCheck(date, startMs)) return void bad(`日期“${dateText}”不存在 (no such date)`);
    const problem = checkSession({ subject, startMs, endMs });
    if (problem) return void bad(problem);
    const key = `${subject}@${startMs}`;
    const prev = seen.get(key);
    if (prev !== undefined) return void bad(prev === 0 ? '该场次已存在 (session already exists)' : `与第${prev}行重复 (duplicate of row ${prev})`);
    seen.set(key, row);
    out.push({ subject, startMs, endMs });
  });
  if (problems.length) throw new AppError('import_invalid', `导入失败：${problems.length} 行有错误 (import failed)`, problems);
  if (out.length === 0) throw new AppError('import_invalid', '文件中没有场次 (no sessions in the file)', [{ row: 2, message: 'no rows' }]);
  return out;
}

/** True when the date does not round-trip (e.g. 2026-02-30 rolled over into March). */
function formatCheck(date: string, ms: number): boolean {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` !== date;
}

export class TimetableService {
  constructor(private readonly exams: ExamService) {}

  /**
   * The file to fill in (issue 14 item 12): the five columns, two example rows carrying this exam's
   * name (what the import checks), every cell text so Excel keeps 09:00 as typed, and a sheet 说明
   * with the rules. Imported unchanged it creates the two example sessions.
   */
  async template(actor: Actor, examId: number): Promise<Buffer> {
    const exam = await this.exams.get(actor, examId);
    const wb = new (await loadExcelJS()).Workbook();
    const ws = wb.addWorksheet('考试日程');
    ws.columns = TIMETABLE_COLUMNS.map((header, i) => ({ header, width: i === 0 ? 40 : 14, style: { numFmt: '@' } }));
    ws.addRow([exam.name, '语文', TEMPLATE_DATE, '09:00', '11:30']);
    ws.addRow([exam.name, '数学', TEMPLATE_DATE, '15:00', '17:00']);
    ws.getRow(1).font = { bold: true };
    const help = wb.addWorksheet('说明');
    for (const line of TEMPLATE_HELP) help.addRow([line]);
    help.getColumn(1).width = 100;
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async import(actor: Actor, examId: number, format: 'csv' | 'xlsx', data: Buffer): Promise<SessionView[]> {
    const exam = await this.exams.get(actor, examId);
    const sessions = await parseTimetable(format, data, exam.name, exam.sessions);
    return this.exams.createSessions(actor, examId, sessions, 'exam.timetable.import');
  }
}
