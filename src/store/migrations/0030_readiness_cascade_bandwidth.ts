// Bandwidth measured through the cascade (issue 17 item 4, R-PRE-4; docs/design/readiness.md
// "Bandwidth through the cascade"): an upper node pulls every stream of one lower platform at once
// over GB/T 28181 for a fixed time and keeps what its receiver measured.
// - lower_id: the lower platform measured (its org node gives the scope);
// - achieved_kbps / required_kbps: sum over the streams, kbit/s (required null: unknown);
// - loss_ppm: RTP packets lost by sequence gaps, per million expected; jitter_us: the worst
//   stream's RFC 3550 interarrival jitter, µs (integers: both dialects store them alike);
// - streams_json: per stream {channel, kbps, packets, lost, lossPercent, jitterMs, error}.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';
import { idColumn } from '../dialect.ts';

export function up(dialect: Dialect) {
  return async (db: Kysely<unknown>): Promise<void> => {
    await idColumn(db.schema.createTable('readiness_cascade_bandwidth'), dialect)
      .addColumn('lower_id', 'integer', (c) => c.notNull().references('lower_platform.id').onDelete('cascade'))
      .addColumn('measured_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('streams', 'integer', (c) => c.notNull())
      .addColumn('channels_total', 'integer', (c) => c.notNull())
      .addColumn('achieved_kbps', 'integer', (c) => c.notNull())
      .addColumn('required_kbps', 'integer')
      .addColumn('loss_ppm', 'integer', (c) => c.notNull())
      .addColumn('jitter_us', 'integer', (c) => c.notNull())
      .addColumn('verdict', 'varchar(8)', (c) => c.notNull())
      .addColumn('rule', 'text', (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('streams_json', 'text', (c) => c.notNull())
      .addColumn('measured_by', 'varchar(64)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('readiness_cascade_bandwidth_lower').on('readiness_cascade_bandwidth').columns(['lower_id', 'measured_at_ms']).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropTable('readiness_cascade_bandwidth').execute();
  };
}
