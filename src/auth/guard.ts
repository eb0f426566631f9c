// Permission checks that leave a trace: a refusal is itself an audited event (R-ACC-1).
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { AppError } from '../util/errors.ts';
import type { Actor } from './actor.ts';
import type { Permission } from './roles.ts';
import { can } from './roles.ts';

export async function requirePermission(audit: AuditService, actor: Actor, permission: Permission, action: string, objectType: string, objectId: string | number): Promise<void> {
  if (actor.role === 'system' || can(actor.role, permission)) return;
  await audit.record(actor, { action, objectType, objectId, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: `role ${actor.role} lacks ${permission}` } });
  throw new AppError('forbidden', '无权执行此操作 (not permitted for your role)');
}

/** Out-of-scope objects answer 404, as if they did not exist, and the attempt is audited. */
export async function denyOutOfScope(audit: AuditService, actor: Actor, action: string, objectType: string, objectId: string | number): Promise<never> {
  await audit.record(actor, { action, objectType, objectId, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
  throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
}

export function actorPath(actor: Actor): string {
  return actor.scope.kind === 'all' ? '/' : actor.scope.path;
}

/**
 * A refusal raised inside a transaction. The transaction rolls back; `runAudited` then records
 * the refusal in a transaction of its own (SQLite has one connection: no nested transactions).
 */
export class Denied extends AppError {
  constructor(
    readonly event: { action: string; objectType: string; objectId: string | number; detail: Record<string, unknown> },
    code: 'not_found' | 'forbidden',
    message: string,
  ) {
    super(code, message);
  }
}

export function outOfScope(action: string, objectType: string, objectId: string | number): Denied {
  return new Denied({ action, objectType, objectId, detail: { reason: 'not found in scope' } }, 'not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
}

export async function runAudited<T>(store: Store, audit: AuditService, actor: Actor, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  try {
    return await store.db.transaction().execute(fn);
  } catch (err) {
    if (err instanceof Denied) await audit.record(actor, { ...err.event, outcome: 'denied', scopePath: actorPath(actor) });
    throw err;
  }
}
