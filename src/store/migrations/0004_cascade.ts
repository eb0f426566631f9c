// Cascade (issue 7): lower platforms allowed to register here, their catalogs (remote channels)
// and the alarms they report. See docs/design/cascade.md and schema.ts for units.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('lower_platform'), dialect)
      .addColumn('sip_id', 'varchar(20)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id'))
      .addColumn('ha1', 'varchar(64)', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('online', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('registered_at_ms', 'bigint')
      .addColumn('expires_at_ms', 'bigint')
      .addColumn('last_keepalive_ms', 'bigint')
      .addColumn('contact_host', 'varchar(64)')
      .addColumn('contact_port', 'integer')
      .addColumn('transport', 'varchar(4)')
      .addColumn('catalog_at_ms', 'bigint')
      .addColumn('channel_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await idColumn(db.schema.createTable('remote_channel'), dialect)
      .addColumn('lower_id', 'integer', (c) => c.notNull().references('lower_platform.id'))
      .addColumn('device_id', 'varchar(20)', (c) => c.notNull())
      .addColumn('parent_id', 'varchar(20)')
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('item_kind', 'varchar(8)', (c) => c.notNull())
      .addColumn('status', 'varchar(8)')
      .addColumn('civil_code', 'varchar(12)')
      .addColumn('manufacturer', 'varchar(64)')
      .addColumn('model', 'varchar(64)')
      .addColumn('parental', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('remote_channel_lower_device').on('remote_channel').columns(['lower_id', 'device_id']).unique().execute();
    await db.schema.createIndex('remote_channel_device').on('remote_channel').column('device_id').execute();

    // No foreign key to lower_platform: alarms are history and outlive a deleted lower.
    await idColumn(db.schema.createTable('cascade_alarm'), dialect)
      .addColumn('lower_id', 'integer', (c) => c.notNull())
      .addColumn('device_id', 'varchar(20)', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('method', 'integer', (c) => c.notNull())
      .addColumn('alarm_type', 'integer')
      .addColumn('alarm_at_ms', 'bigint')
      .addColumn('description', 'varchar(256)')
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('cascade_alarm_lower_received').on('cascade_alarm').columns(['lower_id', 'received_at_ms']).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['cascade_alarm', 'remote_channel', 'lower_platform']) await db.schema.dropTable(t).execute();
  };
}
