import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { columnKey, neutralise, unneutralise } from './columns.ts';
import { CsvError, decodeText, parseCsv, serializeCsv } from './csv.ts';

describe('CSV (RFC 4180)', () => {
  it('parses quoted fields with commas, doubled quotes and line breaks; CRLF, LF and CR line ends', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n"multi\r\nline",,x\ny\rz')).toEqual([['a', 'b,c', 'say "hi"'], ['multi\r\nline', '', 'x'], ['y'], ['z']]);
    expect(parseCsv('a,b\r\n')).toEqual([['a', 'b']]);
    expect(parseCsv('a,\r\n\r\n""')).toEqual([['a', ''], [''], ['']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('reports an unterminated quote and stray text after a closing quote with the row number', () => {
    expect(() => parseCsv('a\r\nb,"open\r\nstill')).toThrow(CsvError);
    try {
      parseCsv('a\r\nb,"open\r\nstill');
    } catch (e) {
      expect((e as CsvError).row).toBe(2);
    }
    expect(() => parseCsv('"a"b')).toThrow(/closing quote/);
  });

  it('serialises with a BOM and CRLF and round-trips', () => {
    const records = [['名称', 'a,b'], ['"q"', ' padded ', 'line\nbreak']];
    const out = serializeCsv(records);
    expect([...out.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(out.toString('utf8')).toContain('\r\n');
    expect(parseCsv(decodeText(out).text)).toEqual(records);
  });

  it('decodes UTF-8 (with or without BOM), UTF-16LE with BOM, and falls back to GB18030', () => {
    expect(decodeText(Buffer.from('\uFEFF考点', 'utf8'))).toEqual({ text: '考点', encoding: 'utf-8' });
    expect(decodeText(Buffer.from('考点', 'utf8'))).toEqual({ text: '考点', encoding: 'utf-8' });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('考点', 'utf16le')]))).toEqual({ text: '考点', encoding: 'utf-16le' });
    expect(decodeText(iconv.encode('南京市第一中学考点,鿏', 'gb18030'))).toEqual({ text: '南京市第一中学考点,鿏', encoding: 'gb18030' });
  });
});

describe('columns and formula cells', () => {
  it('accepts keys, Chinese labels and the exported `label(key)` form', () => {
    expect(columnKey('level')).toBe('level');
    expect(columnKey('LEVEL')).toBe('level');
    expect(columnKey('层级')).toBe('level');
    expect(columnKey('层级(level)')).toBe('level');
    expect(columnKey('\uFEFF层级（level）')).toBe('level');
    expect(columnKey('名称(level)')).toBeUndefined();
    expect(columnKey('colour')).toBeUndefined();
  });

  it('R-SEC-7 neutralises = + - @ on export and undoes it on import; bare formula cells are rejected', () => {
    for (const v of ['=1+1', '+86', '-x', '@SUM(A1)', "'=x"]) {
      expect(neutralise(v)).toBe(`'${v}`);
      expect(unneutralise(neutralise(v))).toBe(v);
    }
    expect(neutralise("'plain")).toBe("'plain");
    expect(unneutralise("'plain")).toBe("'plain");
    expect(unneutralise('=cmd|calc')).toBeUndefined();
    expect(unneutralise('@x')).toBeUndefined();
  });
});
