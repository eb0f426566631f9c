// Columns of the organisation sheet, their Chinese labels, the enum values accepted in Chinese,
// and the cell rules against spreadsheet formula injection.
import type { CameraPosition, CameraSourceKind, OrgNodeKind, RoomKind } from '../../store/schema.ts';

export type Level = OrgNodeKind | 'room' | 'camera';

export const COLUMNS = [
  { key: 'level', label: '层级' },
  { key: 'gb_code', label: '国标编码' },
  { key: 'parent_gb_code', label: '上级国标编码' },
  { key: 'name', label: '名称' },
  { key: 'region_code', label: '行政区划代码' },
  { key: 'room_kind', label: '房间类型' },
  { key: 'seats', label: '座位数' },
  { key: 'position', label: '安装位置' },
  { key: 'source_kind', label: '接入方式' },
  { key: 'main_stream', label: '主码流' },
  { key: 'sub_stream', label: '子码流' },
  // Import only: network configuration is secret and never exported (R-SEC-6).
  { key: 'host', label: '主机地址' },
  { key: 'port', label: '端口' },
  { key: 'username', label: '用户名' },
  { key: 'password', label: '密码' },
] as const;

export type ColumnKey = (typeof COLUMNS)[number]['key'];

export const SECRET_COLUMNS: readonly ColumnKey[] = ['host', 'port', 'username', 'password'];
export const EXPORT_COLUMNS: readonly ColumnKey[] = COLUMNS.map((c) => c.key).filter((k) => !SECRET_COLUMNS.includes(k));

const LABELS = new Map<ColumnKey, string>(COLUMNS.map((c) => [c.key, c.label]));
const BY_NAME = new Map<string, ColumnKey>(COLUMNS.flatMap((c) => [[c.key, c.key] as const, [c.label, c.key] as const]));

/** Which columns each level may fill (level, gb_code, parent_gb_code and name apply to all). */
const NODE_COLUMNS: readonly ColumnKey[] = ['region_code'];
const ROOM_COLUMNS: readonly ColumnKey[] = ['room_kind', 'seats'];
const CAMERA_COLUMNS: readonly ColumnKey[] = ['position', 'source_kind', 'main_stream', 'sub_stream', ...SECRET_COLUMNS];
export function columnApplies(level: Level, key: ColumnKey): boolean {
  if (key === 'level' || key === 'gb_code' || key === 'parent_gb_code' || key === 'name') return true;
  if (level === 'room') return ROOM_COLUMNS.includes(key);
  if (level === 'camera') return CAMERA_COLUMNS.includes(key);
  return NODE_COLUMNS.includes(key);
}

/** Header text as exported: `层级(level)`. */
export const headerText = (key: ColumnKey): string => `${LABELS.get(key)}(${key})`;

/** Maps a header cell to its key: `level`, `层级`, `层级(level)` and `层级（level）` all work. */
export function columnKey(header: string): ColumnKey | undefined {
  const text = header.replace(/^\uFEFF/, '').trim();
  const paren = /^(.*?)\s*[(（]\s*([A-Za-z_]+)\s*[)）]$/.exec(text);
  if (paren) {
    const key = BY_NAME.get(paren[2].toLowerCase());
    const labelKey = paren[1] === '' ? key : BY_NAME.get(paren[1]);
    return key && labelKey === key ? key : undefined;
  }
  return BY_NAME.get(text) ?? BY_NAME.get(text.toLowerCase());
}

type Labels<T extends string> = Record<T, string>;

export const LEVEL_LABELS: Labels<Level> = { province: '省', city: '市', district: '区县', site: '考点', room: '房间', camera: '摄像机' };
export const ROOM_KIND_LABELS: Labels<RoomKind> = { exam: '考场', lab: '机房考场', affairs: '考务室', secrecy: '试卷保密室', monitoring: '监控室', other: '其他' };
export const POSITION_LABELS: Labels<CameraPosition> = { front: '前', rear: '后', other: '其他' };
export const SOURCE_KINDS: readonly CameraSourceKind[] = ['rtsp', 'onvif', 'gb28181'];

/** Accepts the English value (any case) or its Chinese label. */
export function parseEnum<T extends string>(labels: Labels<T>, raw: string): T | undefined {
  const lower = raw.toLowerCase();
  for (const [value, label] of Object.entries(labels) as Array<[T, string]>) if (value === lower || label === raw) return value;
  return undefined;
}

export const enumChoices = <T extends string>(labels: Labels<T>): string =>
  (Object.entries(labels) as Array<[T, string]>).map(([v, l]) => `${l}/${v}`).join('、');

// Spreadsheet formula injection (CWE-1236): a cell starting with one of these may be evaluated.
const FORMULA_START = /^[=+\-@\t\r]/;
const needsEscape = (v: string): boolean => FORMULA_START.test(v) || /^'+[=+\-@\t\r]/.test(v);

/** Export: neutralise a cell so that no spreadsheet evaluates it. */
export function neutralise(value: string): string {
  return needsEscape(value) ? `'${value}` : value;
}

/**
 * Import: undoes `neutralise`, and refuses a cell that looks like a formula. Returns the value,
 * or undefined when the cell must be rejected.
 */
export function unneutralise(value: string): string | undefined {
  if (value.startsWith("'") && needsEscape(value.slice(1))) return value.slice(1);
  return FORMULA_START.test(value) ? undefined : value;
}
