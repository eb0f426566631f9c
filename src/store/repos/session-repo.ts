// Login sessions, looked up by the SHA-256 of the cookie token.
import type { Kysely } from 'kysely';
import type { Database, SessionTable } from '../schema.ts';

export class SessionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: SessionTable): Promise<void> {
    await this.db.insertInto('user_session').values(row).execute();
  }

  get(id: string): Promise<SessionTable | undefined> {
    return this.db.selectFrom('user_session').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async touch(id: string, nowMs: number): Promise<void> {
    await this.db.updateTable('user_session').set({ last_seen_at_ms: nowMs }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('user_session').where('id', '=', id).execute();
  }

  /** Ends every session of a user (but `exceptId`); returns the ids ended, so media paths can close at once. */
  async deleteForUser(userId: number, exceptId?: string): Promise<string[]> {
    let q = this.db.deleteFrom('user_session').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '!=', exceptId);
    return (await q.returning('id').execute()).map((r) => r.id);
  }

  async deleteExpired(nowMs: number, idleMs: number): Promise<string[]> {
    const rows = await this.db
      .deleteFrom('user_session')
      .where((eb) => eb.or([eb('expires_at_ms', '<=', nowMs), eb('last_seen_at_ms', '<=', nowMs - idleMs)]))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }
}
