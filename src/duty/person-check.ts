// Who is standing at the console (R-DIS-1/R-DIS-3): a person proves it with their own password, plus
// their one-time code when enrolled — at check-in and when re-confirming presence (确认在岗). The
// console's login session may be another person's, so the session proves nothing about them. Failed
// passwords and codes count toward the user's lockout; a one-time code is accepted once (a replayed
// check-in or confirmation is refused). Every refusal is audited under `action`.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { inScope } from '../auth/actor.ts';
import { totpStepOf } from '../auth/auth-service.ts';
import { countFailure } from '../auth/failures.ts';
import { verifyPassword } from '../auth/password.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Store } from '../store/db.ts';
import type { WorkstationRow } from '../store/repos/duty-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

export interface PersonProof { username: string; password: string; totp?: string }
export interface PersonCheckDeps { store: Store; audit: AuditService; clock: Clock; box: SecretBox }

/** The user `input` names, when the password (and code) are right and the workstation is in their scope; throws otherwise. */
export async function verifyPerson(d: PersonCheckDeps, actor: Actor, ws: WorkstationRow, input: PersonProof, action: string, refusedText: string) {
  const r = repos(d.store.db);
  const user = await r.users.byUsername(input.username);
  const refuse = async (reason: string, count: boolean): Promise<never> => {
    if (user && count) await countFailure(d, actor, user, action, reason);
    else await d.audit.record(actor, { action, objectType: 'duty_workstation', objectId: ws.id, outcome: 'denied', scopePath: ws.site_path, detail: { reason, username: input.username } });
    throw new AppError('invalid_credentials', refusedText);
  };
  if (!user || user.disabled || (user.locked_until_ms ?? 0) > d.clock.nowMs()) return refuse('unknown, disabled or locked user', false);
  if (!(await verifyPassword(input.password, user.password_hash))) return refuse('wrong password', true);
  if (!inScope({ kind: 'subtree', path: user.org_path }, ws.site_path)) return refuse('workstation outside the user\'s scope', false);
  if (user.totp_enabled) {
    const step = input.totp ? totpStepOf(d.box.open(user.totp_secret_enc!), input.totp, d.clock.nowMs()) : undefined;
    if (step === undefined) return refuse('wrong or missing one-time code', true);
    if (!(await r.users.claimTotpStep(user.id, step))) return refuse('replayed one-time code', true);
  }
  return user;
}
