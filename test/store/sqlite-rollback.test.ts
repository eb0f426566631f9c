// When SQLite ends a transaction by itself (SQLITE_FULL on a full disk does), the error that did
// it reaches the caller, not Kysely's "cannot rollback - no transaction is active" (issue 12).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';

describe('SQLite transaction errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-rollback-'));
  const store = openStore({ dataDir: dir });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('surfaces the real error when SQLite already rolled the transaction back', async () => {
    const err = await store.db
      .transaction()
      .execute(async (trx) => {
        await sql`create table t (x integer)`.execute(trx);
        // What SQLite does on SQLITE_FULL: the transaction is gone when the error reaches us.
        await sql`rollback`.execute(trx);
        throw new Error('database or disk is full');
      })
      .catch((e: unknown) => e as Error);
    expect(err.message).toBe('database or disk is full');
    // And the connection is usable afterwards.
    expect((await sql<{ n: number }>`select 1 as n`.execute(store.db)).rows[0].n).toBe(1);
  });
});
