// Issue 13 (R-ACC-1, R-SEC-7): the upper level checks the audit checkpoints a site sends over the
// signed node-to-node channel, in process (the city's receiver is called with signed batches, no
// HTTP). A head that goes back (records removed, an older copy restored) and a log rebuilt with
// the key (the record the city holds a checkpoint of has another hash now) are found at the city
// at once, shown in its list in Chinese, audited there, and kept until acknowledged.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditCheckpoint } from '../../src/audit/audit-service.ts';
import { judgeCheckpoint, parseCheckpointBody } from '../../src/audit/checkpoint-watch.ts';
import { CHECKPOINT_TOPIC, checkpointKey } from '../../src/audit/checkpoints.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS, createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { CITY, PASSWORD, SITE, addLower, close, open, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';
import { batchBody, signed } from './signing.ts';

describe.each(DIALECTS)('the city checks the site\'s audit checkpoints on %s (R-ACC-1, R-SEC-7)', (dialect) => {
  const dbs: TestDatabase[] = [];
  let city: Node;
  let site: Node;
  let origin: string;
  let batchSeq = 0;
  beforeAll(async () => {
    dbs.push(await createTestDatabase(dialect), await createTestDatabase('sqlite'));
    city = await open(dbs[0], settingsOf(CITY));
    await addLower(city, SITE.id, '第一中学考点', '鼓楼区');
    site = await open(dbs[1], settingsOf(SITE));
    origin = (await site.app.store.db.selectFrom('org_node').select('gb_code').where('parent_id', 'is', null).executeTakeFirstOrThrow()).gb_code;
  }, 60_000);
  afterAll(async () => {
    await close(site);
    await close(city);
    for (const d of dbs) await d.drop();
  });

  /** What the site's uplink sender would POST: one signed batch with the checkpoint. */
  const send = async (body: AuditCheckpoint | Record<string, unknown>) => {
    batchSeq++;
    const seq = typeof body.seq === 'number' ? body.seq : 0;
    const req = signed(batchBody([{ seq: batchSeq, originCode: origin, originSeq: batchSeq, topic: CHECKPOINT_TOPIC, key: checkpointKey(seq), body: JSON.stringify(body), updatedAtMs: Date.now() }]), { sipId: SITE.id, realm: CITY.domain, password: PASSWORD });
    const res = await city.uplink.receiver.receive({ ip: '127.0.0.1', header: (n) => req.headers[n], body: req.body });
    expect(res.status).toBe(200);
  };
  const view = async () => (await city.uplink.checkpointWatch.list(SYSTEM_ACTOR)).find((p) => p.originCode === origin);
  const events = async (n: number) => { for (let i = 0; i < n; i++) await site.app.audit.record(SYSTEM_ACTOR, { action: 'test.event', objectType: 'thing', objectId: i }); };
  const siteHead = () => site.app.store.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
  const problems = async () => (await repos(city.app.store.db).audit.list({ kind: 'all' }, { action: 'audit.checkpoint.problem' })).records;

  it('consecutive checkpoints that extend each other are accepted', async () => {
    await events(3);
    const a = await site.app.audit.checkpoint(null);
    await send(a);
    await events(4);
    await send(await site.app.audit.checkpoint(a.seq));
    expect(await view()).toMatchObject({ accepted: 2, lastSeq: a.seq + 4, problem: null, nodeName: '鼓楼区' });
  });

  it('a head rolled back to an older copy (with its valid MAC) is found by the city at the next checkpoint', async () => {
    const last = (await view())!.lastSeq;
    const old = await siteHead();
    await events(5);
    const cp = await site.app.audit.checkpoint(last);
    await send(cp);
    // The attacker at the site: deletes the newest records and puts the copied head back; the site's own verify passes.
    await sql`delete from audit_log where seq > ${old.seq}`.execute(site.app.store.db);
    await sql`update audit_head set seq = ${old.seq}, hash = ${old.hash}, head_mac = ${old.head_mac} where id = 1`.execute(site.app.store.db);
    expect((await site.app.audit.verify()).ok).toBe(true);
    await send(await site.app.audit.checkpoint(cp.seq));
    expect(await view()).toMatchObject({ problem: 'rollback', problemText: expect.stringContaining('下级审计日志回退'), problemDetail: { lastSeq: cp.seq, seq: Number(old.seq) } });
    expect(await problems()).toHaveLength(1);
    expect((await problems())[0]).toMatchObject({ outcome: 'error', object_id: origin, username: `lower:${SITE.id}` });
    expect(await city.app.audit.verify()).toMatchObject({ ok: true });
  });

  it('the problem stays until acknowledged, with a note, in the audit log', async () => {
    await events(1);
    await send(await site.app.audit.checkpoint((await view())!.lastSeq));
    expect((await view())!.problem).toBe('rollback');
    const acked = await city.uplink.checkpointWatch.acknowledge(SYSTEM_ACTOR, origin, '已核实：考点恢复了备份');
    expect(acked.problem).toBeNull();
    expect((await repos(city.app.store.db).audit.list({ kind: 'all' }, { action: 'audit.checkpoint.ack' })).records[0]).toMatchObject({ object_id: origin });
  });

  it('a log rebuilt with the key (records replaced, more appended) does not extend the checkpoint the city holds', async () => {
    const last = (await view())!.lastSeq;
    expect(Number((await siteHead()).seq)).toBe(last);
    // Holding the key: remove the last 3 records and append 6 through the service (valid hashes, valid head MAC).
    await sql`delete from audit_log where seq > ${last - 3}`.execute(site.app.store.db);
    const keep = await site.app.store.db.selectFrom('audit_log').select(['seq', 'hash']).where('seq', '=', last - 3).executeTakeFirstOrThrow();
    await sql`update audit_head set seq = ${keep.seq}, hash = ${keep.hash} where id = 1`.execute(site.app.store.db);
    await events(6);
    expect((await site.app.audit.verify()).ok).toBe(true);
    await send(await site.app.audit.checkpoint(last));
    expect(await view()).toMatchObject({ problem: 'rebuilt', problemText: expect.stringContaining('重建') });
  });

  it('something that is not a checkpoint is refused as invalid and moves nothing', async () => {
    await city.uplink.checkpointWatch.acknowledge(SYSTEM_ACTOR, origin, 'checked');
    const before = (await view())!;
    await send({ seq: before.lastSeq + 1, hash: 'not-a-hash' });
    expect(await view()).toMatchObject({ problem: 'invalid', lastSeq: before.lastSeq, accepted: before.accepted });
  });
});

describe('checkpoint judgement rules (R-ACC-1)', () => {
  const h = (c: string) => c.repeat(64);
  const last = { seq: 10, hash: h('a') };
  const cp = (seq: number, hash: string, prev?: { seq: number; hash: string | null } | null) => ({ seq, hash, atMs: 1, ...(prev === undefined ? {} : { prev }) });
  it('accepts growth that links, the same head again, the first one, and an older node without links', () => {
    expect(judgeCheckpoint(undefined, cp(3, h('b'), null)).problem).toBeUndefined();
    expect(judgeCheckpoint(last, cp(12, h('b'), { seq: 10, hash: h('a') })).problem).toBeUndefined();
    expect(judgeCheckpoint(last, cp(10, h('a'), { seq: 8, hash: h('c') })).problem).toBeUndefined();
    expect(judgeCheckpoint(last, cp(12, h('b'))).problem).toBeUndefined();
  });
  it('finds going back, another hash at the same record or at the linked one, and a lost link', () => {
    expect(judgeCheckpoint(last, cp(9, h('b'), { seq: 10, hash: null })).problem).toBe('rollback');
    expect(judgeCheckpoint(last, cp(10, h('b'), { seq: 8, hash: h('c') })).problem).toBe('rebuilt');
    expect(judgeCheckpoint(last, cp(12, h('b'), { seq: 10, hash: h('d') })).problem).toBe('rebuilt');
    expect(judgeCheckpoint(last, cp(12, h('b'), { seq: 7, hash: h('d') })).problem).toBe('unlinked');
    expect(judgeCheckpoint(last, cp(12, h('b'), null)).problem).toBe('unlinked');
    expect(judgeCheckpoint(last, parseCheckpointBody('{"seq":1}'))).toEqual({ accept: null, problem: 'invalid' });
  });
});
