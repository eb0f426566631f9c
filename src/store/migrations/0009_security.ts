// Security hardening (issue 13, docs/design/security.md): the generated administrator must change
// the password at first login, and a TOTP code is accepted once only (the 30-second step of the
// last accepted code is kept, so replaying it — or an older one — is refused). Units in schema.ts.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    // One ALTER per column: SQLite accepts a single ADD COLUMN per statement.
    /** 0/1: the password was generated (first start) or set by an administrator; change it at next login. */
    await db.schema.alterTable('app_user').addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    /** TOTP time step (Unix seconds / 30, an integer count of 30-s steps) of the last accepted code; null when none. */
    await db.schema.alterTable('app_user').addColumn('totp_last_step', 'bigint').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('app_user').dropColumn('totp_last_step').execute();
    await db.schema.alterTable('app_user').dropColumn('must_change_password').execute();
  };
}
