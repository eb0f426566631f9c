// The node-to-node channel ("uplink", docs/design/uplink.md): replicated items (own and received
// from lower levels), the outbox of items still to send to the upper level, this node's sequence
// counter, and per lower platform what it has acknowledged and when it was last heard.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('uplink_item'), dialect)
      .addColumn('origin_code', 'varchar(20)', (c) => c.notNull())
      .addColumn('topic', 'varchar(64)', (c) => c.notNull())
      .addColumn('item_key', 'varchar(200)', (c) => c.notNull())
      .addColumn('body', 'text') // JSON text; null = deleted (kept as a tombstone so an older write cannot resurrect it)
      .addColumn('origin_seq', 'bigint', (c) => c.notNull()) // the origin's sequence number (count, no unit)
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull()) // when the origin wrote it, ms since epoch
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull()) // when this node stored it, ms since epoch
      .addColumn('scope_path', 'varchar(255)', (c) => c.notNull()) // org path at THIS node (scope filter)
      .addColumn('via_lower_id', 'integer') // lower platform it came through; null = this node's own item
      .execute();
    await db.schema.createIndex('uplink_item_identity').on('uplink_item').columns(['origin_code', 'topic', 'item_key']).unique().execute();
    await db.schema.createIndex('uplink_item_topic_scope').on('uplink_item').columns(['topic', 'scope_path']).execute();
    await db.schema.createIndex('uplink_item_seq').on('uplink_item').columns(['via_lower_id', 'origin_seq']).execute();

    await db.schema
      .createTable('uplink_outbox')
      .addColumn('seq', 'bigint', (c) => c.primaryKey()) // hop sequence on the link to our upper (count)
      .addColumn('origin_code', 'varchar(20)', (c) => c.notNull())
      .addColumn('topic', 'varchar(64)', (c) => c.notNull())
      .addColumn('item_key', 'varchar(200)', (c) => c.notNull())
      .addColumn('body', 'text')
      .addColumn('origin_seq', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull()) // origin's write time, ms since epoch
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull()) // queued here, ms since epoch
      .execute();

    // One row (id 1): locked by every publish so sequence order is commit order (no gaps overtaken).
    await db.schema
      .createTable('uplink_state')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull()) // last sequence number handed out (count)
      .addColumn('epoch', 'varchar(32)', (c) => c.notNull()) // random id of this database's counter: an upper resets its watermark when it changes
      .addColumn('upper_url', 'varchar(255)') // upper the outbox was last filled for (a new upper gets a snapshot)
      .execute();
    await sql`insert into uplink_state (id, last_seq, epoch, upper_url) values (1, 0, ${randomEpoch()}, null)`.execute(db);

    await db.schema
      .createTable('uplink_peer')
      .addColumn('lower_id', 'integer', (c) => c.primaryKey()) // lower_platform.id (no FK: history outlives the lower)
      .addColumn('epoch', 'varchar(32)', (c) => c.notNull())
      .addColumn('last_seq', 'bigint', (c) => c.notNull()) // highest hop sequence stored from it (count)
      .addColumn('last_received_at_ms', 'bigint', (c) => c.notNull()) // last accepted batch, ms since epoch
      .addColumn('backlog', 'integer', (c) => c.notNull()) // items it still had queued after that batch (count)
      .addColumn('items_received', 'bigint', (c) => c.notNull()) // items stored from it, total (count)
      .addColumn('relayed_peers', 'text') // JSON: its own lowers' freshness as it reported them
      .execute();
  };
}

function randomEpoch(): string {
  return randomBytes(8).toString('hex');
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['uplink_peer', 'uplink_state', 'uplink_outbox', 'uplink_item']) await db.schema.dropTable(t).execute();
  };
}
