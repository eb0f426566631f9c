// Opens the database: embedded SQLite (WAL) in the data dir by default, PostgreSQL when a
// postgres:// URL is configured. Runs migrations.
import path from 'node:path';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import type PgModule from 'pg';
import type { Dialect } from './dialect.ts';
import { migrationProvider } from './migrations/index.ts';
import { HonestRollbackSqliteDialect } from './sqlite-dialect.ts';
import { withStatementCache } from './sqlite-statements.ts';
import type { Database } from './schema.ts';

let pgModule: typeof PgModule | undefined;
/**
 * The pg driver, loaded on the first PostgreSQL store: a node on the embedded SQLite never needs it
 * (its ~30 modules cost memory in every process, issue 16). Synchronous (openStore is): pg is CommonJS.
 */
function loadPg(): typeof PgModule {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof PgModule;
    // int8 and numeric come back from pg as strings; every bigint we store is a ms timestamp or a
    // count well inside Number.MAX_SAFE_INTEGER.
    pgModule.types.setTypeParser(20, (v) => Number(v));
  }
  return pgModule;
}

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export function openStore(opts: { dataDir: string; databaseUrl?: string; onError?: (err: Error) => void }): Store {
  if (opts.databaseUrl) {
    const pool = new (loadPg().Pool)({
      connectionString: opts.databaseUrl,
      max: 10,
      application_name: 'xuncha',
      // Nothing waits for the database without bound: a connect (or a wait for a free connection)
      // to a server that does not answer fails after 15 s instead of the OS's ~2 min SYN retries, so
      // the index batch retries, recovery at start fails with a reason, a shutdown finishes.
      connectionTimeoutMillis: 15_000,
      // A server gone without closing the connection (network cut, host down) is found by TCP
      // keepalive instead of never.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // Server side: a session that vanished inside a transaction (a node killed during a network
      // cut) would keep its row locks until the server's own keepalive (hours) and block the next
      // start's recovery; such a session is ended after 60 s, and a statement waits for a lock at
      // most 60 s instead of for ever. Long statements themselves (reports, migrations) are not cut.
      idle_in_transaction_session_timeout: 60_000,
      lock_timeout: 60_000,
    });
    // A connection lost (server restart, network cut) must not kill the process: the pool
    // reconnects on the next query. pg reports the loss as an 'error' event on the client, and an
    // 'error' event nobody listens to ends the process — the pool listens only while the client is
    // idle, so a loss while it was checked out (a query or a transaction in flight, likely on a busy
    // machine) crashed the node at the start of a PostgreSQL outage. Every client gets a listener
    // when it connects: the query in flight fails on its own, and the pool drops the dead client
    // when it is released.
    pool.on('connect', (client) => client.on('error', (err) => opts.onError?.(err)));
    pool.on('error', () => undefined); // idle clients: already reported by the listener above
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
