// The SQLite statement cache under kysely (src/store/sqlite-statements.ts): a query prepared once
// runs again without preparing; a statement still iterating is not handed out twice; the cache
// stays bounded; a schema change does not break a cached statement.
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/sqlite-statements.ts';

interface Db { t: { id: number; name: string } }

function open(max?: number) {
  const raw = new SqliteDatabase(':memory:');
  let prepares = 0;
  const prepare = raw.prepare.bind(raw);
  raw.prepare = ((sql: string) => (prepares++, prepare(sql))) as typeof raw.prepare;
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(raw, max) }) });
  return { db, prepares: () => prepares };
}

describe('SQLite statement cache', () => {
  it('prepares a query once, however often it runs', async () => {
    const { db, prepares } = open();
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    const before = prepares();
    for (let i = 0; i < 50; i++) await db.insertInto('t').values({ id: i, name: `n${i}` }).execute();
    for (let i = 0; i < 50; i++) expect((await db.selectFrom('t').selectAll().where('id', '=', i).executeTakeFirst())?.name).toBe(`n${i}`);
    expect(prepares() - before).toBe(2);
    await db.destroy();
  });

  it('a statement still iterating is not handed out again; the cache stays bounded', async () => {
    // Kysely's SQLite driver runs one query at a time, so this is the cache's own guard.
    const raw = new SqliteDatabase(':memory:');
    raw.exec("create table t (id integer primary key, name text); insert into t values (1, 'a'), (2, 'b')");
    const cache = withStatementCache(raw, 3);
    const sql = 'select name from t order by id';
    const iter = cache.prepare(sql).iterate([]);
    expect((iter.next().value as { name: string }).name).toBe('a');
    expect(cache.prepare(sql).all([])).toEqual([{ name: 'a' }, { name: 'b' }]); // the first is busy
    expect((iter.next().value as { name: string }).name).toBe('b');
    iter.return?.();

    const { db, prepares } = open(3);
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    await db.insertInto('t').values([{ id: 1, name: 'a' }, { id: 2, name: 'b' }]).execute();
    // More distinct texts than the bound: all run; an evicted one is prepared again.
    for (let i = 0; i < 10; i++) expect(await db.selectFrom('t').select('id').where('id', 'in', Array.from({ length: i + 1 }, (_, k) => k)).execute()).toHaveLength(Math.min(i, 2));
    const afterTen = prepares();
    await db.selectFrom('t').select('id').where('id', 'in', [0]).execute();
    expect(prepares()).toBe(afterTen + 1);
    await db.destroy();
    raw.close();
  });

  it('a cached statement survives a schema change', async () => {
    const { db } = open();
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
    const q = db.selectFrom('t').selectAll().where('id', '=', 1);
    expect(await q.executeTakeFirst()).toEqual({ id: 1, name: 'a' });
    await db.schema.alterTable('t').addColumn('extra', 'integer').execute();
    expect(await q.executeTakeFirst()).toEqual({ id: 1, name: 'a', extra: null });
    await db.destroy();
  });
});
