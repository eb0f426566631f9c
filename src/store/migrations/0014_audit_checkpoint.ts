// Issue 13 item 3 (docs/design/security.md, "Audit head MAC and checkpoints"): the audit head
// carries an HMAC so that moving it back after deleting the last records is detectable.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    // head_mac: hex HMAC-SHA256(auditKey, "head|" seq "|" hash), 64 characters; null until the first append after the upgrade.
    await db.schema.alterTable('audit_head').addColumn('head_mac', 'varchar(64)').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('audit_head').dropColumn('head_mac').execute();
  };
}
