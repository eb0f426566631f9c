// Recording index: runs (one camera connection), files (fMP4) with their fragment index,
// schedules, and the garbage list. Units are in column names; see docs/design/recording.md and
// src/store/schema.ts.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { blobType, idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('camera').addColumn('recording_mode', 'varchar(16)', (c) => c.notNull().defaultTo('continuous')).execute();

    await idColumn(db.schema.createTable('recording_run'), dialect)
      .addColumn('camera_id', 'integer', (c) => c.notNull().references('camera.id'))
      .addColumn('stream', 'varchar(8)', (c) => c.notNull())
      .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('duration_90k', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('ended_at_ms', 'bigint')
      .addColumn('end_reason', 'varchar(32)')
      .addColumn('end_detail', 'varchar(512)')
      .addColumn('video_codec', 'varchar(8)', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('rfc6381', 'varchar(64)', (c) => c.notNull())
      .addColumn('audio_codec', 'varchar(8)')
      .addColumn('clock_offset_ms', 'integer')
      .addColumn('frame_count', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('recording_run_camera_start').on('recording_run').columns(['camera_id', 'started_at_ms']).execute();

    await idColumn(db.schema.createTable('recording_file'), dialect)
      .addColumn('run_id', 'integer', (c) => c.notNull().references('recording_run.id'))
      .addColumn('camera_id', 'integer', (c) => c.notNull())
      .addColumn('rel_path', 'varchar(256)', (c) => c.notNull().unique())
      .addColumn('start_ms', 'bigint', (c) => c.notNull())
      .addColumn('end_ms', 'bigint', (c) => c.notNull())
      .addColumn('start_90k', 'bigint', (c) => c.notNull())
      .addColumn('duration_90k', 'bigint', (c) => c.notNull())
      .addColumn('init_bytes', 'integer', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('frame_count', 'integer', (c) => c.notNull())
      .addColumn('fragment_index', blobType(dialect), (c) => c.notNull())
      .addColumn('status', 'varchar(8)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('recording_file_camera_start').on('recording_file').columns(['camera_id', 'start_ms']).execute();
    await db.schema.createIndex('recording_file_camera_end').on('recording_file').columns(['camera_id', 'end_ms']).execute();
    await db.schema.createIndex('recording_file_status').on('recording_file').column('status').execute();

    await idColumn(db.schema.createTable('recording_schedule'), dialect)
      .addColumn('camera_id', 'integer', (c) => c.notNull().references('camera.id'))
      .addColumn('start_ms', 'bigint', (c) => c.notNull())
      .addColumn('end_ms', 'bigint', (c) => c.notNull())
      .addColumn('reason', 'varchar(128)', (c) => c.notNull())
      .addColumn('created_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('recording_schedule_camera').on('recording_schedule').columns(['camera_id', 'end_ms']).execute();

    await idColumn(db.schema.createTable('garbage'), dialect)
      .addColumn('rel_path', 'varchar(256)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['garbage', 'recording_schedule', 'recording_file', 'recording_run']) await db.schema.dropTable(t).execute();
    await db.schema.alterTable('camera').dropColumn('recording_mode').execute();
  };
}
