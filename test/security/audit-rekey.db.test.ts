// Issue 13 item 3, key handling (R-ACC-1, R-SEC-7): the audit key can be rotated without breaking
// verification of the records chained before — with the new key alone — and a retired key that
// leaks later cannot be used to rewrite those records unnoticed. A process still holding the
// retired key cannot append after the rotation; a node started with a changed key is told to
// rotate instead of silently breaking the chain.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditKeyMismatchError, AuditService } from '../../src/audit/audit-service.ts';
import { chainHash, headMac } from '../../src/audit/chain.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

// One app per database (an app start costs seconds): the steps run in order on one chain, each
// putting back what it damaged.
describe.each(DIALECTS)('audit key rotation on %s (R-ACC-1, R-SEC-7)', (dialect) => {
  let t: TestApp;
  const oldKey = () => t.app.keys.audit;
  const newKey = randomBytes(32);
  const event = (action: string, i: number) => ({ action, objectType: 'thing', objectId: i });
  let withNew: AuditService;
  let rotatedAt = 0;
  beforeAll(async () => {
    t = await createTestApp(dialect, { sample: false });
    for (let i = 0; i < 20; i++) await t.app.audit.record(SYSTEM_ACTOR, event('test.before', i));
    withNew = new AuditService(t.app.store, newKey, t.app.clock);
  });
  afterAll(() => t.close());
  const db = () => t.app.store.db;
  const rowsBefore = (seq: number) => db().selectFrom('audit_log').selectAll().where('seq', '<', seq).orderBy('seq').execute();
  const restore = async (rows: Awaited<ReturnType<typeof rowsBefore>>) => {
    for (const row of rows) await db().updateTable('audit_log').set({ username: row.username, detail: row.detail, prev_hash: row.prev_hash, hash: row.hash }).where('seq', '=', row.seq).execute();
  };

  it('refuses to rotate from a key that does not chain the head', async () => {
    await expect(withNew.rekey(randomBytes(32))).rejects.toThrow(/not chained with the old key/);
    await expect(withNew.rekey(newKey)).rejects.toThrow(/same/);
    // The head is unchanged (no half rotation).
    const head = await db().selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    expect(head.key_id).toBe(t.app.audit.keyId);
    expect(head.head_mac).toBe(headMac(oldKey(), Number(head.seq), head.hash));
  });

  it('a node started with a new key is refused until the chain is rotated; after that the new key alone verifies old and new records', async () => {
    expect(await t.app.audit.checkKey()).toEqual({ action: 'none' });
    expect(await withNew.checkKey()).toMatchObject({ action: 'mismatch', headKeyId: t.app.audit.keyId, ownKeyId: withNew.keyId });
    expect((await withNew.verify()).ok).toBe(false);
    const head = Number((await db().selectFrom('audit_head').select('seq').executeTakeFirstOrThrow()).seq);
    const cpBefore = await t.app.audit.checkpoint();

    const r = await withNew.rekey(oldKey());
    rotatedAt = r.seq;
    expect(r).toMatchObject({ fromKeyId: t.app.audit.keyId, toKeyId: withNew.keyId, seq: head + 1, priorChain: 'intact' });
    expect(await withNew.checkKey()).toEqual({ action: 'none' });
    for (let i = 0; i < 5; i++) await withNew.record(SYSTEM_ACTOR, event('test.after', i));
    expect(await withNew.verify()).toEqual({ ok: true, checked: head + 6 });
    // The rotation is itself an audit record (shown in the console as 审计密钥轮换).
    const rekey = await db().selectFrom('audit_log').selectAll().where('seq', '=', head + 1).executeTakeFirstOrThrow();
    expect(rekey).toMatchObject({ action: 'audit.rekey', object_type: 'audit_key', object_id: withNew.keyId });

    // The process that still holds the retired key cannot append (the chain would break) and cannot verify the new part.
    await expect(t.app.audit.record(SYSTEM_ACTOR, event('test.stale', 0))).rejects.toThrow(AuditKeyMismatchError);
    expect(await t.app.audit.verify()).toMatchObject({ ok: false, firstBadSeq: head + 1 });

    // Checkpoints the upper level kept from before the rotation still count while the retired key is held, and are foreign without it.
    const cpAfter = await withNew.checkpoint();
    expect(await new AuditService(t.app.store, newKey, t.app.clock, [oldKey()]).verifyAgainst([cpBefore, cpAfter])).toMatchObject({ ok: true, checkpoints: 2, foreign: 0 });
    expect(await withNew.verifyAgainst([cpBefore, cpAfter])).toMatchObject({ ok: true, checkpoints: 1, foreign: 1 });
  });

  it('a record before the rotation altered afterwards is found with the new key alone, and named exactly when the retired key is held', async () => {
    const saved = await rowsBefore(rotatedAt);
    await sql`update audit_log set username = 'someone-else' where seq = 5`.execute(db());
    expect(await withNew.verify()).toMatchObject({ ok: false, reason: expect.stringContaining('changed since the audit key was rotated') });
    expect(await new AuditService(t.app.store, newKey, t.app.clock, [oldKey()]).verify()).toMatchObject({ ok: false, firstBadSeq: 5, reason: 'record 5 was altered' });
    await restore(saved);
    expect((await withNew.verify()).ok).toBe(true);
  });

  it('a retired key that leaks cannot rewrite the records it chained: the re-chained part no longer matches the sealed digest', async () => {
    const r = { seq: rotatedAt };
    const saved = await rowsBefore(r.seq + 1);
    // The attacker holds the old key and the database: rewrites record 5 and re-chains 5..(rotation-1) with the old key.
    const rows = await db().selectFrom('audit_log').selectAll().where('seq', '<', r.seq).orderBy('seq').execute();
    let prev = rows[3].hash;
    for (const row of rows.slice(4)) {
      const fields = { ...row, seq: Number(row.seq), at_ms: Number(row.at_ms), user_id: row.user_id === null ? null : Number(row.user_id), detail: Number(row.seq) === 5 ? '{"forged":true}' : row.detail };
      const { prev_hash: _p, hash: _h, ...plain } = fields;
      const hash = chainHash(oldKey(), prev, plain);
      await db().updateTable('audit_log').set({ detail: plain.detail, prev_hash: prev, hash }).where('seq', '=', plain.seq).execute();
      prev = hash;
    }
    // The rotation record links to the old last hash: relink it too (the attacker cannot recompute its hash without the new key).
    await db().updateTable('audit_log').set({ prev_hash: prev }).where('seq', '=', r.seq).execute();
    const result = await new AuditService(t.app.store, newKey, t.app.clock, [oldKey()]).verify();
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(r.seq);
    await restore(saved);
    expect((await withNew.verify()).ok).toBe(true);
  });

  it('a chain broken before a rotation is sealed as it is and stays reported', async () => {
    // A record chained with the second key is altered; then the second key is rotated to a third.
    const bad = rotatedAt + 2;
    await sql`update audit_log set username = 'someone-else' where seq = ${bad}`.execute(db());
    const third = new AuditService(t.app.store, randomBytes(32), t.app.clock);
    const r = await third.rekey(newKey);
    expect(r.priorChain).toMatchObject({ firstBadSeq: bad });
    // The third key alone: the earlier parts are sealed by the digests, and the fault found at the rotation stays reported.
    expect(await third.verify()).toMatchObject({ ok: false, firstBadSeq: bad, reason: expect.stringContaining('found when the audit key was rotated') });
  });

});
