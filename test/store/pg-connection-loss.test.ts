// A PostgreSQL outage must not end the process (issue 12, R-REC-4: the recorder keeps writing
// files through a database outage and the index catches up after it). pg reports a lost connection
// as an 'error' event on the client; while the client was checked out (a transaction in flight,
// common on a busy machine) nobody listened and the node crashed at the start of the outage — the
// cause of test/recording/crash-kill.e2e.test.ts hanging until its 400 s timeout in CI.
// The outage is a TCP proxy in front of this test's own database; the shared server is not touched.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import type { Store } from '../../src/store/db.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { PgProxy, freePort } from '../helpers/pg-proxy.ts';

describe('PostgreSQL connection lost while in use', () => {
  let db: TestDatabase;
  let proxy: PgProxy;
  let store: Store;
  const reported: Error[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const target = new URL(db.databaseUrl!);
    proxy = new PgProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    store = openStore({ dataDir: db.dataDir, databaseUrl: PgProxy.via(db.databaseUrl!, proxy.port), onError: (err) => reported.push(err) });
  });
  afterAll(async () => {
    await store.close();
    await proxy.cut();
    await db.drop();
  });

  it('fails the transaction in flight, reports the loss, does not end the process, and works again when the database is back (R-REC-4)', async () => {
    // Checked out, between two statements of a transaction, when the connection goes.
    const tx = store.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await proxy.cut();
      await new Promise((r) => setTimeout(r, 200));
      await sql`select 2`.execute(trx);
    });
    await expect(tx).rejects.toThrow();
    await expect.poll(() => reported.length).toBeGreaterThan(0);
    expect(reported[0].message).toMatch(/terminated/i);
    // Down: a query fails with a reason, it does not hang.
    await expect(sql`select 3`.execute(store.db)).rejects.toThrow();
    await proxy.open();
    const { rows } = await sql<{ n: number }>`select 4 as n`.execute(store.db);
    expect(rows[0].n).toBe(4);
    // The sessions carry the server-side bounds (a vanished session's locks do not outlive 60 s).
    const { rows: t } = await sql<{ i: string; l: string }>`select current_setting('idle_in_transaction_session_timeout') as i, current_setting('lock_timeout') as l`.execute(store.db);
    expect(t[0]).toEqual({ i: '1min', l: '1min' });
  });
});
