// One failed secret (password at login or at password change, one-time code, replayed code) of a
// known account: counted atomically in SQL and audited in one transaction (issue 13 items 1, 7).
import type { AuditService } from '../audit/audit-service.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { Actor } from './actor.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export async function countFailure(
  deps: { store: Store; audit: AuditService; clock: Clock },
  actor: Actor,
  user: { id: number; org_path: string },
  action: string,
  reason: string,
): Promise<{ locked: boolean }> {
  return deps.store.db.transaction().execute(async (trx) => {
    const { locked } = await repos(trx).users.recordFailure(user.id, deps.clock.nowMs(), MAX_FAILED_LOGINS, LOCKOUT_MS);
    await deps.audit.append(trx, actor, { action, objectType: 'user', objectId: user.id, outcome: 'denied', scopePath: user.org_path, detail: { reason, locked } });
    return { locked };
  });
}
