// Readiness bandwidth (issue 17, R-PRE-4; docs/design/readiness.md "Bandwidth"):
// - readiness_result.measured_kbps: the camera's main-stream bitrate measured by the probe, kbit/s
//   (on the `profile` row; null on other probes and on rows written before this migration);
// - readiness_site_uplink: per site, the capacity of its link upward, kbit/s, as entered by an
//   administrator (who and when); the site's verdict compares it with the sum of its cameras'
//   measured bitrates.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('readiness_result').addColumn('measured_kbps', 'integer').execute();
    await idColumn(db.schema.createTable('readiness_site_uplink'), dialect)
      .addColumn('site_id', 'integer', (c) => c.notNull().references('org_node.id').onDelete('cascade'))
      .addColumn('capacity_kbps', 'integer', (c) => c.notNull())
      .addColumn('updated_by', 'varchar(64)', (c) => c.notNull())
      .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('readiness_site_uplink_site').on('readiness_site_uplink').column('site_id').unique().execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropTable('readiness_site_uplink').execute();
    await db.schema.alterTable('readiness_result').dropColumn('measured_kbps').execute();
  };
}
