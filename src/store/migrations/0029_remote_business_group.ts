// Business groups relayed through the cascade (issue 15): a lower's catalog items name their
// business group (GB/T 28181-2016 §9.6 / 2022 Annex O, type 215); the upper keeps it so the
// catalog it gives its own upper carries it too (province ← city ← site).
// business_group_id: the item's <BusinessGroupID> as the lower sent it (20-digit id, no unit);
// null when the lower sent none (2016 peers without business groups).
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('remote_channel').addColumn('business_group_id', 'text').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('remote_channel').dropColumn('business_group_id').execute();
  };
}
