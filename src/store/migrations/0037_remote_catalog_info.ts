// Catalog <Info> relayed through the cascade (issue 15): a lower's catalog items carry camera
// attributes in <Info> (GB/T 28181-2016 PTZType, RoomType, Resolution…, 2022 additions such as
// StreamNumberList, PointType, ManagementUnit); the upper keeps them so it can show them and
// give them to its own upper unchanged (province ← city ← site).
// info_json: JSON object of the item's well-formed Info fields as text (field name → value as
// sent, no units beyond the standard's own codes); null when the lower sent none.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('remote_channel').addColumn('info_json', 'text').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('remote_channel').dropColumn('info_json').execute();
  };
}
