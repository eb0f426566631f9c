// Runs one suite against both databases (hono/immich style). PostgreSQL is real: each call gets
// a fresh database on the server named by XUNCHA_TEST_PG, dropped afterwards. No skipping: if the
// server cannot be reached, the suite fails and says why.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Dialect } from '../../src/store/dialect.ts';

export const PG_ADMIN_URL = process.env.XUNCHA_TEST_PG ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  dialect: Dialect;
  dataDir: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at ${PG_ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} cannot be reached (${(err as Error).message}); the test command starts one (scripts/ensure-system.sh)`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `xuncha-${dialect}-`));
  if (dialect === 'sqlite') return { dialect, dataDir, drop: () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })) };
  const name = `xuncha_t_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    dataDir,
    databaseUrl: url.toString(),
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];
