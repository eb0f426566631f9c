// Device health history (issue 19 item 2, docs/design/ledger.md "Health history"; R-SEC-2): one row
// per device and period. The sampler writes minute rows (span_ms = 60 000); rows older than the raw
// retention are folded into hour rows (span_ms = 3 600 000) and the minute rows deleted, hour rows
// are deleted after the long retention. Integers only, units in the names: shares in per mille,
// frame rate in hundredths of a frame per second, packet loss as RTP packets lost in the period.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('device_health_sample'), dialect)
      .addColumn('device_id', 'integer', (c) => c.notNull().references('ledger_device.id').onDelete('cascade'))
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('span_ms', 'integer', (c) => c.notNull())
      .addColumn('samples', 'integer', (c) => c.notNull())
      .addColumn('online_permille', 'integer', (c) => c.notNull())
      .addColumn('recording_permille', 'integer', (c) => c.notNull())
      .addColumn('bitrate_kbps', 'integer')
      .addColumn('fps_x100', 'integer')
      .addColumn('lost_packets', 'integer')
      .addColumn('clock_offset_ms', 'integer')
      .execute();
    await db.schema.createIndex('device_health_sample_device').on('device_health_sample').columns(['device_id', 'at_ms']).execute();
    await db.schema.createIndex('device_health_sample_span').on('device_health_sample').columns(['span_ms', 'at_ms']).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropTable('device_health_sample').execute();
  };
}
