// Console of issue 14: an acknowledged alarm keeps the disposition (处置意见) its acknowledger wrote.
// alarm.disposition: free text (≤ 500 characters), null for alarms acknowledged before this
// migration or not yet acknowledged.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('alarm').addColumn('disposition', 'varchar(500)').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('alarm').dropColumn('disposition').execute();
  };
}
