// Opens the database: embedded SQLite (WAL) in the data dir by default, PostgreSQL when a
// postgres:// URL is configured. Runs migrations.
import path from 'node:path';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import { HonestRollbackSqliteDialect } from './sqlite-dialect.ts';
import { withStatementCache } from './sqlite-statements.ts';
import type { Database } from './schema.ts';

// int8 and numeric come back from pg as strings; every bigint we store is a ms timestamp or a
// count well inside Number.MAX_SAFE_INTEGER.
pg.types.setTypeParser(20, (v) => Number(v));

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export function openStore(opts: { dataDir: string; databaseUrl?: string; onError?: (err: Error) => void }): Store {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // An idle connection dropped by the server (restart, admin) must not kill the process: the
    // pool reconnects on the next query.
    pool.on('error', (err) => opts.onError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = path.join(opts.dataDir, 'xuncha.db');
  // Created 0600 (issue 13): SQLite gives the -wal and -shm files the database file's mode.
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new HonestRollbackSqliteDialect({ database: withStatementCache(sqlite) }, sqlite) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
