// Migrating step by step gives the same schema as a fresh install, on both databases; and
// every migration can be undone and redone.
import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import type { Store } from '../../src/store/db.ts';
import { migrationList, migrationProvider } from '../../src/store/migrations/index.ts';
import { DIALECTS, createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';

async function schemaOf(store: Store): Promise<unknown> {
  const tables = await store.db.introspection.getTables();
  return tables
    .filter((t) => !t.name.startsWith('kysely_'))
    .map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ name: c.name, type: c.dataType, nullable: c.isNullable, autoinc: c.isAutoIncrementing, def: c.hasDefaultValue })).sort((a, b) => a.name.localeCompare(b.name)) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const opened: Array<{ db: TestDatabase; store: Store }> = [];
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.store.close();
      await o.db.drop();
    }
  });
  async function fresh() {
    const db = await createTestDatabase(dialect);
    const store = openStore(db);
    opened.push({ db, store });
    return store;
  }

  it('step by step equals fresh install, and down/up round-trips (R-SEC-7 controlled schema changes)', async () => {
    const a = await fresh();
    const ma = new Migrator({ db: a.db, provider: migrationProvider(a.dialect) });
    const names = Object.keys(migrationList(a.dialect));
    for (let i = 0; i < names.length; i++) {
      const r = await ma.migrateUp();
      expect(r.error).toBeUndefined();
      expect(r.results?.[0]?.migrationName).toBe(names[i]);
    }
    const b = await fresh();
    const mb = new Migrator({ db: b.db, provider: migrationProvider(b.dialect) });
    expect((await mb.migrateToLatest()).error).toBeUndefined();
    const schemaA = await schemaOf(a);
    expect(schemaA).toEqual(await schemaOf(b));
    expect((schemaA as unknown[]).length).toBeGreaterThanOrEqual(8);

    // Undo everything, then redo: same schema again.
    for (let i = 0; i < names.length; i++) expect((await ma.migrateDown()).error).toBeUndefined();
    expect(await schemaOf(a)).toEqual([]);
    expect((await ma.migrateToLatest()).error).toBeUndefined();
    expect(await schemaOf(a)).toEqual(schemaA);
  });
});
