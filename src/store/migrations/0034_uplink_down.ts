// Answers travelling down the node-to-node channel (issue 18, docs/design/uplink.md "Downward by
// answer"; first user: remote-viewing decisions, docs/design/duty.md "Downward approvals"). The
// upper never connects to a lower; it puts what a lower must learn into `uplink_down`, and hands it
// out, signed with that lower's channel key, in its answer to the lower's next batch.
// - uplink_down (upper side): one row per message; `id` is the down sequence (count) the lower
//   acknowledges; lower_id = lower_platform.id it goes to; origin_code = the 20-digit GB code of the
//   node the message is addressed to (the origin of the item it answers, possibly below that lower:
//   a middle level relays it); one message per (lower, origin, topic, key): decisions are final.
// - uplink_state.down_epoch (lower side): the upper's epoch the acknowledgement refers to (a
//   recreated upper database restarts its ids), varchar(32); null = nothing received yet.
// - uplink_state.down_ack_seq (lower side): last down sequence handled (count).
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('uplink_down'), dialect)
      .addColumn('lower_id', 'integer', (c) => c.notNull())
      .addColumn('origin_code', 'varchar(20)', (c) => c.notNull())
      .addColumn('topic', 'varchar(64)', (c) => c.notNull())
      .addColumn('item_key', 'varchar(200)', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull()) // JSON text
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull()) // written here, ms since epoch
      .execute();
    await db.schema.createIndex('uplink_down_identity').on('uplink_down').columns(['lower_id', 'origin_code', 'topic', 'item_key']).unique().execute();
    await db.schema.alterTable('uplink_state').addColumn('down_epoch', 'varchar(32)').execute();
    await db.schema.alterTable('uplink_state').addColumn('down_ack_seq', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('uplink_state').dropColumn('down_ack_seq').execute();
    await db.schema.alterTable('uplink_state').dropColumn('down_epoch').execute();
    await db.schema.dropTable('uplink_down').execute();
  };
}
