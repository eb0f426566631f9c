// Device health history and camera clock-drift tickets on both databases (issue 19 items 2 and 4).
// R-SEC-2: each device has a card with its health history (online/offline spans, bitrate, frame
// rate, loss, recording, clock offset); R-FLT-1: a camera clock beyond the limit is a fault ticketed
// once and verified only after it is measured back within the limit; R-ORG-2: the history is what
// the administrator keeps; R-SEC-4 scope: another site's operator cannot read the card.
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { DeviceHealthSampler } from '../../src/ledger/device-health.ts';
import { deviceBody } from '../../src/ledger/schemas.ts';
import { HOUR_MS } from '../../src/store/repos/device-health-repo.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

describe.each(DIALECTS)('device health history on %s', (dialect) => {
  let t: TestApp;
  let cameraId = 0;
  let deviceId = 0;
  let sampler: DeviceHealthSampler;
  const state = { state: 'online', recording: true };
  const stream = new EventEmitter();
  const frames = (n: number, bytes: number, lost: number) => {
    for (let i = 0; i < n; i++) stream.emit('frame', { kind: 'video', nalus: [new Uint8Array(bytes)] }, { lost: i === 0 ? lost : 0, malformed: 0 });
  };
  const clockTickets = async () => (await t.app.ledger.faults.list(await t.actor('admin'), { deviceId })).filter((x) => x.kind === 'clock_drift');

  beforeAll(async () => {
    t = await createTestApp(dialect, { app: { ledger: { tickIntervalMs: 3_600_000, healthIntervalMs: 3_600_000, verifyHealthyMs: 60_000 } } });
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const siteId = nodes.find((n) => n.kind === 'site')!.id;
    const roomId = (await repos(t.app.store.db).rooms.list(SYSTEM_ACTOR.scope)).find((r) => r.site_id === siteId)!.id;
    cameraId = (await t.app.devices.createCamera(admin, { roomId, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9' })).id;
    await t.app.ledger.start();
    deviceId = (await t.app.ledger.ledger.list(admin)).find((d) => d.cameraId === cameraId)!.id;
    sampler = new DeviceHealthSampler({ store: t.app.store, clock: t.clock, log: pino({ level: 'silent' }), faults: t.app.ledger.faults, cameraState: (id) => (id === cameraId ? state : undefined), stream: (id) => (id === cameraId ? stream : undefined), nodeOffsetMs: () => null, sampleIntervalMs: 60_000, opts: { rawRetentionMs: 2 * HOUR_MS, hourRetentionMs: 24 * HOUR_MS, cameraClockDriftMs: 3000 } });
  });
  afterAll(async () => {
    sampler?.stop();
    await t?.app.ledger.stop();
    await t?.close();
  });

  it('R-SEC-2: a minute row per camera with bitrate, frame rate, packets lost and clock offset measured from its session', async () => {
    await sampler.sample(); // attaches: nothing counted yet
    t.clock.advance(60_000);
    frames(1500, 1000, 3); // 25 fps × 60 s, 1000 bytes each = 200 kbit/s
    stream.emit('clockOffset', 400);
    await sampler.sample();
    const rows = await repos(t.app.store.db).deviceHealth.list(SYSTEM_ACTOR.scope, deviceId, 0);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ online_permille: 1000, recording_permille: 1000, bitrate_kbps: null, fps_x100: null });
    expect(rows[1]).toMatchObject({ span_ms: 60_000, online_permille: 1000, bitrate_kbps: 200, fps_x100: 2500, lost_packets: 3, clock_offset_ms: 400 });
    expect(await clockTickets()).toEqual([]);
  });

  it('R-FLT-1: a camera clock beyond the limit opens one clock_drift ticket; later samples still off add nothing', async () => {
    stream.emit('clockOffset', 8_000);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(60_000);
      frames(1500, 1000, 0);
      await sampler.sample();
    }
    const open = await clockTickets();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ state: 'open', faultCount: 1, healthy: false });
    expect(open[0]!.summary).toContain('8.0 秒');
  });

  it('R-FLT-1: back within the limit the system verifies the repaired ticket after the healthy span; a click cannot', async () => {
    const admin = await t.actor('admin');
    const id = (await clockTickets())[0]!.id;
    await t.app.ledger.faults.act(admin, id, 'start_repair');
    await t.app.ledger.faults.act(admin, id, 'mark_repaired');
    await expect(t.app.ledger.faults.act(admin, id, 'verify')).rejects.toThrow();
    stream.emit('clockOffset', 200);
    t.clock.advance(60_000);
    await sampler.sample();
    expect((await clockTickets())[0]).toMatchObject({ state: 'repaired', healthy: true });
    t.clock.advance(61_000);
    await sampler.sample();
    await t.app.ledger.faults.verifyDue();
    expect((await clockTickets())[0]!.state).toBe('verified');
  });

  it('R-SEC-2: the card shows online/offline spans, a period not sampled as unknown, and its summary', async () => {
    state.state = 'error';
    state.recording = false;
    t.clock.advance(60_000);
    await sampler.sample(); // offline minute; session gone, no stream figures
    t.clock.advance(10 * 60_000); // node not sampling for 10 min
    state.state = 'online';
    await sampler.sample();
    const card = await t.app.ledger.card(await t.actor('admin'), deviceId, 1);
    expect(card.health.spans.map((s) => s.state)).toEqual(['online', 'offline', 'unknown', 'online']);
    const offline = card.health.points.find((p) => p.onlineRatio === 0)!;
    expect(offline.bitrateKbps).toBeNull();
    expect(card.health.summary.onlineRatio).toBeGreaterThan(0.5);
    expect(card.health.summary.onlineRatio).toBeLessThan(1);
    expect(card.health.summary.lostPackets).toBe(3);
    expect(card.tickets.map((x) => x.kind)).toContain('clock_drift');
    const pdf = await t.app.ledger.cardPdf(await t.actor('admin'), deviceId, 1);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('R-SEC-2: rows older than the raw retention fold into hour rows with the same means; old hours are pruned', async () => {
    const r = repos(t.app.store.db).deviceHealth;
    const before = await r.list(SYSTEM_ACTOR.scope, deviceId, 0);
    const firstHour = Math.floor(before.find((x) => x.lost_packets === 3)!.at_ms / HOUR_MS) * HOUR_MS;
    const inFirstHour = before.filter((x) => x.at_ms >= firstHour && x.at_ms < firstHour + HOUR_MS);
    t.clock.advance(3 * HOUR_MS);
    await sampler.sample();
    const after = await r.list(SYSTEM_ACTOR.scope, deviceId, 0);
    const hour = after.find((x) => x.span_ms === HOUR_MS && x.at_ms === firstHour)!;
    expect(hour.samples).toBe(inFirstHour.length);
    expect(hour.online_permille).toBe(Math.round(inFirstHour.reduce((n, x) => n + x.online_permille, 0) / inFirstHour.length));
    expect(hour.lost_packets).toBe(3);
    expect(after.filter((x) => x.span_ms < HOUR_MS && x.at_ms < firstHour + HOUR_MS)).toEqual([]);
    t.clock.advance(30 * HOUR_MS);
    await sampler.sample();
    expect((await r.list(SYSTEM_ACTOR.scope, deviceId, 0)).filter((x) => x.span_ms === HOUR_MS && x.at_ms === firstHour)).toEqual([]);
  });

  it('R-SEC-4: an operator of another node cannot read the card', async () => {
    const admin = await t.actor('admin');
    const own = (await t.app.ledger.ledger.get(admin, deviceId)).orgNodeId;
    const tree = await t.app.org.tree(admin);
    const other = tree.find((n) => n.kind === 'site' && n.id !== own) ?? tree.find((n) => n.name === '玄武区');
    await t.app.users.create(admin, { username: 'far_op', displayName: '外点巡查员', role: 'operator', orgNodeId: other!.id, password: 'Far-Op-Passw0rd-1' });
    await expect(t.app.ledger.card(await t.actor('far_op'), deviceId, 1)).rejects.toThrow();
  });

  it('R-SEC-1, R-SEC-2: devices that are not cameras have a health history too: the node\'s own server, and an NVR registered over GB/T 28181 online or offline as its registration says; a UPS nothing measures has none', async () => {
    const admin = await t.actor('admin');
    const siteId = (await t.app.ledger.ledger.get(admin, deviceId)).orgNodeId;
    const r = repos(t.app.store.db);
    const sipId = '32010600001180000001';
    const lowerId = await r.cascade.insertLower({ sip_id: sipId, name: '考点硬盘录像机', kind: 'device', org_node_id: siteId, ha1: '0'.repeat(32), ha1_sm3: null, gb_version: null, auth_algorithm: null, enabled: 1, online: 0, registered_at_ms: null, expires_at_ms: null, last_keepalive_ms: null, contact_host: null, contact_port: null, transport: null, catalog_at_ms: null, channel_count: 0, created_at_ms: 0, updated_at_ms: 0 });
    const nvr = await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'nvr', code: sipId, name: '硬盘录像机', responsibleName: '张三' }));
    const ups = await t.app.ledger.ledger.create(admin, deviceBody.parse({ orgNodeId: siteId, deviceClass: 'ups', code: 'UPS-1', name: '不间断电源', responsibleName: '张三' }));
    const server = (await t.app.ledger.ledger.list(admin)).find((d) => d.code === 'NODE-SERVER')!;
    t.clock.advance(60_000);
    await sampler.sample(); // the NVR has not registered: offline
    await r.cascade.setStatus(lowerId, { online: 1 }, t.clock.nowMs());
    t.clock.advance(60_000);
    await sampler.sample();
    const card = await t.app.ledger.card(admin, nvr.id, 1);
    expect(card.health.spans.map((x) => x.state)).toEqual(['offline', 'online']);
    expect(card.health.summary).toMatchObject({ onlineRatio: 0.5, recordingRatio: null, meanBitrateKbps: null, samples: 2 });
    expect((await t.app.ledger.card(admin, server.id, 1)).health.spans.map((x) => x.state)).toEqual(['online']);
    expect((await t.app.ledger.card(admin, ups.id, 1)).health.points).toEqual([]); // not measured: no row, never shown online
  });
});
