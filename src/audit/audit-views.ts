// Audit records as the API and the CSV export show them.
import type { AuditRow } from '../store/repos/audit-repo.ts';
import { formatBeijing } from '../util/beijing-time.ts';

export function auditRecordView(r: AuditRow) {
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
    detail: r.detail ? (JSON.parse(r.detail) as unknown) : null,
  };
}

/** CSV-quotes a cell and neutralises spreadsheet formulas (cells starting with = + - @). */
function cell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditCsv(rows: AuditRow[]): Buffer {
  const header = ['序号(seq)', '时间(北京时间)', '用户(user)', '角色(role)', 'IP', '工作站(workstation)', '操作(action)', '对象类型(object)', '对象ID(id)', '结果(outcome)', '详情(detail)', '哈希(hash)'];
  const lines = [header.map(cell).join(',')];
  for (const r of rows) {
    lines.push([String(r.seq), formatBeijing(Number(r.at_ms)), r.username, r.role, r.ip, r.workstation, r.action, r.object_type, r.object_id, r.outcome, r.detail ?? '', r.hash].map(cell).join(','));
  }
  // BOM so that Excel on Chinese Windows opens UTF-8 correctly.
  return Buffer.from('\ufeff' + lines.join('\r\n') + '\r\n', 'utf8');
}
