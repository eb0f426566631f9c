// Equipment ledger and fault tickets on both databases (docs/design/ledger.md). R-SEC-1: a named
// responsible person per device; R-SEC-2: every device classified, coded, in the ledger (cameras by
// themselves) with a card; R-FLT-1: faults ticketed automatically, one ticket for a flapping camera,
// tracked to repair, verified only by measurement, published upward in the same transaction;
// R-ORG-2/R-PRE-1: training records of administrators; R-SEC-4: scope and permission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

describe.each(DIALECTS)('ledger and fault tickets on %s', (dialect) => {
  let t: TestApp;
  let siteId = 0;
  let xuanwuId = 0;
  let roomId = 0;
  let cameraId = 0;
  const status = (state: 'online' | 'error') => t.app.events.emit('camera.status', { cameraId, state, recording: state === 'online', atMs: t.clock.nowMs(), reason: state === 'error' ? 'timeout' : undefined });

  beforeAll(async () => {
    t = await createTestApp(dialect, { app: { ledger: { offlineAfterMs: 120_000, flapCount: 1000, verifyHealthyMs: 60_000, tickIntervalMs: 3_600_000 } } });
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    siteId = nodes.find((n) => n.kind === 'site')!.id;
    xuanwuId = nodes.find((n) => n.name === '玄武区')!.id;
    roomId = (await repos(t.app.store.db).rooms.list(SYSTEM_ACTOR.scope)).find((r) => r.site_id === siteId)!.id;
    cameraId = (await t.app.devices.createCamera(admin, { roomId, name: '前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9' })).id;
    await t.app.users.create(admin, { username: 'xw_admin', displayName: '玄武管理员', role: 'admin', orgNodeId: xuanwuId, password: 'Xuanwu-Adm1n-Passw0rd' });
    await t.app.users.create(admin, { username: 'site_op', displayName: '考点巡查员', role: 'operator', orgNodeId: siteId, password: 'Site-Op-Passw0rd-1' });
    await t.app.ledger.start();
  });
  afterAll(async () => {
    await t?.app.ledger.stop();
    await t?.close();
  });

  it('R-SEC-2: a camera appears in the ledger by itself, linked, coded with its GB code', async () => {
    const devices = await t.app.ledger.ledger.list(await t.actor('admin'));
    const cam = devices.find((d) => d.cameraId === cameraId);
    expect(cam).toMatchObject({ deviceClass: 'camera', orgNodeId: siteId, roomId });
    expect(cam!.code).toMatch(/^\d{20}$/);
  });

  it('R-SEC-1/R-SEC-4: an NVR with a responsible person; other districts do not see it; an operator cannot add', async () => {
    const admin = await t.actor('admin');
    const nvr = await t.app.ledger.ledger.create(admin, { orgNodeId: siteId, roomId: null, deviceClass: 'nvr', code: 'NVR-01', name: '硬盘录像机1', model: 'DS-7616', serial: 'SN123', firmware: 'V4.1', installedOnMs: Date.UTC(2024, 0, 1), warrantyUntilMs: Date.UTC(2027, 0, 1), responsibleName: '张三', responsiblePhone: '13800000000' });
    expect(nvr.responsibleName).toBe('张三');
    expect((await t.app.ledger.ledger.get(admin, nvr.id)).serial).toBe('SN123');
    expect((await t.app.ledger.ledger.list(await t.actor('xw_admin'))).map((d) => d.id)).not.toContain(nvr.id);
    await expect(t.app.ledger.ledger.get(await t.actor('xw_admin'), nvr.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.app.ledger.ledger.create(await t.actor('site_op'), { orgNodeId: siteId, roomId: null, deviceClass: 'ups', code: 'UPS-1', name: 'UPS', model: '', serial: '', firmware: '', installedOnMs: null, warrantyUntilMs: null, responsibleName: '', responsiblePhone: '' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.app.ledger.ledger.create(admin, { ...nvr, orgNodeId: siteId, roomId: null, code: 'NVR-01' })).rejects.toMatchObject({ code: 'conflict' });
    const item = await repos(t.app.store.db).uplink.listItems(SYSTEM_ACTOR.scope, { topic: 'ledger.device' });
    expect(item.some((i) => i.item_key === 'NVR-01')).toBe(true);
  });

  it('R-FLT-1: a camera offline past the limit opens one ticket; flapping adds to it; verify by hand is refused; back online verifies it', async () => {
    const admin = await t.actor('admin');
    status('error');
    t.clock.advance(60_000);
    await t.app.ledger.monitor.tick();
    expect(await t.app.ledger.faults.list(admin, { state: 'unverified' })).toHaveLength(0); // not yet past offlineAfterMs
    t.clock.advance(61_000);
    await t.app.ledger.monitor.tick();
    await t.app.ledger.monitor.tick();
    let open = await t.app.ledger.faults.list(admin, { state: 'unverified' });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'offline', state: 'open', origin: 'auto', faultCount: 1 });
    const id = open[0]!.id;
    // Flapping: 20 downs and ups in a few seconds still make one ticket.
    for (let i = 0; i < 20; i++) {
      status('online');
      t.clock.advance(1_000);
      status('error');
      t.clock.advance(1_000);
    }
    await t.app.ledger.monitor.tick();
    open = await t.app.ledger.faults.list(admin, { state: 'unverified' });
    expect(open).toHaveLength(1);
    expect(open[0]!.faultCount).toBe(21);
    await expect(t.app.ledger.faults.act(admin, id, 'verify')).rejects.toMatchObject({ code: 'conflict' });
    await expect(t.app.ledger.faults.act(await t.actor('site_op'), id, 'acknowledge')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.app.ledger.faults.act(await t.actor('xw_admin'), id, 'acknowledge')).rejects.toMatchObject({ code: 'not_found' });
    await t.app.ledger.faults.act(admin, id, 'acknowledge');
    await t.app.ledger.faults.act(admin, id, 'start_repair', '更换网线');
    let d = await t.app.ledger.faults.act(admin, id, 'mark_repaired');
    expect(d.state).toBe('repaired');
    // Still down: a repaired ticket is not verified however long we wait.
    t.clock.advance(120_000);
    await t.app.ledger.monitor.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired');
    status('online');
    await t.app.ledger.monitor.tick();
    t.clock.advance(30_000);
    await t.app.ledger.monitor.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired'); // healthy 30 s < 60 s
    t.clock.advance(31_000);
    await t.app.ledger.monitor.tick();
    d = await t.app.ledger.faults.get(admin, id);
    expect(d.state).toBe('verified');
    expect(d.verifiedAtMs).not.toBeNull();
    expect(d.events.map((e) => e.toState)).toEqual(['open', 'acknowledged', 'repairing', 'repaired', 'verified']);
    expect(d.events.at(-1)!.actor).toBe('system');
    // Upward: the verified ticket is the item on the channel.
    const items = await repos(t.app.store.db).uplink.listItems(SYSTEM_ACTOR.scope, { topic: 'fault.ticket' });
    const item = items.find((i) => i.item_key === String(id));
    expect(JSON.parse(item!.body!)).toMatchObject({ id, state: 'verified' });
    // Audited.
    const audit = await t.app.store.db.selectFrom('audit_log').select(['action', 'outcome']).where('object_type', '=', 'fault_ticket').where('object_id', '=', String(id)).execute();
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual(expect.arrayContaining(['fault.ticket.verify:denied', 'fault.ticket.acknowledge:ok', 'fault.ticket.mark_repaired:ok']));
  });

  it('R-FLT-1: a fault seen again after "repaired" sends the ticket back to repairing; a manual ticket opens and joins', async () => {
    const admin = await t.actor('admin');
    const device = (await t.app.ledger.ledger.list(admin)).find((x) => x.code === 'NVR-01')!;
    const opened = await t.app.ledger.faults.open(admin, { deviceId: device.id, kind: 'manual', summary: '风扇异响' });
    expect(opened).toMatchObject({ state: 'open', origin: 'manual', openedBy: 'admin' });
    const again = await t.app.ledger.faults.open(admin, { deviceId: device.id, kind: 'manual', summary: '风扇异响' });
    expect(again.id).toBe(opened.id);
    expect(again.faultCount).toBe(2);
    await t.app.ledger.faults.act(admin, opened.id, 'start_repair');
    await t.app.ledger.faults.act(admin, opened.id, 'mark_repaired');
    await t.app.ledger.faults.recordFault(device.id, 'manual', '仍有异响');
    const back = await t.app.ledger.faults.get(admin, opened.id);
    expect(back.state).toBe('repairing');
    expect(back.events.at(-1)).toMatchObject({ action: 'fault_again', fromState: 'repaired', toState: 'repairing' });
  });

  it('R-CITY-4: a camera replaced while its ticket is open (serial changed by hand) is verified only after the replacement passes the conformance check', async () => {
    const admin = await t.actor('admin');
    const row = (await t.app.ledger.ledger.list(admin)).find((d) => d.cameraId === cameraId)!;
    await t.app.ledger.ledger.update(admin, row.id, { ...row, serial: 'OLD-SN-1' }); // first serial known: no replacement
    status('error');
    t.clock.advance(121_000);
    await t.app.ledger.monitor.tick();
    const id = (await t.app.ledger.faults.list(admin, { state: 'unverified' })).find((x) => x.cameraId === cameraId && x.kind === 'offline')!.id;
    expect((await t.app.ledger.faults.get(admin, id)).events.map((e) => e.action)).not.toContain('device_replaced');
    await t.app.ledger.faults.act(admin, id, 'start_repair', '更换摄像机');
    await t.app.ledger.ledger.update(admin, row.id, { ...row, serial: 'NEW-SN-2' });
    await t.app.ledger.faults.act(admin, id, 'mark_repaired');
    status('online');
    await t.app.ledger.monitor.tick();
    t.clock.advance(61_000);
    await t.app.ledger.monitor.tick();
    let d = await t.app.ledger.faults.get(admin, id);
    expect(d.state).toBe('repaired'); // healthy 61 s, but the replacement has not been checked
    expect(d.events.find((e) => e.action === 'device_replaced')?.note).toContain('OLD-SN-1 → NEW-SN-2');
    await t.app.ledger.faults.recordConformance(row.id, false, '码流不符合标准');
    await t.app.ledger.monitor.tick();
    expect((await t.app.ledger.faults.get(admin, id)).state).toBe('repaired');
    await t.app.ledger.faults.recordConformance(row.id, true, '考前检测符合性检查通过');
    await t.app.ledger.monitor.tick();
    d = await t.app.ledger.faults.get(admin, id);
    expect(d.state).toBe('verified');
    expect(d.events.map((e) => e.action).slice(-2)).toEqual(['conformance_pass', 'verify']);
  });

  it('R-PRE-1/R-ORG-2: training records of an administrator, in scope only', async () => {
    const admin = await t.actor('admin');
    const user = await repos(t.app.store.db).users.byUsername('xw_admin');
    const rec = await t.app.ledger.ledger.addTraining(admin, user!.id, { course: '标准化考点系统管理员培训', trainedOnMs: Date.UTC(2026, 4, 1), certificate: 'JS-2026-001', certifiedUntilMs: Date.UTC(2028, 4, 1) });
    expect(rec).toMatchObject({ username: 'xw_admin', certificate: 'JS-2026-001', recordedBy: 'admin' });
    expect(await t.app.ledger.ledger.training(await t.actor('xw_admin'), user!.id)).toHaveLength(1);
    const adminUser = await repos(t.app.store.db).users.byUsername('admin');
    await expect(t.app.ledger.ledger.addTraining(await t.actor('xw_admin'), adminUser!.id, { course: 'x', trainedOnMs: 0, certificate: '', certifiedUntilMs: null })).rejects.toMatchObject({ code: 'not_found' });
  });
});
