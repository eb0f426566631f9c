// Exams (issue 5): exams, sessions, participating sites/rooms, required room windows, per-site
// window defaults and alarms. Units are in column names; see docs/design/exams.md and schema.ts.
// Rooms, sites and cameras are referenced by id without foreign keys: windows and alarms are
// history, and deleting a device elsewhere must not fail on them.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('exam'), dialect)
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('owner_node_id', 'integer', (c) => c.notNull())
      .addColumn('retention_days', 'integer', (c) => c.notNull().defaultTo(180))
      .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('exam_owner').on('exam').column('owner_node_id').execute();

    await db.schema
      .createTable('exam_site')
      .addColumn('exam_id', 'integer', (c) => c.notNull().references('exam.id'))
      .addColumn('site_id', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('exam_site_pk', ['exam_id', 'site_id'])
      .execute();
    await db.schema.createIndex('exam_site_site').on('exam_site').column('site_id').execute();

    await db.schema
      .createTable('exam_room')
      .addColumn('exam_id', 'integer', (c) => c.notNull().references('exam.id'))
      .addColumn('room_id', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('exam_room_pk', ['exam_id', 'room_id'])
      .execute();

    await idColumn(db.schema.createTable('exam_session'), dialect)
      .addColumn('exam_id', 'integer', (c) => c.notNull().references('exam.id'))
      .addColumn('subject', 'varchar(64)', (c) => c.notNull())
      .addColumn('start_ms', 'bigint', (c) => c.notNull())
      .addColumn('end_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('exam_session_exam_start').on('exam_session').columns(['exam_id', 'start_ms']).execute();

    await idColumn(db.schema.createTable('room_window'), dialect)
      .addColumn('session_id', 'integer', (c) => c.notNull().references('exam_session.id'))
      .addColumn('room_id', 'integer', (c) => c.notNull())
      .addColumn('kind', 'varchar(8)', (c) => c.notNull())
      .addColumn('start_ms', 'bigint', (c) => c.notNull())
      .addColumn('end_ms', 'bigint', (c) => c.notNull())
      .addColumn('start_source', 'varchar(8)', (c) => c.notNull())
      .addColumn('end_source', 'varchar(8)', (c) => c.notNull())
      .addColumn('sealed_by', 'varchar(64)')
      .addColumn('sealed_at_ms', 'bigint')
      .addColumn('edited_by', 'varchar(64)')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('room_window_session_room').on('room_window').columns(['session_id', 'room_id']).unique().execute();
    await db.schema.createIndex('room_window_room_end').on('room_window').columns(['room_id', 'end_ms']).execute();

    await db.schema
      .createTable('exam_site_setting')
      .addColumn('site_id', 'integer', (c) => c.primaryKey())
      .addColumn('exam_lead_min', 'integer', (c) => c.notNull())
      .addColumn('exam_trail_min', 'integer', (c) => c.notNull())
      .addColumn('custody_lead_min', 'integer', (c) => c.notNull())
      .addColumn('custody_trail_min', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await idColumn(db.schema.createTable('alarm'), dialect)
      .addColumn('kind', 'varchar(32)', (c) => c.notNull())
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('room_id', 'integer', (c) => c.notNull())
      .addColumn('site_id', 'integer', (c) => c.notNull())
      .addColumn('session_id', 'integer')
      .addColumn('raised_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('gap_start_ms', 'bigint')
      .addColumn('gap_end_ms', 'bigint')
      .addColumn('cleared_at_ms', 'bigint')
      .addColumn('reason', 'varchar(64)', (c) => c.notNull())
      .addColumn('detail', 'varchar(512)')
      .addColumn('acknowledged_by', 'varchar(64)')
      .addColumn('acknowledged_at_ms', 'bigint')
      .execute();
    await db.schema.createIndex('alarm_camera_open').on('alarm').columns(['camera_id', 'kind', 'cleared_at_ms']).execute();
    await db.schema.createIndex('alarm_site_raised').on('alarm').columns(['site_id', 'raised_at_ms']).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['alarm', 'exam_site_setting', 'room_window', 'exam_session', 'exam_room', 'exam_site', 'exam']) await db.schema.dropTable(t).execute();
  };
}
