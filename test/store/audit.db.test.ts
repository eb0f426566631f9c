// The audit hash chain on both databases: intact chains verify; an altered, removed, inserted or
// truncated record is found and named (R-ACC-1, R-SEC-7).
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe.each(DIALECTS)('audit chain on %s', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(dialect, { sample: false });
    for (let i = 0; i < 20; i++) await t.app.audit.record(SYSTEM_ACTOR, { action: 'test.event', objectType: 'thing', objectId: i, detail: { i, text: '考场' } });
  });
  afterEach(() => t.close());

  const db = () => t.app.store.db;

  it('verifies an intact chain, written by concurrent writers without forks', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => t.app.audit.record(SYSTEM_ACTOR, { action: 'test.concurrent', objectType: 'thing', objectId: i })));
    const r = await t.app.audit.verify();
    expect(r).toEqual({ ok: true, checked: 32 });
  });

  it('names an altered record', async () => {
    await sql`update audit_log set detail = ${'{"i":7,"text":"forged"}'} where seq = 9`.execute(db());
    expect(await t.app.audit.verify()).toMatchObject({ ok: false, firstBadSeq: 9, reason: expect.stringContaining('altered') });
  });

  it('names a removed record', async () => {
    await sql`delete from audit_log where seq = 5`.execute(db());
    expect(await t.app.audit.verify()).toMatchObject({ ok: false, firstBadSeq: 5, reason: expect.stringContaining('missing') });
  });

  it('names an inserted record even when its fields look right', async () => {
    // Shift records 11.. up by one and insert a forged record 11 linked to record 10's hash.
    await sql`update audit_log set seq = seq + 1000 where seq >= 11`.execute(db());
    await sql`update audit_log set seq = seq - 999 where seq >= 1011`.execute(db());
    const prev = await db().selectFrom('audit_log').select('hash').where('seq', '=', 10).executeTakeFirstOrThrow();
    await db().insertInto('audit_log').values({ seq: 11, at_ms: 1, user_id: null, username: 'x', role: 'admin', ip: '-', workstation: '-', action: 'forged', object_type: 'x', object_id: '1', outcome: 'ok', scope_path: '/', detail: null, prev_hash: prev.hash, hash: 'f'.repeat(64) }).execute();
    expect(await t.app.audit.verify()).toMatchObject({ ok: false, firstBadSeq: 11 });
  });

  it('notices records removed from the end', async () => {
    await sql`delete from audit_log where seq >= 19`.execute(db());
    expect(await t.app.audit.verify()).toMatchObject({ ok: false, firstBadSeq: 19, reason: expect.stringContaining('removed') });
  });

  it('keeps a refusal even when the refused change rolled back', async () => {
    const admin = await t.actor('admin');
    await expect(t.app.org.createNode(admin, { parentId: 999_999, kind: 'city', name: 'nowhere' })).rejects.toThrow(/scope/);
    const { records } = await repos(db()).audit.list({ kind: 'all' }, { action: 'org.create', outcome: 'denied' });
    expect(records).toHaveLength(1);
    expect(records[0].username).toBe('admin');
    expect((await t.app.audit.verify()).ok).toBe(true);
  });
});
