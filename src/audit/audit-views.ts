// Audit records as the API and the CSV export show them.
import type { AuditRow } from '../store/repos/audit-repo.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { ROLE_LABELS } from '../auth/roles.ts';
import type { Role } from '../store/schema.ts';
// The one table of audit names, shared with the console's audit page (pure data, no browser code):
// the page and the CSV can never name an action differently.
import { actionLabel, detailKey, detailValue, objectLabel } from '../../web/src/pages/audit/auditLabels.ts';

/** One audit record as GET /api/audit answers it (the console imports this type). */
export interface AuditRecordView {
  seq: number;
  atMs: number;
  username: string;
  role: string;
  ip: string;
  workstation: string;
  action: string;
  objectType: string;
  objectId: AuditRow['object_id'];
  outcome: AuditRow['outcome'];
  detail: Record<string, unknown> | null;
  /** The object's name as recorded with the event ('' when the record names none). */
  objectName: string;
}

export function auditRecordView(r: AuditRow): AuditRecordView {
  const detail = parseDetail(r.detail);
  return {
    seq: Number(r.seq),
    atMs: Number(r.at_ms),
    username: r.username,
    role: r.role,
    ip: r.ip,
    workstation: r.workstation,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    outcome: r.outcome,
    detail,
    objectName: objectName(detail),
  };
}

/** CSV-quotes a cell and neutralises spreadsheet formulas (cells starting with = + - @). */
function cell(value: string): string {
  // A lone '-' (no IP, no workstation) is no formula: shown as it is.
  const safe = /^[=+\-@]/.test(value) && value !== '-' ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const OUTCOMES: Record<string, string> = { ok: '成功', denied: '拒绝', error: '失败' };
const roleLabel = (role: string): string => (role in ROLE_LABELS ? ROLE_LABELS[role as Role] : role === 'system' ? '系统' : role);

/** The object's name as recorded with the event (detail.name, else the names the event listed), '' when none. */
function objectName(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  for (const k of ['name', 'camera', 'room', 'site', 'cameras']) {
    const v = detail[k];
    if (typeof v === 'string' && v) return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('、');
    // Cameras listed as objects, each named when written (object-names.ts).
    const named = Array.isArray(v) ? v.map((x) => (x && typeof x === 'object' ? (x as { name?: unknown }).name : undefined)) : [];
    if (named.length > 0 && named.every((x) => typeof x === 'string')) return named.join('、');
  }
  return '';
}

function parseDetail(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * The audit log as an inspector reads it in Excel (issue 14 item 17): Chinese headers, Beijing
 * time, action / role / object type / outcome in Chinese, the object's name as recorded, the
 * detail as Chinese `键: 值` with *Ms values in Beijing time; the codes and the raw JSON are kept
 * in their own columns so nothing is lost and the hash chain can still be checked.
 */
export function auditCsv(rows: AuditRow[]): Buffer {
  const header = ['序号', '时间（北京时间）', '用户', '角色', 'IP地址', '工作站', '操作', '对象类型', '对象编号', '对象名称', '结果', '详情', '操作代码', '详情原文(JSON)', '哈希'];
  const lines = [header.map(cell).join(',')];
  for (const r of rows) {
    const detail = parseDetail(r.detail);
    const summary = detail ? Object.entries(detail).map(([k, v]) => `${detailKey(k, 'zh')}: ${detailValue(k, v, formatBeijing)}`).join('；') : '';
    lines.push([String(r.seq), formatBeijing(Number(r.at_ms)), r.username, roleLabel(r.role), r.ip, r.workstation, actionLabel(r.action, 'zh'), r.object_type ? objectLabel(r.object_type, 'zh') : '', r.object_id, objectName(detail), OUTCOMES[r.outcome] ?? r.outcome, summary, r.action, r.detail ?? '', r.hash].map(cell).join(','));
  }
  // BOM so that Excel on Chinese Windows opens UTF-8 correctly.
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}
