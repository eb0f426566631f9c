// The CPU-heavy halves of organisation export and import (writing and reading .xlsx/.csv), as
// plain functions that run in a worker thread (src/util/worker-run.ts, issue 13 item 9) or inline
// for small files. Errors a person must see come back as values, not thrown across the thread.
import { AppError } from '../../util/errors.ts';
import { CsvError, decodeText, parseCsv, serializeCsv } from './csv.ts';
import type { ImportProblem } from './rows.ts';
import { readXlsx, writeXlsx } from './xlsx.ts';

export const FILE_JOBS_URL = import.meta.url;

export async function writeTable(input: { format: 'csv' | 'xlsx'; records: string[][]; widths: number[] }): Promise<Buffer> {
  return input.format === 'xlsx' ? writeXlsx(input.records, input.widths) : serializeCsv(input.records);
}

export type ReadTableResult = { rows: string[][]; problems: ImportProblem[] } | { csvError: ImportProblem } | { invalid: string };

export async function readTable(input: { format: 'csv' | 'xlsx'; data: Uint8Array; maxRows: number }): Promise<ReadTableResult> {
  const data = Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength);
  try {
    if (input.format === 'xlsx') return await readXlsx(data, input.maxRows);
    return { rows: parseCsv(decodeText(data).text), problems: [] };
  } catch (err) {
    if (err instanceof CsvError) return { csvError: { row: err.row, message: err.message } };
    if (err instanceof AppError && err.code === 'invalid_input') return { invalid: err.message };
    throw err;
  }
}
