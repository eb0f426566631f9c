// The node-to-node channel's store and rules, on both databases (docs/design/uplink.md; R-PRE-2:
// what a site reports reaches every level above; R-SEC-4 scope; R-ACC-1 refusals audited):
// publish commits with the caller's change or not at all, latest write wins, a resent batch is
// stored once, items land under the org node the lower is attached to and are filtered by scope,
// forged/replayed/unsigned batches are refused and audited, and a silent lower turns stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { Gb28181Settings } from '../../src/config/config.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createUplinkModule } from '../../src/uplink/index.ts';
import { channelKey, downSignatureMatches } from '../../src/uplink/wire.ts';
import type { DownItem } from '../../src/uplink/wire.ts';
import { computeHa1 } from '../../src/gb28181/index.ts';
import type { UplinkModule } from '../../src/uplink/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { batchBody, item, signed as signedAt } from '../uplink/signing.ts';

const CITY: Gb28181Settings = { id: '32010000002000000001', domain: '3201000000', host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60 };
const SITE = { sipId: '32010600002000000001', realm: CITY.domain, password: 'Lower-Pass-1234' };
const SITE_ORIGIN = '32010600002160000099';
const OTHER = { sipId: '32010200002000000001', realm: CITY.domain, password: 'Other-Pass-5678' };

describe.each(DIALECTS)('uplink channel store and rules on %s', (dialect) => {
  let t: TestApp;
  let m: UplinkModule;
  let gulouPath = '';
  let sitePath = '';
  let siteCode = '';
  let lowerId = 0;
  // Signed at the app's (manual) clock: the receiver checks the timestamp against it.
  const signed = (body: Buffer, who: typeof SITE, opts: { timeMs?: number } = {}) => signedAt(body, who, { timeMs: t.clock.nowMs(), ...opts });
  const receive = (req: { headers: Record<string, string>; body: Buffer }, ip = '127.0.0.1') => m.receiver.receive({ ip, header: (n) => req.headers[n], body: req.body });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    // This node is a city with an upper channel configured (so publishes are queued), not started.
    m = createUplinkModule(t.app, { settings: { ...CITY, upper: { id: '32000000002000000001', host: '127.0.0.1', port: 5060, password: 'x', transport: 'udp', keepaliveS: 60, expiresS: 3600, uplinkUrl: 'http://127.0.0.1:9' } }, staleAfterMs: 60_000 });
    const cascade = createCascadeModule(t.app, { settings: CITY });
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const gulou = nodes.find((n) => n.name === '鼓楼区')!;
    const xuanwu = nodes.find((n) => n.name === '玄武区')!;
    const site = nodes.find((n) => n.kind === 'site')!;
    const pathOf = async (id: number) => (await t.app.store.db.selectFrom('org_node').select('path').where('id', '=', id).executeTakeFirstOrThrow()).path;
    gulouPath = await pathOf(gulou.id);
    sitePath = await pathOf(site.id);
    siteCode = site.gbCode;
    lowerId = (await cascade.service.createLower(admin, { sipId: SITE.sipId, name: '第一中学考点', kind: 'platform', password: SITE.password, orgNodeId: gulou.id })).id;
    await cascade.service.createLower(admin, { sipId: OTHER.sipId, name: '玄武考点', kind: 'platform', password: OTHER.password, orgNodeId: xuanwu.id });
    await t.app.users.create(admin, { username: 'xw_op', displayName: '玄武巡查员', role: 'operator', orgNodeId: xuanwu.id, password: 'Xuanwu-Op-Passw0rd' });
    await t.app.users.create(admin, { username: 'gl_op', displayName: '鼓楼巡查员', role: 'operator', orgNodeId: gulou.id, password: 'Gulou-Op-Passw0rd1' });
    await t.app.users.create(admin, { username: 'jj_insp', displayName: '纪检', role: 'inspector', orgNodeId: gulou.id, password: 'Jijian-Passw0rd-1' });
  });
  afterAll(() => t?.close());

  it('publish sticks only when the caller commits: a rolled-back change leaves no item and nothing queued', async () => {
    await expect(t.app.store.db.transaction().execute(async (trx) => {
      await m.service.publish(trx, { topic: 'ledger.device', key: 'rolled-back', body: { n: 1 }, scopePath: sitePath });
      throw new Error('caller fails after publishing');
    })).rejects.toThrow('caller fails');
    const r = repos(t.app.store.db).uplink;
    expect(await r.listItems({ kind: 'all' }, { topic: 'ledger.device' })).toEqual([]);
    expect(await r.outboxCount()).toBe(0);

    const a = await m.service.publishNow({ topic: 'ledger.device', key: 'cam-1', body: { model: 'DS-2CD' }, scopePath: sitePath });
    const b = await m.service.publishNow({ topic: 'ledger.device', key: 'cam-1', body: { model: 'DS-2CD3T' }, scopePath: sitePath });
    expect(a.originCode).toBe(siteCode);
    expect(b.originSeq).toBeGreaterThan(a.originSeq);
    const items = await m.service.list(await t.actor('admin'), { topic: 'ledger.device' });
    expect(items).toEqual([expect.objectContaining({ originCode: siteCode, key: 'cam-1', body: { model: 'DS-2CD3T' }, scopePath: sitePath, stale: false })]);
    // Both writes go upward, in order (the upper applies the later one last).
    const queued = await r.outboxPage(10);
    expect(queued.map((q) => [q.item_key, JSON.parse(q.body!)])).toEqual([['cam-1', { model: 'DS-2CD' }], ['cam-1', { model: 'DS-2CD3T' }]]);
    expect(Number(queued[1].seq)).toBeGreaterThan(Number(queued[0].seq));
    await m.service.publishNow({ topic: 'ledger.device', key: 'cam-1', body: null, scopePath: sitePath });
    expect(await m.service.list(await t.actor('admin'), { topic: 'ledger.device' })).toEqual([]);
    await expect(m.service.publishNow({ topic: 'Bad Topic', key: 'k', body: 1, scopePath: sitePath })).rejects.toThrow('invalid uplink item');
    await expect(m.service.publishNow({ topic: 'ledger.device', key: 'k', body: 'x'.repeat(70_000), scopePath: sitePath })).rejects.toThrow('body over 65536 bytes');
  });

  it('a lower\'s batch lands under the node it is attached to, once, and goes on upward with the origin kept', async () => {
    const r = repos(t.app.store.db).uplink;
    const before = await r.outboxCount();
    const batch = batchBody([item(1, SITE_ORIGIN, 'c1', { verdict: 'fail' }), item(2, SITE_ORIGIN, 'c2', { verdict: 'pass' }), item(3, SITE_ORIGIN, 'c1', { verdict: 'pass' })], { backlog: 4 });
    expect(await receive(signed(batch, SITE))).toMatchObject({ status: 200, ackSeq: 3, stored: 3 });
    // The same batch again (lost acknowledgement, freshly signed): acknowledged, nothing stored twice.
    expect(await receive(signed(batch, SITE))).toMatchObject({ status: 200, ackSeq: 3, stored: 0 });
    const admin = await t.actor('admin');
    const items = await m.service.list(admin, { topic: 'readiness.result' });
    expect(items.map((i) => [i.originCode, i.key, i.body, i.scopePath])).toEqual([[SITE_ORIGIN, 'c1', { verdict: 'pass' }, gulouPath], [SITE_ORIGIN, 'c2', { verdict: 'pass' }, gulouPath]]);
    // Relayed: 3 new writes queued for our own upper, origin and origin sequence kept.
    const queued = (await r.outboxPage(100)).slice(-3);
    expect(await r.outboxCount()).toBe(before + 3);
    expect(queued.map((q) => [q.origin_code, q.item_key, Number(q.origin_seq)])).toEqual([[SITE_ORIGIN, 'c1', 1], [SITE_ORIGIN, 'c2', 2], [SITE_ORIGIN, 'c1', 3]]);
    // An older write of the origin (lower origin sequence) arriving later changes nothing.
    expect(await receive(signed(batchBody([item(4, SITE_ORIGIN, 'c1', { verdict: 'fail' }, { originSeq: 2 })]), SITE))).toMatchObject({ status: 200, ackSeq: 4, stored: 0 });
    expect((await m.service.list(admin, { topic: 'readiness.result', originCode: SITE_ORIGIN })).find((i) => i.key === 'c1')?.body).toEqual({ verdict: 'pass' });
  });

  it('scope: a district operator sees only items of lowers under the district; an inspector may not read them (R-SEC-4)', async () => {
    expect((await m.service.list(await t.actor('gl_op'), { topic: 'readiness.result' })).length).toBe(2);
    expect(await m.service.list(await t.actor('xw_op'), { topic: 'readiness.result' })).toEqual([]);
    await expect(m.service.list(await t.actor('jj_insp'), { topic: 'readiness.result' })).rejects.toThrow('not permitted');
    expect((await m.service.peers(await t.actor('xw_op'))).map((p) => p.code)).toEqual([OTHER.sipId]);
  });

  it('an origin mirrored in this tree lands under its own node (refined scope)', async () => {
    const out = await receive(signed(batchBody([item(5, siteCode, 'mirrored', { ok: true })], { epoch: 'aaaaaaaaaaaaaaaa' }), SITE));
    expect(out).toMatchObject({ status: 200, ackSeq: 5, stored: 1 });
    const it = (await m.service.list(await t.actor('admin'), { topic: 'readiness.result', originCode: siteCode }))[0];
    expect(it.scopePath).toBe(sitePath);
  });

  it('a new epoch (lower database recreated) restarts its sequence instead of ignoring it', async () => {
    const out = await receive(signed(batchBody([item(1, SITE_ORIGIN, 'after-reset', { n: 1 }, { originSeq: 100 })], { epoch: 'bbbbbbbbbbbbbbbb' }), SITE));
    expect(out).toMatchObject({ status: 200, ackSeq: 1, stored: 1 });
  });

  it('refuses unsigned, forged, tampered, replayed, stale and unknown batches, audits each, and never stores them', async () => {
    const body = batchBody([item(50, SITE_ORIGIN, 'forged', { verdict: 'pass' })], { epoch: 'bbbbbbbbbbbbbbbb' });
    expect(await receive({ headers: {}, body })).toMatchObject({ status: 401, reason: 'unsigned', realm: CITY.domain });
    expect(await receive(signed(body, { ...SITE, password: 'Wrong-Pass-0000' }))).toMatchObject({ status: 401, reason: 'bad-signature' });
    expect(await receive(signed(body, { ...SITE, realm: '3201060000' }))).toMatchObject({ status: 401, reason: 'bad-signature', realm: CITY.domain });
    const good = signed(body, SITE);
    expect(await receive({ headers: good.headers, body: Buffer.from(body.toString().replace('pass', 'fail')) })).toMatchObject({ status: 401, reason: 'bad-signature' });
    expect(await receive(signed(body, SITE, { timeMs: t.clock.nowMs() - 10 * 60_000 }))).toMatchObject({ status: 401, reason: 'stale-timestamp' });
    expect(await receive(signed(body, { ...SITE, sipId: '32019900002000000001' }))).toMatchObject({ status: 401, reason: 'unknown-lower' });
    expect(await receive(signed(batchBody([{ ...item(51, SITE_ORIGIN, 'x', null), originCode: 'nope' }]), SITE))).toMatchObject({ status: 400, reason: 'invalid-batch' });
    expect(await m.service.list(await t.actor('admin'), { topic: 'readiness.result', originCode: SITE_ORIGIN }).then((l) => l.some((i) => i.key === 'forged'))).toBe(false);
    expect(await receive(good)).toMatchObject({ status: 200, stored: 1 });
    expect(await receive(good)).toMatchObject({ status: 401, reason: 'replayed-nonce' });
    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'uplink.receive', limit: 100 });
    const reasons = audit.records.filter((a) => a.outcome === 'denied').map((a) => (JSON.parse(a.detail ?? '{}') as { reason: string }).reason);
    expect(new Set(reasons)).toEqual(new Set(['unsigned', 'bad-signature', 'stale-timestamp', 'unknown-lower', 'invalid-batch', 'replayed-nonce']));
    // A disabled lower is refused with 403 even when its signature is right.
    const admin = await t.actor('admin');
    await createCascadeModule(t.app).service.updateLower(admin, lowerId, { enabled: false });
    expect(await receive(signed(body, SITE))).toMatchObject({ status: 403, reason: 'disabled' });
    await createCascadeModule(t.app).service.updateLower(admin, lowerId, { enabled: true });
  });

  it('peers: never heard is stale, a batch makes it fresh, silence past the threshold makes it stale again; relayed peers come with it', async () => {
    const admin = await t.actor('admin');
    const other = (await m.service.peers(admin)).find((p) => p.code === OTHER.sipId)!;
    expect(other).toMatchObject({ lastReceivedAtMs: null, stale: true, lowerId: expect.any(Number) });
    const peers = [{ code: '32010600002000000777', name: '下下级考点', lastReceivedAtMs: t.clock.nowMs(), backlog: 2, stale: false }];
    expect(await receive(signed(batchBody([], { peers, epoch: 'cccccccccccccccc' }), OTHER))).toMatchObject({ status: 200 });
    let list = await m.service.peers(admin);
    expect(list.find((p) => p.code === OTHER.sipId)).toMatchObject({ stale: false, lastReceivedAtMs: t.clock.nowMs(), backlog: 0 });
    expect(list.find((p) => p.code === '32010600002000000777')).toMatchObject({ viaCode: OTHER.sipId, backlog: 2, stale: false, lowerId: null });
    t.clock.advance(61_000);
    list = await m.service.peers(admin);
    expect(list.find((p) => p.code === OTHER.sipId)?.stale).toBe(true);
    expect(list.find((p) => p.code === '32010600002000000777')?.stale).toBe(true);
  });

  it('R-DIS-3 downward answers: a message for a lower goes out in its next answer, signed with its key only, once per key; acknowledged ones are not sent again; another epoch resends', async () => {
    const sent = await t.app.store.db.transaction().execute((trx) => m.service.sendDown(trx, { lowerId, originCode: SITE_ORIGIN, topic: 'duty.view_decision', key: '7', body: { approve: true } }));
    expect(sent).toBe(true);
    // Final: a second message for the same key is not queued.
    expect(await t.app.store.db.transaction().execute((trx) => m.service.sendDown(trx, { lowerId, originCode: SITE_ORIGIN, topic: 'duty.view_decision', key: '7', body: { approve: false } }))).toBe(false);
    expect((await m.service.sentDown(SITE_ORIGIN, 'duty.view_decision', '7'))?.body).toEqual({ approve: true });
    const { epoch } = await repos(t.app.store.db).uplink.state();
    const answer = async (downAck?: number, downEpoch?: string) => {
      const body = JSON.parse(batchBody([]).toString()) as Record<string, unknown>;
      const res = await receive(signed(Buffer.from(JSON.stringify({ ...body, epoch: 'cccccccccccccccc', ...(downAck !== undefined ? { downAck, downEpoch } : {}) })), SITE));
      if (res.status !== 200) throw new Error(JSON.stringify(res));
      return res;
    };
    const first = await answer();
    expect(first.downEpoch).toBe(epoch);
    expect(first.down).toHaveLength(1);
    const msg: DownItem = first.down[0];
    expect(msg).toMatchObject({ originCode: SITE_ORIGIN, topic: 'duty.view_decision', key: '7', body: JSON.stringify({ approve: true }) });
    const siteKey = channelKey(computeHa1(SITE.sipId, SITE.realm, SITE.password, 'MD5'));
    const otherKey = channelKey(computeHa1(OTHER.sipId, OTHER.realm, OTHER.password, 'MD5'));
    expect(downSignatureMatches(siteKey, epoch, msg)).toBe(true);
    expect(downSignatureMatches(otherKey, epoch, msg)).toBe(false);
    expect(downSignatureMatches(siteKey, epoch, { ...msg, body: JSON.stringify({ approve: false }) })).toBe(false);
    // The other lower gets nothing; acknowledged, it is not sent again; an ack counted in another epoch counts for nothing.
    const other = await receive(signed(batchBody([], { epoch: 'dddddddddddddddd' }), OTHER));
    expect(other).toMatchObject({ status: 200, down: [] });
    expect((await answer(msg.seq, epoch)).down).toEqual([]);
    expect((await answer(msg.seq, 'eeeeeeeeeeeeeeee')).down).toHaveLength(1);
  });
});
