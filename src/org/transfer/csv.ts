// RFC 4180 CSV for the organisation import/export. Chinese Excel saves "CSV UTF-8" with a BOM and
// plain "CSV" in the system code page (GB18030 family), so decoding tries strict UTF-8 first and
// falls back to GB18030. Output is UTF-8 with a BOM and CRLF line ends, which Excel opens as-is.
import iconv from 'iconv-lite';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class CsvError extends Error {
  constructor(
    /** 1-based record number, as Excel shows the row. */
    readonly row: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export type TextEncoding = 'utf-8' | 'utf-16le' | 'gb18030';

/** Decodes file bytes: BOM first, then strict UTF-8, then GB18030. */
export function decodeText(data: Buffer): { text: string; encoding: TextEncoding } {
  if (data.length >= 3 && data.subarray(0, 3).equals(UTF8_BOM)) {
    return { text: data.subarray(3).toString('utf8'), encoding: 'utf-8' };
  }
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) {
    return { text: iconv.decode(data.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(data), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(data, 'gb18030'), encoding: 'gb18030' };
  }
}

/**
 * Parses CSV text into records of fields. Quoted fields may hold commas, quotes ("") and line
 * breaks; line ends may be CRLF, LF or CR. A final line end does not start an empty record.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false; // inside a quoted field
  let wasQuoted = false; // the current field was quoted and its closing quote seen
  let quoteRow = 0;
  const endField = () => {
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        wasQuoted = true;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else if (ch === '"' && field === '' && !wasQuoted) {
      quoted = true;
      quoteRow = records.length + 1;
      i++;
    } else if (wasQuoted) {
      throw new CsvError(records.length + 1, `引号字段后有多余字符 (unexpected character after a closing quote)`);
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new CsvError(quoteRow, '引号未闭合 (unterminated quoted field)');
  if (field !== '' || wasQuoted || record.length > 0) endRecord();
  return records;
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Serialises records as UTF-8 CSV with a BOM and CRLF line ends. */
export function serializeCsv(records: readonly (readonly string[])[]): Buffer {
  const body = records.map((r) => r.map(quoteField).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([UTF8_BOM, Buffer.from(body, 'utf8')]);
}
