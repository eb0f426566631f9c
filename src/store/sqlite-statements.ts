// Prepared statements kept by SQL text for kysely's SQLite driver, which prepares every query anew:
// better-sqlite3's prepare (SQLite parse and plan) was 10 % of the upper platform's CPU in
// `bench:sip` (docs/benchmarks.md). Kysely's SQL texts carry `?` placeholders, so a few hundred
// texts cover the application; the cache is bounded (least recently used first out) for the rest
// (IN lists of varying length). A statement still iterating (a streamed select) is busy and
// cannot run again: the caller then gets a fresh one. SQLite re-prepares a cached statement by
// itself after a schema change (sqlite3_prepare_v2).
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

export const MAX_CACHED_STATEMENTS = 500;

export function withStatementCache(db: BetterSqlite3.Database, max = MAX_CACHED_STATEMENTS): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        cache.delete(sql); // most recently used goes last
        cache.set(sql, cached);
        return cached as unknown as SqliteStatement;
      }
      const fresh = db.prepare(sql);
      if (!cached) {
        cache.set(sql, fresh);
        if (cache.size > max) cache.delete(cache.keys().next().value!);
      }
      return fresh as unknown as SqliteStatement;
    },
  };
}
