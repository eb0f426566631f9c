// Fault tickets and the ledger upward, three levels over real HTTP (site → city → province), each a
// real app with its own database (R-FLT-1: a fault is ticketed at the site and visible at every
// level above within seconds; R-SEC-2: ledger entries go up; docs/design/ledger.md). A camera at
// the site goes offline (its status events, as the recorder emits them), the site's ledger module
// opens the ticket, people acknowledge/repair it, the camera comes back and the system verifies it;
// the province follows each state. With the city gone the province shows the site's tickets stale.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { CITY, PROVINCE, SITE, addLower, open as openNode, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';

// Short ledger and uplink timings: a ticket opens after 1 s offline, a lower is stale after 3 s.
const open = (db: TestDatabase, settings: Parameters<typeof openNode>[1], listen: boolean): Promise<Node> =>
  openNode(db, settings, listen ? 0 : undefined, {}, { ledger: { offlineAfterMs: 1_000, verifyHealthyMs: 1_000, tickIntervalMs: 200 } }, { sender: { pollMs: 100, heartbeatMs: 500, backoffMinMs: 100, backoffMaxMs: 400, timeoutMs: 5000 }, staleAfterMs: 3_000 });

describe('fault tickets upward: site → city → province (R-FLT-1, R-SEC-2)', () => {
  const dbs: TestDatabase[] = [];
  const nodes: Node[] = [];
  let cameraId = 0;

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) dbs.push(await createTestDatabase('sqlite'));
    const province = await open(dbs[0], settingsOf(PROVINCE), true);
    await addLower(province, CITY.id, '南京市平台', '南京市');
    const city = await open(dbs[1], settingsOf(CITY, { id: PROVINCE.id, url: province.url }), true);
    await addLower(city, SITE.id, '第一中学考点', '鼓楼区');
    const site = await open(dbs[2], settingsOf(SITE, { id: CITY.id, url: city.url }), false);
    nodes.push(province, city, site);
    const admin = SYSTEM_ACTOR;
    const room = (await repos(site.app.store.db).rooms.list(admin.scope))[0];
    cameraId = (await site.app.devices.createCamera(admin, { roomId: room.id, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9' })).id;
    await site.app.ledger.start();
  }, 60_000);

  afterAll(async () => {
    for (const n of nodes.reverse()) {
      await n.app.ledger.stop().catch(() => undefined);
      await n.server?.close().catch(() => undefined);
      await n.uplink.stop().catch(() => undefined);
      await n.app.close().catch(() => undefined);
    }
    for (const d of dbs) await d.drop();
  });

  it('a camera failure at the site becomes a ticket the province follows to "verified"; the city gone, the province shows it stale', async () => {
    const [province, city, site] = nodes as [Node, Node, Node];
    const status = (state: 'online' | 'error') => site.app.events.emit('camera.status', { cameraId, state, recording: false, atMs: Date.now(), reason: 'timeout' });
    const atProvince = async () => (await province.app.ledger.reported(SYSTEM_ACTOR)).tickets;
    // The ledger entry of the camera reached the province.
    await expect.poll(async () => (await province.uplink.service.list(SYSTEM_ACTOR, { topic: 'ledger.device' })).length, { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);

    status('error');
    await expect.poll(async () => (await atProvince()).map((t) => [t.ticket.kind, t.ticket.state, t.stale]), { timeout: 30_000, interval: 200 }).toEqual([['offline', 'open', false]]);
    const ticketId = (await atProvince())[0]!.ticket.id;
    // Flapping at the site still makes one ticket at the province.
    for (let i = 0; i < 10; i++) {
      status('online');
      status('error');
    }
    const admin = (await repos(site.app.store.db).users.byUsername('admin'))!;
    const actor = { userId: admin.id, username: 'admin', role: 'admin' as const, ip: '127.0.0.1', workstation: 't', scope: { kind: 'all' as const } };
    await expect(site.app.ledger.faults.act(actor, ticketId, 'verify')).rejects.toMatchObject({ code: 'conflict' });
    for (const [action, state] of [['acknowledge', 'acknowledged'], ['start_repair', 'repairing'], ['mark_repaired', 'repaired']] as const) {
      await site.app.ledger.faults.act(actor, ticketId, action);
      await expect.poll(async () => (await atProvince()).map((t) => t.ticket.state), { timeout: 30_000, interval: 200 }).toEqual([state]);
    }
    expect((await atProvince())[0]!.ticket.faultCount).toBeGreaterThan(1);
    status('online');
    await expect.poll(async () => (await atProvince()).map((t) => t.ticket.state), { timeout: 30_000, interval: 200 }).toEqual(['verified']);
    // It came through the city's platform (not "this node"), and the city sees it through the site's.
    expect((await atProvince())[0]!.via).toBe('南京市平台');
    // The city sees it too.
    expect((await city.app.ledger.reported(SYSTEM_ACTOR)).tickets.map((t) => [t.ticket.state, t.via])).toEqual([['verified', '第一中学考点']]);

    // The city goes away: the province shows the site's ticket stale, never current.
    await city.server!.close();
    await city.uplink.stop();
    await expect.poll(async () => (await atProvince()).map((t) => t.stale), { timeout: 30_000, interval: 300 }).toEqual([true]);
    expect((await province.app.ledger.reported(SYSTEM_ACTOR)).nodes.every((n) => n.stale)).toBe(true);
  }, 180_000);
});
