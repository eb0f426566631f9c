// What the console's 级联 page reads, on both databases (R-FN-3, R-FLT-1, R-PRE-2, R-CITY-2):
// each lower with its channels online/offline, since when it is online or offline and why it went
// offline; alarms with the lower's and the channel's names; the camera that pulls a channel. All of
// it scoped: a district user sees only the lowers hanging under the district.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/cascade/catalog.ts';
import { channelRowOf } from '../../src/cascade/catalog-events.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { CascadeModule } from '../../src/cascade/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const CITY = { id: '32010000002000000001', domain: '3201000000' };
const SITE_A = '32010600002000000001';
const SITE_B = '32010200002000000001';
const CH = ['32010600001310000001', '32010600001310000002', '32010600001310000003'];
const GROUP = '32010600002160000001';

describe.each(DIALECTS)('cascade views for the console on %s', (dialect) => {
  let t: TestApp;
  let m: CascadeModule;
  let a = 0;
  let b = 0;
  let cameraId = 0;
  const t0 = Date.UTC(2026, 5, 7, 0, 0, 0);

  beforeAll(async () => {
    t = await createTestApp(dialect);
    // Not started: no SIP sockets; the service reads what the registry has written.
    m = createCascadeModule(t.app, { settings: { ...CITY, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60 } });
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const gulou = nodes.find((n) => n.name === '鼓楼区')!;
    const xuanwu = nodes.find((n) => n.name === '玄武区')!;
    a = (await m.service.createLower(admin, { sipId: SITE_A, name: '第一中学考点', kind: 'platform', password: 'Lower-Pass-1234', orgNodeId: gulou.id })).id;
    b = (await m.service.createLower(admin, { sipId: SITE_B, name: '玄武考点', kind: 'device', password: 'Lower-Pass-1234', orgNodeId: xuanwu.id })).id;
    await t.app.users.create(admin, { username: 'xw_op', displayName: '玄武巡查员', role: 'operator', orgNodeId: xuanwu.id, password: 'Xuanwu-Op-Passw0rd' });
    await t.app.users.create(admin, { username: 'jj_insp', displayName: '纪检', role: 'inspector', orgNodeId: gulou.id, password: 'Jijian-Passw0rd-1' });

    const r = repos(t.app.store.db).cascade;
    await r.setStatus(a, { online: 1, registered_at_ms: t0, expires_at_ms: t0 + 3600_000, last_keepalive_ms: t0 + 60_000, contact_host: '127.0.0.1', contact_port: 5060, transport: 'udp', channel_count: 3 }, t0);
    const row = (id: string, parent: string, kind: string, status: string | null, name: string) => ({ device_id: id, parent_id: parent, name, item_kind: kind, status, civil_code: null, manufacturer: null, model: null, parental: kind === 'group' ? 1 : 0, updated_at_ms: t0 });
    await r.replaceChannels(a, [row(GROUP, SITE_A, 'group', null, '第01考场'), row(CH[0], GROUP, 'channel', 'ON', '前置'), row(CH[1], GROUP, 'channel', 'ON', '后置'), row(CH[2], GROUP, 'channel', 'OFF', '走廊')]);
    // B went offline twice; the later record counts. A device fault of B's own camera is no offline record.
    const alarm = (lower: number, device: string, method: number, type: number | null, atMs: number, description: string) =>
      r.insertAlarm({ lower_id: lower, device_id: device, priority: 1, method, alarm_type: type, alarm_at_ms: atMs, description, received_at_ms: atMs });
    await r.setStatus(b, { online: 0, registered_at_ms: t0 - 86_400_000, last_keepalive_ms: t0 - 3000_000 }, t0);
    await alarm(b, SITE_B, 6, null, t0 - 7200_000, '下级平台离线 lower platform offline: registration expired');
    await alarm(b, SITE_B, 6, null, t0 - 2900_000, '下级平台离线 lower platform offline: no keepalive for 31 s (3 missed)');
    await alarm(b, '32010200001310000009', 6, 1, t0 - 1000, '磁盘故障');
    await alarm(a, CH[2], 2, 1, t0 + 5000, '视频丢失 camera offline: eof');
    // The city pulls CH[0] as one of its cameras (in the sample site, under 鼓楼区).
    const room = nodes.find((n) => n.kind === 'site')!.rooms![0];
    cameraId = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '考点一前置(市)', position: 'front', sourceKind: 'gb28181', mainStream: CH[0], subStream: '' })).id;
  });
  afterAll(() => t?.close());

  it("R-FN-3: a lower's BusinessGroupID is kept and relayed in the catalog this node gives its own upper (issue 15)", async () => {
    const r = repos(t.app.store.db).cascade;
    const bg = '32010600002150000001';
    await r.upsertChannel(a, channelRowOf({ deviceId: '32010600001310000007', name: '考务室', parentId: GROUP, parental: 0, status: 'ON', businessGroupId: bg }, t0));
    const items = await buildCatalog({ store: t.app.store, cameraOnline: () => false }, CITY.id, { includeRemote: true });
    expect(items.find((i) => i.deviceId === '32010600001310000007')).toMatchObject({ parentId: GROUP, businessGroupId: bg });
    expect(items.find((i) => i.deviceId === CH[0])?.businessGroupId).toBeUndefined(); // the lower named none
    await r.deleteChannel(a, '32010600001310000007');
  });

  it('R-PRE-2: keepalives written in one batch land on each lower (the upper writes them together, issue 15 quieter upper)', async () => {
    const r = repos(t.app.store.db).cascade;
    const before = (await r.getLower({ kind: 'all' }, b))!.last_keepalive_ms;
    await r.touchKeepalives([{ id: a, atMs: t0 + 61_234 }], t0 + 61_500);
    expect(Number((await r.getLower({ kind: 'all' }, a))!.last_keepalive_ms)).toBe(t0 + 61_234);
    expect((await r.getLower({ kind: 'all' }, b))!.last_keepalive_ms).toEqual(before); // untouched
    await r.touchKeepalives([{ id: a, atMs: t0 + 60_000 }, { id: b, atMs: t0 - 3000_000 }], t0); // as set up above
    expect([Number((await r.getLower({ kind: 'all' }, a))!.last_keepalive_ms), Number((await r.getLower({ kind: 'all' }, b))!.last_keepalive_ms)]).toEqual([t0 + 60_000, t0 - 3000_000]);
  });

  it('an admin sees channel states, since-when and why a lower went offline', async () => {
    const lowers = await m.service.listLowers(await t.actor('admin'));
    const la = lowers.find((l) => l.id === a)!;
    const lb = lowers.find((l) => l.id === b)!;
    expect(la).toMatchObject({ online: true, channelCount: 3, channelsOnline: 2, channelsOffline: 1, onlineSinceMs: t0, offlineSinceMs: null, lastError: null });
    expect(lb).toMatchObject({ online: false, channelsOnline: 0, channelsOffline: 0, onlineSinceMs: null, offlineSinceMs: t0 - 2900_000 });
    expect(lb.lastError).toContain('no keepalive for 31 s');
  });

  it('alarms come newest first with the lower and channel names', async () => {
    const alarms = await m.service.alarms(await t.actor('admin'), { limit: 10 });
    expect(alarms.map((x) => x.receivedAtMs)).toEqual([...alarms.map((x) => x.receivedAtMs)].sort((x, y) => y - x));
    expect(alarms[0]).toMatchObject({ lowerId: a, deviceId: CH[2], lowerName: '第一中学考点', channelName: '走廊', method: 2, alarmType: 1 });
    expect(alarms.find((x) => x.deviceId === SITE_B)).toMatchObject({ lowerName: '玄武考点', channelName: null });
  });

  it('a channel names the camera that pulls it, only inside the viewer\'s scope', async () => {
    const { channels } = await m.service.channels(await t.actor('admin'), a);
    expect(channels.find((c) => c.deviceId === CH[0])?.cameraId).toBe(cameraId);
    expect(channels.filter((c) => c.deviceId !== CH[0]).every((c) => c.cameraId === null)).toBe(true);
  });

  it('R-CITY-2: a district operator sees only the district\'s lower and its alarms; an inspector is refused (R-ACC-1)', async () => {
    const op = await t.actor('xw_op');
    expect((await m.service.listLowers(op)).map((l) => l.id)).toEqual([b]);
    expect((await m.service.alarms(op, { limit: 10 })).every((x) => x.lowerId === b)).toBe(true);
    // Another district's lower named in ?lowerId= is refused 404 and the refusal audited (issue 13, R-SEC-4, R-ACC-1).
    await expect(m.service.alarms(op, { lowerId: a, limit: 10 })).rejects.toMatchObject({ code: 'not_found' });
    const refused = (await repos(t.app.store.db).audit.list({ kind: 'all' }, { username: 'xw_op', outcome: 'denied', action: 'cascade.read' })).records;
    expect(refused.some((x) => x.object_type === 'lower_platform' && x.object_id === String(a))).toBe(true);
    const err = await m.service.channels(op, a).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('not_found');
    const insp = await t.actor('jj_insp');
    for (const call of [() => m.service.listLowers(insp), () => m.service.status(insp), () => m.service.alarms(insp, { limit: 10 })]) {
      const e = await (call() as Promise<unknown>).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('forbidden');
    }
    const denied = (await repos(t.app.store.db).audit.list({ kind: 'all' }, { username: 'jj_insp', outcome: 'denied', action: 'cascade.read' })).records;
    expect(denied.filter((x) => x.action === 'cascade.read').length).toBeGreaterThanOrEqual(3);
  });
});
