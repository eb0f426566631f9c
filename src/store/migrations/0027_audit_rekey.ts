// Issue 13 (docs/design/security.md, "Audit key rotation" and "Checkpoints checked at the upper"):
// the audit head names the key that chains it, so that a process still holding a retired key
// cannot append after a rotation; the upper keeps, per lower origin, the last audit checkpoint it
// accepted and whether the lower's log went backwards or was rebuilt.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    // key_id: public id (16 hex) of the key chaining the head; null until the first start after the upgrade.
    await db.schema.alterTable('audit_head').addColumn('key_id', 'varchar(16)').execute();

    await db.schema
      .createTable('audit_checkpoint_peer')
      .addColumn('origin_code', 'varchar(20)', (c) => c.primaryKey()) // GB code of the lower org node whose log it is
      .addColumn('scope_path', 'varchar(255)', (c) => c.notNull()) // org path at THIS node (scope filter)
      .addColumn('last_seq', 'bigint', (c) => c.notNull()) // audit record number of the last accepted checkpoint (count)
      .addColumn('last_hash', 'varchar(64)', (c) => c.notNull()) // hex chain hash of that record
      .addColumn('last_at_ms', 'bigint', (c) => c.notNull()) // when the lower made that checkpoint, ms since epoch (its clock)
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull()) // when this node accepted it, ms since epoch
      .addColumn('accepted', 'bigint', (c) => c.notNull()) // checkpoints accepted so far (count)
      .addColumn('problem', 'varchar(16)') // null = consistent; 'rollback' | 'rebuilt' | 'unlinked' | 'invalid'
      .addColumn('problem_detail', 'text') // JSON: what was expected and what came (seq numbers, hashes)
      .addColumn('problem_at_ms', 'bigint') // when the problem was found, ms since epoch
      .execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropTable('audit_checkpoint_peer').execute();
    await db.schema.alterTable('audit_head').dropColumn('key_id').execute();
  };
}
