// Reachability of non-video devices on both databases (issue 19 item 3; R-SEC-2: a switch's health
// history is kept, not 未监测, once it has a probe; R-FLT-1: unreachable longer than the set time is
// a fault ticketed once and verified by the system only after it answers again; R-ORG-2: the network
// equipment the administrator keeps working). The switch is a real local TCP listener, closed and
// reopened; the node's own health sampler probes it with the injected clock.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { deviceBody } from '../../src/ledger/schemas.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const listen = (port = 0): Promise<Server> =>
  new Promise((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

describe.each(DIALECTS)('reachability of a switch on %s', (dialect) => {
  let t: TestApp;
  let server: Server;
  let port = 0;
  let switchId = 0;
  let upsId = 0;
  let clockId = 0;
  const rows = async (id: number) => repos(t.app.store.db).deviceHealth.list(SYSTEM_ACTOR.scope, id, 0);
  const tickets = async () => (await t.app.ledger.faults.list(await t.actor('admin'), { deviceId: switchId })).filter((x) => x.kind === 'offline');

  beforeAll(async () => {
    server = await listen();
    port = (server.address() as { port: number }).port;
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, offlineAfterMs: 120_000, verifyHealthyMs: 60_000, probeTimeoutMs: 2_000 } } });
    const admin = await t.actor('admin');
    const siteId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.id;
    await t.app.ledger.start();
    await t.app.ledger.refreshSiteSummaries(); // queued behind the start's own sample: that one is done before the devices exist
    switchId = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'switch', code: 'SW-01', name: '三楼接入交换机', probeHost: '127.0.0.1', probeTcpPort: port }))).id;
    clockId = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'clock', code: 'CLK-01', name: '标准时钟', probeHost: '127.0.0.1' }))).id;
    upsId = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'ups', code: 'UPS-01', name: '机房 UPS' }))).id;
  });
  afterAll(async () => {
    await t?.app.ledger.stop();
    await t?.close();
    if (server.listening) await close(server);
  });

  it('R-SEC-2: a switch with a probe port gets online rows while it accepts; a UPS without a probe stays not measured', async () => {
    const admin = await t.actor('admin');
    expect(await t.app.ledger.ledger.get(admin, switchId)).toMatchObject({ probeHost: '127.0.0.1', probeTcpPort: port });
    await t.app.ledger.deviceHealth.sample();
    expect((await rows(switchId)).map((r) => r.online_permille)).toEqual([1000]);
    expect(await rows(upsId)).toEqual([]);
    // No port: ICMP through the system's ping, when this machine has one; without it, not measured (never offline).
    const hasPing = spawnSync('ping', ['-c', '1', '-W', '1', '127.0.0.1']).error === undefined;
    expect((await rows(clockId)).map((r) => r.online_permille)).toEqual(hasPing ? [1000] : []);
  });

  it('R-FLT-1: closed longer than the set time opens one offline ticket; more samples while down add nothing', async () => {
    await close(server);
    await t.app.ledger.deviceHealth.sample(); // down since now
    t.clock.advance(60_000);
    await t.app.ledger.deviceHealth.sample();
    expect(await tickets()).toEqual([]); // 60 s < 120 s
    t.clock.advance(61_000);
    await t.app.ledger.deviceHealth.sample();
    t.clock.advance(60_000);
    await t.app.ledger.deviceHealth.sample();
    const open = await tickets();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ state: 'open', origin: 'auto', faultCount: 1 });
    expect(open[0]!.summary).toContain(`127.0.0.1:${port}`);
    expect((await rows(switchId)).map((r) => r.online_permille)).toEqual([1000, 0, 0, 0, 0]);
  });

  it('R-FLT-1, R-ORG-2: repaired by hand, then verified by the system only after the switch answers for the healthy span', async () => {
    const admin = await t.actor('admin');
    const id = (await tickets())[0]!.id;
    for (const action of ['acknowledge', 'start_repair', 'mark_repaired'] as const) await t.app.ledger.faults.act(admin, id, action, '更换电源模块');
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired'); // still not answering: not verified
    // Sampled still down just after the mark: the repaired switch may be rebooting, it keeps the
    // grace of a new fault (offlineAfterMs) before the ticket goes back to repairing.
    t.clock.advance(5_000);
    await t.app.ledger.deviceHealth.sample();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired');
    server = await listen(port);
    await t.app.ledger.deviceHealth.sample(); // answers: the healthy span starts
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired');
    t.clock.advance(61_000);
    await t.app.ledger.deviceHealth.sample();
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('verified');
    expect((await rows(switchId)).map((r) => r.online_permille).slice(-2)).toEqual([1000, 1000]);
  });

  it('R-FLT-1: marked repaired but still unreachable past the set time sends the ticket back to repairing', async () => {
    const admin = await t.actor('admin');
    await close(server);
    await t.app.ledger.deviceHealth.sample();
    t.clock.advance(121_000);
    await t.app.ledger.deviceHealth.sample();
    const fresh = (await tickets()).find((x) => x.state === 'open')!; // the verified one stays closed; a new fault, a new ticket
    for (const action of ['acknowledge', 'start_repair', 'mark_repaired'] as const) await t.app.ledger.faults.act(admin, fresh.id, action, '重启');
    t.clock.advance(60_000);
    await t.app.ledger.deviceHealth.sample();
    expect((await t.app.ledger.faults.get(admin, fresh.id)).state).toBe('repaired'); // within the grace
    t.clock.advance(61_000);
    await t.app.ledger.deviceHealth.sample();
    expect(await t.app.ledger.faults.get(admin, fresh.id)).toMatchObject({ state: 'repairing', faultCount: 2 });
    server = await listen(port);
  });
});
