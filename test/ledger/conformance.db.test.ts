// R-CITY-4 for devices that are not cameras, on both databases (issue 19; docs/design/ledger.md
// "Conformance of replaced devices"): a switch whose serial is changed by hand while its offline
// ticket is open is a replacement; the ticket stays unverified, and says why, until the new switch
// answers on its probe target (a real local TCP listener, closed then reopened). A UPS without a
// probe target cannot be checked here: its ticket says what to enter. The judgement of each class
// (DeviceInfo channel count of an NVR/encoder, reachability, both, neither) is checked directly too.
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge } from '../../src/ledger/conformance.ts';
import { deviceBody } from '../../src/ledger/schemas.ts';
import type { DeviceView } from '../../src/ledger/schemas.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const listen = (port = 0): Promise<Server> =>
  new Promise((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
/** The device form's body for a row with another serial (what a person saves). */
const bodyOf = (d: DeviceView, serial: string) => deviceBody.parse({ orgNodeId: d.orgNodeId, roomId: d.roomId, deviceClass: d.deviceClass, code: d.code, name: d.name, model: d.model, serial, firmware: d.firmware, installedOnMs: d.installedOnMs, warrantyUntilMs: d.warrantyUntilMs, responsibleName: d.responsibleName, responsiblePhone: d.responsiblePhone });
const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

describe('conformance verdict per class (R-CITY-4)', () => {
  const base = { probe_host: null, probe_tcp_port: null, reported_at_ms: null, reported_channels: null, expected_channels: null };
  it('an NVR registered here must answer DeviceInfo after the replacement with the expected channel count', () => {
    expect(judge({ ...base, device_class: 'nvr' }, 1000, { gbRegistered: true, reachedSince: false }).reason).toContain('等待设备应答国标 DeviceInfo');
    expect(judge({ ...base, device_class: 'nvr', reported_at_ms: 2000, reported_channels: 8 }, 1000, { gbRegistered: true, reachedSince: false }).reason).toContain('台账未登记应接入通道数');
    expect(judge({ ...base, device_class: 'encoder', reported_at_ms: 2000, reported_channels: 4, expected_channels: 8 }, 1000, { gbRegistered: true, reachedSince: false })).toEqual({ passed: false, reason: expect.stringContaining('通道数不符：台账 8 路，设备应答 4 路') });
    expect(judge({ ...base, device_class: 'nvr', reported_at_ms: 2000, reported_channels: 8, expected_channels: 8 }, 1000, { gbRegistered: true, reachedSince: false }).passed).toBe(true);
    // An answer from before the replacement counts for nothing.
    expect(judge({ ...base, device_class: 'nvr', reported_at_ms: 500, reported_channels: 8, expected_channels: 8 }, 1000, { gbRegistered: true, reachedSince: false }).passed).toBe(false);
  });
  it('a device with a probe target must answer on it; with both, both are needed; with neither, it cannot be checked here', () => {
    const sw = { ...base, device_class: 'switch' as const, probe_host: '10.0.0.2', probe_tcp_port: 22 };
    expect(judge(sw, 1000, { gbRegistered: false, reachedSince: false }).reason).toContain('等待探测地址 10.0.0.2:22 可达');
    expect(judge(sw, 1000, { gbRegistered: false, reachedSince: true }).passed).toBe(true);
    const nvr = { ...sw, device_class: 'nvr' as const, reported_at_ms: 2000, reported_channels: 8, expected_channels: 8 };
    expect(judge(nvr, 1000, { gbRegistered: true, reachedSince: false }).passed).toBe(false);
    expect(judge(nvr, 1000, { gbRegistered: true, reachedSince: true }).passed).toBe(true);
    expect(judge({ ...base, device_class: 'ups' }, 1000, { gbRegistered: false, reachedSince: false }).reason).toContain('无法自动检查');
  });
});

describe.each(DIALECTS)('a replaced switch and UPS on %s (R-CITY-4, R-FLT-1)', (dialect) => {
  let t: TestApp;
  let server: Server;
  let port = 0;
  let switchId = 0;
  let upsId = 0;

  beforeAll(async () => {
    server = await listen();
    port = (server.address() as { port: number }).port;
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, offlineAfterMs: 120_000, verifyHealthyMs: 60_000, probeTimeoutMs: 2_000 } } });
    const admin = await t.actor('admin');
    const siteId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.id;
    switchId = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'switch', code: 'SW-01', name: '三楼接入交换机', serial: 'SW-A', probeHost: '127.0.0.1', probeTcpPort: port }))).id;
    upsId = (await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'ups', code: 'UPS-01', name: '机房 UPS', serial: 'UPS-A' }))).id;
  });
  afterAll(async () => {
    await t?.close();
    if (server.listening) await close(server);
  });

  /** What each health sample does: probe, then judge the replaced devices. */
  const sample = async () => {
    await t.app.ledger.deviceHealth.sample();
    await t.app.ledger.conformance.check();
  };

  it('the switch replaced by hand waits for its probe target, then is verified by the system', async () => {
    const admin = await t.actor('admin');
    await close(server);
    await sample();
    t.clock.advance(121_000);
    await sample();
    const [ticket] = (await t.app.ledger.faults.list(admin, { deviceId: switchId })).filter((x) => x.kind === 'offline');
    expect(ticket).toBeDefined();
    const row = await t.app.ledger.ledger.get(admin, switchId);
    await t.app.ledger.ledger.update(admin, switchId, bodyOf(row, 'SW-B'));
    let detail = await t.app.ledger.faults.get(admin, ticket!.id);
    expect(detail.events.find((e) => e.action === 'device_replaced')!.note).toContain('序列号 SW-A → SW-B');
    expect(detail.conformance?.waitingFor).toContain(`等待探测地址 127.0.0.1:${port} 可达`);
    t.clock.advance(60_000);
    await sample(); // still closed: not conformant
    expect((await t.app.ledger.faults.get(admin, ticket!.id)).conformance?.waitingFor).toContain('可达');
    for (const action of ['acknowledge', 'start_repair', 'mark_repaired'] as const) await t.app.ledger.faults.act(admin, ticket!.id, action);
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, ticket!.id)).state).toBe('repaired');
    server = await listen(port); // the new switch answers
    t.clock.advance(1_000);
    await sample();
    detail = await t.app.ledger.faults.get(admin, ticket!.id);
    expect(detail.conformance).toBeNull();
    expect(detail.events.find((e) => e.action === 'conformance_pass')!.note).toContain(`探测地址 127.0.0.1:${port} 可达`);
    t.clock.advance(61_000);
    await sample();
    await t.app.ledger.tick();
    expect((await t.app.ledger.faults.get(admin, ticket!.id)).state).toBe('verified');
  });

  it('a UPS without a probe target: its ticket says it cannot be checked here and what to enter', async () => {
    const admin = await t.actor('admin');
    const opened = await t.app.ledger.faults.open(admin, { deviceId: upsId, kind: 'manual', summary: '电池告警' });
    const row = await t.app.ledger.ledger.get(admin, upsId);
    await t.app.ledger.ledger.update(admin, upsId, bodyOf(row, 'UPS-B'));
    await sample();
    const detail = await t.app.ledger.faults.get(admin, opened.id);
    expect(detail.conformance?.waitingFor).toContain('无法自动检查');
    expect(detail.conformance?.waitingFor).toContain('探测地址');
    expect(detail.events.map((e) => e.action)).not.toContain('conformance_pass');
  });
});
