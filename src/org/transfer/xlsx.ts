// Excel side of the organisation transfer: one sheet `组织机构`, bold frozen header, every cell
// written as text (20-digit codes must not turn into floating-point numbers).
import type ExcelJS from 'exceljs';
import { loadExcelJS } from '../../util/lazy-libs.ts';
import { AppError } from '../../util/errors.ts';
import type { ImportProblem } from './rows.ts';

export const SHEET_NAME = '组织机构';

export async function writeXlsx(records: readonly (readonly string[])[], widths: readonly number[]): Promise<Buffer> {
  const wb = new (await loadExcelJS()).Workbook();
  wb.creator = 'xuncha';
  const ws = wb.addWorksheet(SHEET_NAME, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  ws.columns = widths.map((width) => ({ width, style: { numFmt: '@' } }));
  for (const r of records) ws.addRow([...r]);
  ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function cellText(v: ExcelJS.CellValue): string | { problem: string } {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // Excel keeps 15 significant digits: a long code typed as a number has already lost digits.
    if (!Number.isSafeInteger(v) && Number.isInteger(v)) return { problem: '数字过长，Excel 已丢失精度，请把该列设为文本格式 (number too long, Excel lost digits: format the column as text)' };
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return v.toISOString();
  // A formula comes back as its text, which the row checks reject as formula-like.
  if ('formula' in v) return `=${v.formula}`;
  if ('sharedFormula' in v) return `=${v.sharedFormula}`;
  if ('error' in v) return { problem: `单元格错误值 ${String(v.error)} (error value in cell)` };
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('text' in v) return String(v.text);
  return { problem: '无法识别的单元格内容 (unsupported cell content)' };
}

/**
 * Reads the first sheet as rows of text. Rows keep their sheet numbers: `rows[i]` is sheet row
 * i + 1. Cells that cannot be taken as text are reported in `problems`.
 */
export async function readXlsx(data: Buffer, maxRows: number): Promise<{ rows: string[][]; problems: ImportProblem[] }> {
  const wb = new (await loadExcelJS()).Workbook();
  try {
    // exceljs types its input as an ArrayBuffer; give it a copy of exactly these bytes.
    await wb.xlsx.load(new Uint8Array(data).buffer);
  } catch {
    throw new AppError('invalid_input', '无法读取 Excel 文件 (not a readable .xlsx file)');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new AppError('invalid_input', 'Excel 文件中没有工作表 (the workbook has no sheet)');
  if (ws.actualRowCount - 1 > maxRows) throw new AppError('invalid_input', `数据超过 ${maxRows} 行 (more than ${maxRows} rows)`);
  const rows: string[][] = [];
  const problems: ImportProblem[] = [];
  const width = ws.columnCount;
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) {
      const t = cellText(row.getCell(c).value);
      if (typeof t === 'string') cells.push(t);
      else {
        problems.push({ row: r, message: `第 ${c} 列：${t.problem}` });
        cells.push('');
      }
    }
    rows.push(cells);
  }
  return { rows, problems };
}
