// GB/T 28181-2022 details of the cascade (issue 7): a lower platform's SM3 HA1 next to the MD5 one
// (so a lower registering with `algorithm=SM3` can be verified without storing its password), the
// protocol version it declared in `X-GB-Ver` and the digest algorithm it last authenticated with.
// See docs/design/cascade.md and schema.ts for content and units.
import type { Kysely } from 'kysely';

const COLUMNS: Array<[name: string, type: 'varchar(64)' | 'varchar(8)']> = [
  ['ha1_sm3', 'varchar(64)'],
  ['gb_version', 'varchar(8)'],
  ['auth_algorithm', 'varchar(8)'],
];

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    // One ALTER per column: SQLite accepts a single ADD COLUMN per statement. All nullable, so
    // existing rows keep working with MD5 until their password is set again.
    for (const [name, type] of COLUMNS) await db.schema.alterTable('lower_platform').addColumn(name, type).execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    for (const [name] of [...COLUMNS].reverse()) await db.schema.alterTable('lower_platform').dropColumn(name).execute();
  };
}
