// Retention and backup (issue 5, second half): evidence holds, retention alarms, backups and their
// per-file items. See docs/design/retention.md and schema.ts for units.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    // No foreign key to camera: a hold is evidence history and outlives a removed camera.
    await idColumn(db.schema.createTable('evidence_hold'), dialect)
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'varchar(500)', (c) => c.notNull())
      .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('released_by', 'varchar(64)')
      .addColumn('released_at_ms', 'bigint')
      .addColumn('release_reason', 'varchar(500)')
      .execute();
    await db.schema.createIndex('evidence_hold_camera').on('evidence_hold').columns(['camera_id', 'released_at_ms']).execute();

    await idColumn(db.schema.createTable('retention_alarm'), dialect)
      .addColumn('kind', 'varchar(32)', (c) => c.notNull())
      .addColumn('raised_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('cleared_at_ms', 'bigint')
      .addColumn('free_bytes', 'bigint', (c) => c.notNull())
      .addColumn('threshold_bytes', 'bigint', (c) => c.notNull())
      .addColumn('detail', 'text')
      .execute();

    await idColumn(db.schema.createTable('backup'), dialect)
      .addColumn('exam_id', 'integer')
      .addColumn('session_id', 'integer')
      .addColumn('camera_ids', 'text')
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint', (c) => c.notNull())
      .addColumn('target', 'varchar(1024)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('total_files', 'integer', (c) => c.notNull())
      .addColumn('total_bytes', 'bigint', (c) => c.notNull())
      .addColumn('scope_path', 'varchar(256)', (c) => c.notNull())
      .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('finished_at_ms', 'bigint')
      .addColumn('verified_at_ms', 'bigint')
      .addColumn('verify_ok', 'integer')
      .addColumn('report', 'text')
      .execute();
    await db.schema.createIndex('backup_session').on('backup').column('session_id').execute();

    await idColumn(db.schema.createTable('backup_item'), dialect)
      .addColumn('backup_id', 'integer', (c) => c.notNull().references('backup.id'))
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('rel_path', 'varchar(256)', (c) => c.notNull())
      .addColumn('start_ms', 'bigint', (c) => c.notNull())
      .addColumn('end_ms', 'bigint', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)')
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('error', 'varchar(512)')
      .addColumn('done_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('backup_item_backup_path').on('backup_item').columns(['backup_id', 'rel_path']).unique().execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['backup_item', 'backup', 'retention_alarm', 'evidence_hold']) await db.schema.dropTable(t).execute();
  };
}
