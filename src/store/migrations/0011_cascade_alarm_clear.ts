// Faults reported upward clear there too (issue 15 defect 6, R-FLT-1): a stored cascade alarm is
// closed when the device it names is reported ON again (catalog event or catalog answer) or, for
// the upper's own "lower platform offline" record, when the lower registers again.
// cleared_at_ms: epoch milliseconds of that report at this node; null while the fault stands.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('cascade_alarm').addColumn('cleared_at_ms', 'bigint').execute();
    await db.schema.createIndex('cascade_alarm_open_device').on('cascade_alarm').columns(['lower_id', 'device_id', 'cleared_at_ms']).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropIndex('cascade_alarm_open_device').execute();
    await db.schema.alterTable('cascade_alarm').dropColumn('cleared_at_ms').execute();
  };
}
