// Roles and what each may do (R-ORG-1, R-SEC-4). A permission check is always paired with a scope
// check in the repository layer: the role says what, the scope says where.
import type { Role } from '../store/schema.ts';

export type Permission =
  | 'org.read'
  | 'org.write'
  | 'device.secret.reveal'
  | 'user.read'
  | 'user.write'
  | 'audit.read'
  | 'video.live'
  | 'video.playback'
  | 'video.export'
  | 'recording.manage'
  | 'exam.read'
  // Read and download completeness reports (and the exam list to pick one) in scope; nothing else of exams.
  | 'report.read'
  | 'exam.write'
  | 'exam.seal'
  // Share a patrol tour with everyone whose scope holds its node, and change others' shared tours.
  | 'tour.share'
  // Sign readiness checklist items and reference snapshots as a named person (R-PRE-1/3/5/7, R-SEC-3/8).
  | 'readiness.sign'
  // Open fault tickets by hand and move them forward (acknowledge, repair); never verify (R-FLT-1).
  | 'fault.handle';

const GRANTS: Record<Role, readonly Permission[]> = {
  // 系统管理员: keeps the system running, devices, accounts, backups (R-ORG-2).
  admin: ['org.read', 'org.write', 'device.secret.reveal', 'user.read', 'user.write', 'audit.read', 'video.live', 'video.playback', 'video.export', 'recording.manage', 'exam.read', 'report.read', 'exam.write', 'exam.seal', 'tour.share', 'readiness.sign', 'fault.handle'],
  // 巡查员: watches live and recorded video.
  // Records 已封门 and custody events, acknowledges alarms while on duty.
  operator: ['org.read', 'video.live', 'video.playback', 'exam.read', 'report.read', 'exam.seal', 'readiness.sign'],
  // 组长: leads the centre; sees everything in scope, changes nothing.
  leader: ['org.read', 'user.read', 'audit.read', 'video.live', 'video.playback', 'exam.read', 'report.read'],
  // 纪检监察: oversight afterwards: the audit log and the completeness reports (issue 14 item 16);
  // no video, no alarms, no windows, and nothing written.
  inspector: ['audit.read', 'report.read'],
};

export const ROLES: readonly Role[] = ['admin', 'operator', 'leader', 'inspector'];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  operator: '巡查员',
  leader: '组长',
  inspector: '纪检监察',
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
