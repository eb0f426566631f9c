// Accounts. A user is visible to an actor when the user's node is inside the actor's scope.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, UserTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type UserRow = Omit<UserTable, 'id'> & { id: number; org_path: string; org_name: string };

export class UserRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private base(scope: Scope) {
    let q = this.db
      .selectFrom('app_user')
      .innerJoin('org_node', 'org_node.id', 'app_user.org_node_id')
      .selectAll('app_user')
      .select(['org_node.path as org_path', 'org_node.name as org_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  list(scope: Scope): Promise<UserRow[]> {
    return this.base(scope).orderBy('app_user.username').execute();
  }

  get(scope: Scope, id: number): Promise<UserRow | undefined> {
    return this.base(scope).where('app_user.id', '=', id).executeTakeFirst();
  }

  /** Login looks a user up by name before any scope exists. */
  byUsername(username: string): Promise<UserRow | undefined> {
    return this.base({ kind: 'all' }).where('app_user.username', '=', username).executeTakeFirst();
  }

  async insert(v: Omit<UserTable, 'id'>): Promise<number> {
    const { id } = await this.db.insertInto('app_user').values(v).returning('id').executeTakeFirstOrThrow();
    return id;
  }

  async update(id: number, v: Partial<Omit<UserTable, 'id'>>): Promise<void> {
    await this.db.updateTable('app_user').set(v).where('id', '=', id).execute();
  }

  /**
   * Counts one failed attempt (password or one-time code) in a single UPDATE, so that concurrent
   * failures can never read the same count and write it back (issue 13): the count goes up by
   * one per failure on both databases, and the statement that reaches `max` locks the account
   * until `nowMs + lockMs` and starts the count again. Returns whether this failure locked it.
   */
  async recordFailure(id: number, nowMs: number, max: number, lockMs: number): Promise<{ locked: boolean }> {
    const row = await this.db
      .updateTable('app_user')
      .set({
        failed_logins: sql<number>`case when failed_logins + 1 >= ${max} then 0 else failed_logins + 1 end`,
        locked_until_ms: sql<number | null>`case when failed_logins + 1 >= ${max} then ${nowMs + lockMs} else locked_until_ms end`,
      })
      .where('id', '=', id)
      .returning(['failed_logins', 'locked_until_ms'])
      .executeTakeFirst();
    return { locked: Boolean(row && row.failed_logins === 0 && row.locked_until_ms !== null && Number(row.locked_until_ms) > nowMs) };
  }

  /**
   * A successful login clears the count only if the account is, at this instant, neither locked
   * nor disabled (one conditional UPDATE): a right password that raced past failures which have
   * locked the account meanwhile is refused. Returns whether the login may proceed.
   */
  async clearFailuresIfUsable(id: number, nowMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('app_user')
      .set({ failed_logins: 0, locked_until_ms: null })
      .where('id', '=', id)
      .where('disabled', '=', 0)
      .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<=', nowMs)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Accepts a TOTP step once: true only if no code of this step or a later one was accepted before. */
  async claimTotpStep(id: number, step: number): Promise<boolean> {
    const r = await this.db
      .updateTable('app_user')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('app_user').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
