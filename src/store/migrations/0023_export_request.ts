// Export requests (issue 14 item 6, docs/design/console.md): a patroller without video.export asks
// for an export; a leader or administrator approves or rejects it; on approval the export is made
// for the requester, who downloads it. Units: …_ms = ms since the Unix epoch.
// export_request.requester_user_id / decided_by_user_id: users, no foreign key (history survives a
//   deleted user); requester/decided_by: usernames as they were.
// scope_path: the org path of the site of the cameras (scope filter for deciders, '/1/4/9/').
// camera_ids: JSON array of camera ids; from_ms / to_ms: the range asked for (ms).
// state: pending | approved | rejected; export_id: the export job's uuid once approved.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('export_request'), dialect)
      .addColumn('requester_user_id', 'integer', (c) => c.notNull())
      .addColumn('requester', 'varchar(64)', (c) => c.notNull())
      .addColumn('scope_path', 'varchar(512)', (c) => c.notNull())
      .addColumn('camera_ids', 'varchar(512)', (c) => c.notNull())
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint', (c) => c.notNull())
      .addColumn('purpose', 'varchar(500)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('decided_by_user_id', 'integer')
      .addColumn('decided_by', 'varchar(64)')
      .addColumn('decided_at_ms', 'bigint')
      .addColumn('decision_note', 'varchar(500)')
      .addColumn('export_id', 'varchar(36)')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('export_request_state').on('export_request').columns(['state', 'created_at_ms']).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropTable('export_request').execute();
  };
}
