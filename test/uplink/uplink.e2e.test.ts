// The node-to-node channel end to end over real HTTP, three levels (site → city → province), each
// a real app with its own database and API server on loopback (R-PRE-2: what a site reports is
// visible at every level above; docs/design/uplink.md). A site's item reaches the province with
// its origin kept; an outage of the city (server and process down while the site publishes, the
// site restarted meanwhile) loses nothing and doubles nothing; forged, replayed and unsigned
// batches are refused on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import type { UplinkItemEvent } from '../../src/events/bus.ts';
import { repos } from '../../src/store/repos/index.ts';
import { BATCH_PATH } from '../../src/uplink/wire.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { CITY, PASSWORD, PROVINCE, SITE, addLower, close, nodeId, open, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';
import { batchBody, item, signed } from './signing.ts';

describe('uplink: site → city → province over HTTP (R-PRE-2)', () => {
  const dbs: TestDatabase[] = [];
  let province: Node | undefined;
  let city: Node | undefined;
  let site: Node | undefined;
  const provinceEvents: UplinkItemEvent[] = [];
  let siteNode: { id: number; gbCode: string; path: string };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dbs.push(await createTestDatabase('sqlite'));
    province = await open(dbs[0], settingsOf(PROVINCE), 0);
    await addLower(province, CITY.id, '南京市平台', '南京市');
    city = await open(dbs[1], settingsOf(CITY, { id: PROVINCE.id, url: province.url }), 0);
    await addLower(city, SITE.id, '第一中学考点', '鼓楼区');
    site = await open(dbs[2], settingsOf(SITE, { id: CITY.id, url: city.url }));
    siteNode = await nodeId(site.app, '南京市第一中学考点');
    province.app.events.on('uplink.item', (e) => provinceEvents.push(e));
  }, 60_000);

  afterAll(async () => {
    for (const n of [site, city, province]) await close(n).catch(() => undefined);
    for (const d of dbs) await d.drop();
  });

  const provinceItems = (topic: string) => province!.uplink.service.list(SYSTEM_ACTOR, { topic });

  it('a site publishes; the city and the province store it with the site\'s origin code, under their own org nodes', async () => {
    await site!.uplink.service.publishNow({ topic: 'readiness.result', key: 'exam-1:cam-1', body: { verdict: 'fail', reason: '画面过暗' }, scopePath: siteNode.path });
    await site!.uplink.service.publishNow({ topic: 'readiness.result', key: 'exam-1:cam-1', body: { verdict: 'pass' }, scopePath: siteNode.path });
    await expect.poll(async () => (await provinceItems('readiness.result')).map((i) => [i.originCode, i.key, i.body]), { timeout: 30_000, interval: 100 })
      .toEqual([[siteNode.gbCode, 'exam-1:cam-1', { verdict: 'pass' }]]);
    const atCity = await city!.uplink.service.list(SYSTEM_ACTOR, { topic: 'readiness.result' });
    expect(atCity).toEqual([expect.objectContaining({ originCode: siteNode.gbCode, body: { verdict: 'pass' }, stale: false })]);
    // Landed under the city node the lower is attached to at the province (or the origin's own node when mirrored there).
    const nanjing = await nodeId(province!.app, '南京市');
    expect((await provinceItems('readiness.result'))[0].scopePath.startsWith(nanjing.path)).toBe(true);
    // Freshness: the province sees the city directly and the site through it, neither stale.
    await expect.poll(async () => (await province!.uplink.service.peers(SYSTEM_ACTOR)).map((p) => [p.code, p.viaCode, p.stale]), { timeout: 15_000 })
      .toEqual([[CITY.id, null, false], [SITE.id, CITY.id, false]]);
    // The site's first guess of the city's realm was corrected (the city refused it once, audited).
    expect(site!.uplink.status().sender).toMatchObject({ state: 'idle', lastError: null });
  }, 60_000);

  it('city down (server and process), site publishes and restarts meanwhile: after the city is back the province has every write once, in order', async () => {
    const before = provinceEvents.filter((e) => e.topic === 'outage.test').length;
    const cityPort = city!.port;
    await close(city);
    city = undefined;
    const N = 40;
    for (let i = 0; i < N; i++) await site!.uplink.service.publishNow({ topic: 'outage.test', key: `k${i}`, body: { i, v: 1 }, scopePath: siteNode.path });
    await site!.uplink.service.publishNow({ topic: 'outage.test', key: 'k0', body: { i: 0, v: 2 }, scopePath: siteNode.path });
    // The site notices the outage and keeps everything queued.
    await expect.poll(() => site!.uplink.status().sender?.state, { timeout: 15_000 }).toBe('failing');
    expect(await repos(site!.app.store.db).uplink.outboxCount()).toBe(N + 1);
    // The site restarts too (same database): the outbox survives.
    await close(site);
    site = await open(dbs[2], settingsOf(SITE, { id: CITY.id, url: `http://127.0.0.1:${cityPort}` }));
    // The city comes back on the same address with the same database.
    city = await open(dbs[1], settingsOf(CITY, { id: PROVINCE.id, url: province!.url }), cityPort);
    await expect.poll(async () => (await provinceItems('outage.test')).length, { timeout: 60_000, interval: 200 }).toBe(N);
    const items = await provinceItems('outage.test');
    expect(items.find((i) => i.key === 'k0')?.body).toEqual({ i: 0, v: 2 });
    expect(items.every((i) => i.originCode === siteNode.gbCode)).toBe(true);
    // Every write arrived exactly once (N + the update), none twice.
    await expect.poll(async () => repos(site!.app.store.db).uplink.outboxCount(), { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => repos(city!.app.store.db).uplink.outboxCount(), { timeout: 30_000 }).toBe(0);
    const events = provinceEvents.filter((e) => e.topic === 'outage.test').slice(before);
    expect(events.length).toBe(N + 1);
    expect(new Set(events.map((e) => `${e.key}:${JSON.stringify(e.body)}`)).size).toBe(N + 1);
    expect(events.findIndex((e) => e.key === 'k0' && (e.body as { v: number }).v === 2)).toBe(N);
  }, 120_000);

  it('forged, tampered, replayed and unsigned batches are refused on the wire with a reason, and stored nowhere', async () => {
    const url = `${city!.url}${BATCH_PATH}`;
    const post = (req: { headers: Record<string, string>; body: Buffer }) => fetch(url, { method: 'POST', headers: req.headers, body: new Uint8Array(req.body) });
    const body = batchBody([item(1_000_000, siteNode.gbCode, 'forged', { verdict: 'pass' }, { topic: 'readiness.result' })], { epoch: 'ffffffffffffffff' });
    const unsigned = await post({ headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('x-uplink-realm')).toBe(CITY.domain);
    expect(await unsigned.json()).toMatchObject({ reason: 'unsigned' });
    const who = { sipId: SITE.id, realm: CITY.domain, password: PASSWORD };
    const forged = await post(signed(body, { ...who, password: 'Guessed-Pass-1' }));
    expect([forged.status, ((await forged.json()) as { reason: string }).reason]).toEqual([401, 'bad-signature']);
    const good = signed(body, who);
    const tampered = await post({ headers: good.headers, body: Buffer.from(body.toString().replace('pass', 'fail')) });
    expect([tampered.status, ((await tampered.json()) as { reason: string }).reason]).toEqual([401, 'bad-signature']);
    expect(await provinceItems('readiness.result').then((l) => l.some((i) => i.key === 'forged'))).toBe(false);
    expect((await post(good)).status).toBe(200);
    const replay = await post(good);
    expect([replay.status, ((await replay.json()) as { reason: string }).reason]).toEqual([401, 'replayed-nonce']);
    const huge = await post(signed(Buffer.alloc(2 * 1024 * 1024, 32), who));
    expect(huge.status).toBe(413);
    const audit = await repos(city!.app.store.db).audit.list({ kind: 'all' }, { action: 'uplink.receive', limit: 100 });
    const reasons = new Set(audit.records.map((a) => (JSON.parse(a.detail ?? '{}') as { reason: string }).reason));
    for (const r of ['unsigned', 'bad-signature', 'replayed-nonce']) expect(reasons.has(r)).toBe(true);
  }, 60_000);
});
