// The video wall kept on the server (issue 14 item 1, docs/design/console.md): each user's current
// wall, restored after a reload, a login on another duty PC or a cleared browser; and named wall
// layouts a user saves and recalls, shareable like patrol tours. Units: …_ms = ms since the Unix epoch.
// wall_state: one row per user (user_id = app_user.id, no foreign key: a deleted user's row is
//   harmless and deleted with them by nothing else). layout_tiles: tiles shown (1, 4, 9, 16, 25, 36);
//   cells: JSON array of up to 36 entries, camera id or null (position = tile index, 0-based);
//   tour_id: patrol_tour.id chosen on the wall or null (no foreign key: a deleted tour is simply not
//   found); running: 1 = the tour is paging, 0 = paused; page: 0-based page of the tour shown.
// wall_layout: org_node_id: the node it belongs to (its cameras lie in this subtree; shared, it is
//   seen by users whose scope holds the node; goes with the node); owner_user_id: who saved it;
//   name: unique per owner; layout_tiles and cells as above; shared: 1 = shared, 0 = private.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema
      .createTable('wall_state')
      .addColumn('user_id', 'integer', (c) => c.primaryKey())
      .addColumn('layout_tiles', 'integer', (c) => c.notNull())
      .addColumn('cells', 'varchar(1024)', (c) => c.notNull())
      .addColumn('tour_id', 'integer')
      .addColumn('running', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('page', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await idColumn(db.schema.createTable('wall_layout'), dialect)
      .addColumn('org_node_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('owner_user_id', 'integer', (c) => c.notNull().references('app_user.id'))
      .addColumn('name', 'varchar(64)', (c) => c.notNull())
      .addColumn('layout_tiles', 'integer', (c) => c.notNull())
      .addColumn('cells', 'varchar(1024)', (c) => c.notNull())
      .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('wall_layout_owner_name').on('wall_layout').columns(['owner_user_id', 'name']).unique().execute();
    await db.schema.createIndex('wall_layout_node').on('wall_layout').column('org_node_id').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const t of ['wall_layout', 'wall_state']) await db.schema.dropTable(t).execute();
  };
}
