// Foundation schema: organisation tree, rooms, cameras, users, sessions, audit chain, settings.
// Column units are documented in src/store/schema.ts next to each column.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('org_node'), dialect)
      .addColumn('parent_id', 'integer', (c) => c.references('org_node.id'))
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('gb_code', 'varchar(20)', (c) => c.notNull().unique())
      .addColumn('region_code', 'varchar(6)', (c) => c.notNull())
      .addColumn('path', 'varchar(512)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('org_node_path').on('org_node').column('path').execute();
    await db.schema.createIndex('org_node_parent_name').on('org_node').columns(['parent_id', 'name']).unique().execute();

    await idColumn(db.schema.createTable('room'), dialect)
      .addColumn('site_id', 'integer', (c) => c.notNull().references('org_node.id'))
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('seats', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('gb_code', 'varchar(20)', (c) => c.notNull().unique())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('room_site_name').on('room').columns(['site_id', 'name']).unique().execute();

    await idColumn(db.schema.createTable('camera'), dialect)
      .addColumn('room_id', 'integer', (c) => c.notNull().references('room.id'))
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('position', 'varchar(16)', (c) => c.notNull())
      .addColumn('source_kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('gb_code', 'varchar(20)', (c) => c.notNull().unique())
      .addColumn('main_stream', 'varchar(512)', (c) => c.notNull())
      .addColumn('sub_stream', 'varchar(512)', (c) => c.notNull())
      .addColumn('network_enc', 'text')
      .addColumn('has_credentials', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('camera_room_name').on('camera').columns(['room_id', 'name']).unique().execute();

    await idColumn(db.schema.createTable('app_user'), dialect)
      .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('display_name', 'varchar(128)', (c) => c.notNull())
      .addColumn('password_hash', 'varchar(256)', (c) => c.notNull())
      .addColumn('role', 'varchar(16)', (c) => c.notNull())
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id'))
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_until_ms', 'bigint')
      .addColumn('totp_secret_enc', 'text')
      .addColumn('totp_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('password_changed_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('user_session')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id'))
      .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('ip', 'varchar(64)', (c) => c.notNull())
      .addColumn('workstation', 'varchar(128)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('user_session_user').on('user_session').column('user_id').execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'integer')
      .addColumn('username', 'varchar(64)', (c) => c.notNull())
      .addColumn('role', 'varchar(16)', (c) => c.notNull())
      .addColumn('ip', 'varchar(64)', (c) => c.notNull())
      .addColumn('workstation', 'varchar(128)', (c) => c.notNull())
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('object_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('object_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('outcome', 'varchar(8)', (c) => c.notNull())
      .addColumn('scope_path', 'varchar(512)', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at_ms').execute();
    await db.schema.createIndex('audit_log_user').on('audit_log').columns(['username', 'at_ms']).execute();

    await db.schema
      .createTable('audit_head')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'varchar(64)', (c) => c.notNull())
      .execute();
    await sql`insert into audit_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);

    await db.schema
      .createTable('setting')
      .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['setting', 'audit_head', 'audit_log', 'user_session', 'app_user', 'camera', 'room', 'org_node']) {
      await db.schema.dropTable(t).execute();
    }
  };
}
