// Exam permissions, granted in src/auth/roles.ts; the check audits refusals exactly like
// requirePermission (R-SEC-4, R-ACC-1).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath } from '../auth/guard.ts';
import { can } from '../auth/roles.ts';
import { AppError } from '../util/errors.ts';

export type ExamPermission = 'exam.read' | 'exam.write' | 'exam.seal' | 'report.read';

export function canExam(actor: Actor, permission: ExamPermission): boolean {
  return actor.role === 'system' || can(actor.role, permission);
}

/** Passes when the actor holds the permission, or any one of a list of them. */
export async function requireExamPermission(audit: AuditService, actor: Actor, permission: ExamPermission | readonly ExamPermission[], action: string, objectType: string, objectId: string | number): Promise<void> {
  const any = typeof permission === 'string' ? [permission] : permission;
  if (any.some((p) => canExam(actor, p))) return;
  await audit.record(actor, { action, objectType, objectId, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: `role ${actor.role} lacks ${any.join(' / ')}` } });
  throw new AppError('forbidden', '无权执行此操作 (not permitted for your role)');
}

/** The org node an actor belongs to: the last id of its scope path; undefined for the system. */
export function actorNodeId(actor: Actor): number | undefined {
  if (actor.scope.kind === 'all') return undefined;
  const parts = actor.scope.path.split('/').filter(Boolean);
  return Number(parts[parts.length - 1]);
}
