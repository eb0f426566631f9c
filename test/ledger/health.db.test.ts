// The node's own health on both databases (issue 19 item 3; R-ORG-2: the administrator keeps the
// hardware and software working; R-FLT-1: disk low and clock drift are faults, ticketed once,
// verified only when measured healthy again; R-SEC-2: the node's server is a ledger row;
// R-CITY-4: the sample is published upward as node.health).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { NODE_SERVER_CODE } from '../../src/ledger/node-health.ts';
import { repos } from '../../src/store/repos/index.ts';
import { sntpReplyTo } from '../../src/util/sntp.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

describe.each(DIALECTS)('node health sampler on %s', (dialect) => {
  let t: TestApp;
  let timeServer: Socket;
  let skewMs = 0;
  let freeBytes = 500;
  const tickets = async () => (await t.app.ledger.faults.list(await t.actor('admin'))).filter((x) => x.deviceCode === NODE_SERVER_CODE);

  beforeAll(async () => {
    timeServer = createSocket('udp4');
    timeServer.on('message', (msg, rinfo) => {
      const now = t.clock.nowMs() + skewMs;
      timeServer.send(sntpReplyTo(msg, now, now), rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => timeServer.bind(0, '127.0.0.1', r));
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, verifyHealthyMs: 60_000, diskLowRatio: 0.05, clockDriftMs: 5000, timeServer: `127.0.0.1:${timeServer.address().port}`, disk: { measure: () => Promise.resolve({ freeBytes, totalBytes: 1000 }) } } } });
  });
  afterAll(async () => {
    await t?.app.ledger.stop();
    await t?.close();
    timeServer.close();
  });

  it('R-SEC-2: the node server is a ledger row (NODE-SERVER) once, however often the node starts', async () => {
    await t.app.ledger.start();
    await t.app.ledger.health.ensureServerRow();
    await t.app.ledger.health.ensureServerRow();
    const rows = (await t.app.ledger.ledger.list(await t.actor('admin'))).filter((d) => d.code === NODE_SERVER_CODE);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ deviceClass: 'server', name: '巡查平台服务器（本机）' });
    expect(rows[0]!.firmware).toMatch(/^xuncha /);
  });

  it('R-ORG-2: a healthy sample measures disk, clock offset over SNTP, memory, CPU, database; no ticket', async () => {
    const s = (await t.app.ledger.health.sample())!;
    expect(s.disk).toMatchObject({ freeRatio: 0.5, low: false });
    expect(Math.abs(s.clock!.offsetMs!)).toBeLessThan(50);
    expect(s.clock!.drift).toBe(false);
    expect(s.memory.totalBytes).toBeGreaterThan(0);
    expect(s.db.error).toBeNull();
    expect(await tickets()).toEqual([]);
    const view = await t.app.ledger.healthView(await t.actor('admin'));
    expect(view.own?.atMs).toBe(s.atMs);
    const items = await repos(t.app.store.db).uplink.listItems(SYSTEM_ACTOR.scope, { topic: 'node.health' });
    expect(items.map((i) => i.item_key)).toEqual([s.nodeCode]);
  });

  it('R-FLT-1: disk low opens one disk ticket however many samples see it; clock 8 s off opens a clock-drift ticket', async () => {
    freeBytes = 20;
    for (let i = 0; i < 3; i++) {
      t.clock.advance(60_000);
      await t.app.ledger.health.sample();
    }
    skewMs = 8000;
    const s = (await t.app.ledger.health.sample())!;
    expect(s.clock!.offsetMs).toBeGreaterThan(7900);
    const open = await tickets();
    expect(open.map((x) => [x.kind, x.state, x.origin, x.faultCount]).sort()).toEqual([['clock_drift', 'open', 'auto', 1], ['disk', 'open', 'auto', 1]]);
    expect(open.find((x) => x.kind === 'disk')!.summary).toContain('磁盘剩余空间不足');
  });

  it('R-FLT-1: the disk ticket is verified by the system only after repair and a measured healthy span', async () => {
    const admin = await t.actor('admin');
    const disk = (await tickets()).find((x) => x.kind === 'disk')!;
    await t.app.ledger.faults.act(admin, disk.id, 'start_repair');
    await t.app.ledger.faults.act(admin, disk.id, 'mark_repaired');
    await t.app.ledger.health.sample(); // still low: back to repairing
    expect((await t.app.ledger.faults.get(admin, disk.id)).state).toBe('repairing');
    await t.app.ledger.faults.act(admin, disk.id, 'mark_repaired');
    freeBytes = 400;
    await t.app.ledger.health.sample();
    t.clock.advance(61_000);
    await t.app.ledger.monitor.tick();
    const after = await t.app.ledger.faults.get(admin, disk.id);
    expect(after.state).toBe('verified');
    expect(after.events.map((e) => e.action)).toEqual(['open', 'start_repair', 'mark_repaired', 'fault_again', 'mark_repaired', 'verify']);
    expect((await tickets()).find((x) => x.kind === 'clock_drift')!.state).toBe('open');
  });
});
