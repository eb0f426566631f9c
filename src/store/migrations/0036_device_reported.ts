// What a device says about itself (issue 19; docs/design/ledger.md "Device facts" and "Conformance
// of replaced devices"): GB/T 28181 DeviceInfo of devices registered directly to this node, and the
// channel count an NVR or encoder must answer with after a replacement (R-CITY-4).
// reported_model: maker + model as the device itself last stated it (no unit); null = never asked
//   or never answered. A different model on the same row is a replaced device.
// reported_channels: Channel of the device's last valid DeviceInfo answer (count of channels).
// reported_at_ms: when that last valid answer came (ms since epoch); null = never.
// expected_channels: channels the device must have (count), typed in the device form or taken from
//   the first DeviceInfo answer while no replacement is pending; null = not known.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('ledger_device').addColumn('reported_model', 'varchar(257)').execute();
    await db.schema.alterTable('ledger_device').addColumn('reported_channels', 'integer').execute();
    await db.schema.alterTable('ledger_device').addColumn('reported_at_ms', 'bigint').execute();
    await db.schema.alterTable('ledger_device').addColumn('expected_channels', 'integer').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const c of ['expected_channels', 'reported_at_ms', 'reported_channels', 'reported_model']) await db.schema.alterTable('ledger_device').dropColumn(c).execute();
  };
}
