// Equipment ledger, fault tickets and training records (issue 19, docs/design/ledger.md; R-SEC-1/2,
// R-FLT-1, R-PRE-1). Units are in the column names (…_ms = ms since epoch) and in
// src/store/schema.ts. Devices and tickets belong to an org node (their scope); a camera's ledger
// row links to it by camera_id without a foreign key (the ledger keeps history when a camera goes).
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('ledger_device'), dialect)
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('room_id', 'integer')
      .addColumn('device_class', 'varchar(16)', (c) => c.notNull())
      .addColumn('code', 'varchar(32)', (c) => c.notNull())
      .addColumn('name', 'varchar(128)', (c) => c.notNull())
      .addColumn('model', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('serial', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('firmware', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('installed_on_ms', 'bigint')
      .addColumn('warranty_until_ms', 'bigint')
      .addColumn('responsible_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
      .addColumn('responsible_phone', 'varchar(32)', (c) => c.notNull().defaultTo(''))
      .addColumn('camera_id', 'integer')
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ledger_device_code').on('ledger_device').columns(['org_node_id', 'code']).unique().execute();
    await db.schema.createIndex('ledger_device_camera').on('ledger_device').column('camera_id').unique().execute();

    await idColumn(db.schema.createTable('fault_ticket'), dialect)
      .addColumn('device_id', 'integer', (c) => c.notNull().references('ledger_device.id').onDelete('cascade'))
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('origin', 'varchar(8)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('summary', 'varchar(512)', (c) => c.notNull())
      .addColumn('opened_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('opened_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('acknowledged_at_ms', 'bigint')
      .addColumn('repairing_at_ms', 'bigint')
      .addColumn('repaired_at_ms', 'bigint')
      .addColumn('verified_at_ms', 'bigint')
      .addColumn('fault_count', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('last_fault_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('healthy_since_ms', 'bigint')
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('fault_ticket_device').on('fault_ticket').columns(['device_id', 'kind', 'state']).execute();
    await db.schema.createIndex('fault_ticket_node').on('fault_ticket').columns(['org_node_id', 'state']).execute();

    await idColumn(db.schema.createTable('fault_ticket_event'), dialect)
      .addColumn('ticket_id', 'integer', (c) => c.notNull().references('fault_ticket.id').onDelete('cascade'))
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'varchar(64)', (c) => c.notNull())
      .addColumn('action', 'varchar(32)', (c) => c.notNull())
      .addColumn('from_state', 'varchar(16)')
      .addColumn('to_state', 'varchar(16)', (c) => c.notNull())
      .addColumn('note', 'varchar(512)')
      .execute();
    await db.schema.createIndex('fault_ticket_event_ticket').on('fault_ticket_event').columns(['ticket_id', 'at_ms']).execute();

    await idColumn(db.schema.createTable('training_record'), dialect)
      .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
      .addColumn('course', 'varchar(128)', (c) => c.notNull())
      .addColumn('trained_on_ms', 'bigint', (c) => c.notNull())
      .addColumn('certificate', 'varchar(128)', (c) => c.notNull().defaultTo(''))
      .addColumn('certified_until_ms', 'bigint')
      .addColumn('recorded_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('training_record_user').on('training_record').column('user_id').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['training_record', 'fault_ticket_event', 'fault_ticket', 'ledger_device']) await db.schema.dropTable(t).execute();
  };
}
