// Patrol tours (轮巡, issue 4, R-CITY-2) kept on the server: a tour belongs to an org node (its
// scope) and an owner; its items are ordered rows naming a camera, a room, or every exam room.
// Units are in src/store/schema.ts. Items reference cameras and rooms by id without foreign keys:
// deleting a device must not fail on a tour, and a vanished item simply resolves to nothing. A
// tour goes with its org node (ON DELETE CASCADE): org deletion already refuses nodes that still
// hold rooms, so only tours of an empty node can be swept away.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('patrol_tour'), dialect)
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('owner_user_id', 'integer', (c) => c.notNull().references('app_user.id'))
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('interval_s', 'integer', (c) => c.notNull())
      .addColumn('layout_tiles', 'integer', (c) => c.notNull())
      .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('patrol_tour_node').on('patrol_tour').column('org_node_id').execute();
    await db.schema.createIndex('patrol_tour_owner').on('patrol_tour').columns(['owner_user_id', 'name']).execute();

    await idColumn(db.schema.createTable('patrol_tour_item'), dialect)
      .addColumn('tour_id', 'integer', (c) => c.notNull().references('patrol_tour.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('ref_id', 'integer')
      .execute();
    await db.schema.createIndex('patrol_tour_item_pos').on('patrol_tour_item').columns(['tour_id', 'position']).unique().execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['patrol_tour_item', 'patrol_tour']) await db.schema.dropTable(t).execute();
  };
}
