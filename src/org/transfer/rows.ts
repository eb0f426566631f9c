// Turns a table of text cells (header + data rows) into typed import rows, checking everything that
// needs no database: header, levels, enums, numbers, code formats, formula-looking cells and
// duplicate codes within the file.
import { extractStreamCredentials } from '../stream-url.ts';
import { validateGbCode, validateRegionCode } from '../gb-code.ts';
import { CAMERA_GB_TYPES, NODE_GB_TYPES, ROOM_GB_TYPES } from '../views.ts';
import type { CameraPosition, CameraSourceKind, RoomKind } from '../../store/schema.ts';
import type { ColumnKey, Level } from './columns.ts';
import { LEVEL_LABELS, POSITION_LABELS, ROOM_KIND_LABELS, SOURCE_KINDS, columnApplies, columnKey, enumChoices, headerText, parseEnum, unneutralise } from './columns.ts';

export interface ImportProblem {
  /** 1-based row as Excel shows it: the header is row 1. */
  row: number;
  message: string;
}

export interface ImportRow {
  row: number;
  level: Level;
  gbCode?: string;
  parentGbCode?: string;
  name: string;
  regionCode?: string;
  roomKind?: RoomKind;
  seats?: number;
  position?: CameraPosition;
  sourceKind?: CameraSourceKind;
  mainStream?: string;
  subStream?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
}

export const MAX_NAME_LENGTH = 128;
export const MAX_STREAM_LENGTH = 512;

/** GB code types each level admits. */
export function gbTypesFor(level: Level): readonly string[] {
  return level === 'room' ? ROOM_GB_TYPES : level === 'camera' ? CAMERA_GB_TYPES : NODE_GB_TYPES;
}

/** GB code types the parent of each level has (a room's parent is a site; a camera's a room). */
const parentTypesFor = (level: Level): readonly string[] => (level === 'camera' ? ROOM_GB_TYPES : NODE_GB_TYPES);

function mapHeader(header: readonly string[], problems: ImportProblem[]): Array<ColumnKey | undefined> {
  const seen = new Set<ColumnKey>();
  const keys = header.map((h) => {
    if (h.trim() === '') return undefined;
    const key = columnKey(h);
    if (!key) problems.push({ row: 1, message: `未知的列“${h.trim()}” (unknown column)` });
    else if (seen.has(key)) problems.push({ row: 1, message: `列“${headerText(key)}”重复 (duplicate column)` });
    else seen.add(key);
    return key;
  });
  for (const required of ['level', 'name'] as const) {
    if (!seen.has(required)) problems.push({ row: 1, message: `缺少必需的列“${headerText(required)}” (missing required column)` });
  }
  return keys;
}

/** Parses data rows; `table[0]` is the header, `table[i]` is row i + 1. */
export function parseRows(table: readonly (readonly string[])[]): { rows: ImportRow[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const rows: ImportRow[] = [];
  if (table.length === 0) return { rows, problems: [{ row: 1, message: '文件为空，缺少表头 (empty file: no header row)' }] };
  const keys = mapHeader(table[0], problems);
  if (problems.length > 0) return { rows, problems };
  const codeRows = new Map<string, number>();
  for (let i = 1; i < table.length; i++) {
    const rowNo = i + 1;
    const cells = table[i];
    if (cells.every((c) => c.trim() === '')) continue; // blank lines are allowed and still counted
    const bad = (message: string) => problems.push({ row: rowNo, message });
    const values = new Map<ColumnKey, string>();
    const rejected = new Set<ColumnKey>();
    cells.forEach((raw, c) => {
      const key = keys[c];
      const text = key === 'password' ? raw : raw.trim();
      if (text === '') return;
      if (!key) return void bad(`第 ${c + 1} 列没有表头 (value in a column without header)`);
      const value = unneutralise(text);
      if (value === undefined) rejected.add(key);
      if (value === undefined) return void bad(`“${headerText(key)}”以 = + - @ 开头，疑似公式，已拒绝 (formula-like cell rejected; prefix with ' to keep it as text)`);
      values.set(key, value);
    });
    const rawLevel = values.get('level');
    const level = rawLevel === undefined ? undefined : parseEnum(LEVEL_LABELS, rawLevel);
    if (!level) {
      if (!rejected.has('level')) bad(rawLevel === undefined ? '缺少层级 (level is required)' : `未知的层级“${rawLevel}”，应为 ${enumChoices(LEVEL_LABELS)} (unknown level)`);
      continue;
    }
    for (const key of values.keys()) {
      if (!columnApplies(level, key)) bad(`${LEVEL_LABELS[level]}不使用“${headerText(key)}”列 (column does not apply to this level)`);
    }
    const row: ImportRow = { row: rowNo, level, name: values.get('name') ?? '' };
    if (row.name === '' && !rejected.has('name')) bad('缺少名称 (name is required)');
    else if (row.name.length > MAX_NAME_LENGTH) bad(`名称超过 ${MAX_NAME_LENGTH} 个字符 (name too long)`);

    const gbCode = values.get('gb_code');
    if (gbCode !== undefined) {
      const problem = validateGbCode(gbCode, gbTypesFor(level));
      if (problem) bad(`国标编码：${problem}`);
      const first = codeRows.get(gbCode);
      if (first !== undefined) bad(`国标编码 ${gbCode} 与第 ${first} 行重复 (duplicate gb_code in file)`);
      else codeRows.set(gbCode, rowNo);
      row.gbCode = gbCode;
    }
    const parent = values.get('parent_gb_code');
    if (parent !== undefined) {
      const problem = validateGbCode(parent, parentTypesFor(level));
      if (problem) bad(`上级国标编码：${problem}`);
      else if (parent === gbCode) bad('上级不能是自身 (an object cannot be its own parent)');
      row.parentGbCode = parent;
    } else if (level === 'room' || level === 'camera') {
      bad('缺少上级国标编码 (parent_gb_code is required)');
    }
    const region = values.get('region_code');
    if (region !== undefined) {
      const problem = validateRegionCode(region);
      if (problem) bad(problem);
      row.regionCode = region;
    }
    const roomKind = values.get('room_kind');
    if (roomKind !== undefined) {
      row.roomKind = parseEnum(ROOM_KIND_LABELS, roomKind);
      if (!row.roomKind) bad(`未知的房间类型“${roomKind}”，应为 ${enumChoices(ROOM_KIND_LABELS)} (unknown room_kind)`);
    }
    const seats = values.get('seats');
    if (seats !== undefined) {
      row.seats = /^\d{1,6}$/.test(seats) ? Number(seats) : undefined;
      if (row.seats === undefined) bad(`座位数“${seats}”必须是非负整数 (seats must be a non-negative integer)`);
    }
    const position = values.get('position');
    if (position !== undefined) {
      row.position = parseEnum(POSITION_LABELS, position);
      if (!row.position) bad(`未知的安装位置“${position}”，应为 ${enumChoices(POSITION_LABELS)} (unknown position)`);
    }
    const source = values.get('source_kind');
    if (source !== undefined) {
      row.sourceKind = SOURCE_KINDS.find((k) => k === source.toLowerCase());
      if (!row.sourceKind) bad(`未知的接入方式“${source}”，应为 ${SOURCE_KINDS.join('/')} (unknown source_kind)`);
    }
    for (const key of ['main_stream', 'sub_stream'] as const) {
      const v = values.get(key);
      if (v !== undefined && v.length > MAX_STREAM_LENGTH) bad(`“${headerText(key)}”过长 (too long)`);
    }
    // Credentials typed into a URL go to the sealed network configuration (issue 13 item 4).
    const typed = extractStreamCredentials(values.get('main_stream'), values.get('sub_stream'));
    row.mainStream = typed.mainStream;
    row.subStream = typed.subStream;
    const port = values.get('port');
    if (port !== undefined) {
      row.port = /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535 ? Number(port) : undefined;
      if (row.port === undefined) bad(`端口“${port}”超出范围 1–65535 (port out of range)`);
    }
    row.host = values.get('host');
    if (row.host !== undefined && !/^[A-Za-z0-9.:\-_[\]]+$/.test(row.host)) bad('主机地址格式不正确 (invalid host)');
    row.username = values.get('username') ?? typed.username;
    row.password = values.get('password') ?? typed.password;
    rows.push(row);
  }
  return { rows, problems };
}
