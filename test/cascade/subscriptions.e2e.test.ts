// GB/T 28181 subscriptions on loopback (R-FN-3, R-FLT-1, R-PRE-2): a site registers to a city,
// which SUBSCRIBEs to its Catalog and its alarms (Event: presence) with a short Expires (4 s); the
// city registers to a province, which subscribes to the city's catalog in turn.
// Both dialogs are visible at both ends; catalog changes at the site (a camera added, renamed,
// removed, a camera fault and its recovery) reach the city as NOTIFY events without any new
// catalog query; an alarm arrives once; the dialogs are refreshed before they expire, created
// anew when the site re-registers, ended when the city removes the site; a malformed NOTIFY is
// refused with 400 and changes nothing; NOTIFYs in the site's dialogs from a second socket are refused
// with 403 (R-SEC-6). The city relays the site's catalog events to the province.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CascadeAlarmEvent } from '../../src/cascade/index.ts';
import { buildNotify, formatGbTime, MANSCDP_CONTENT_TYPE, newCallId, parseManscdp, SipTransport } from '../../src/gb28181/index.ts';
import type { AlarmNotify, SipRequest } from '../../src/gb28181/index.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { addLower, addSimCameras, CITY, PROVINCE, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const EXPIRES_S = 4;

describe('GB/T 28181 catalog and alarm subscriptions: city ← site on loopback', () => {
  let sim: Simulator;
  let province: Level;
  let cityLowerId: number;
  let city: Level;
  let site: Level;
  let siteLowerId: number;
  const cams: Record<string, { id: number; gb: string }> = {};
  const cityAlarms: CascadeAlarmEvent[] = [];
  /** What crossed the wire, seen by each side's transport (beside the module's own handler). */
  let catalogQueriesAtSite = 0;
  let catalogQueriesAtCity = 0;
  const subscribesAtSite: Array<{ callId: string; expires: string | undefined }> = [];
  const alarmsAtCity: Array<{ method: string; deviceId: string; alarmMethod: number; description?: string }> = [];

  const observeSite = (): void => {
    site.cascade.node!.transport.on('request', (req: SipRequest) => {
      if (req.method === 'SUBSCRIBE') subscribesAtSite.push({ callId: req.headers.get('Call-ID') ?? '', expires: req.headers.get('Expires') });
      if (req.method === 'MESSAGE' && parsed(req)?.kind === 'catalog-query') catalogQueriesAtSite++;
    });
  };
  const parsed = (req: SipRequest) => {
    try {
      return parseManscdp(req.body);
    } catch {
      return undefined;
    }
  };
  const fromUpper = () => site.cascade.status().subscriptions.fromUpper;
  const toSite = () => city.cascade.status().subscriptions.toLowers.filter((s) => s.lowerId === siteLowerId);
  const cityChannels = async () => repos(city.t.app.store.db).cascade.channels(siteLowerId);
  const cityChannel = async (gb: string) => (await cityChannels()).find((c) => c.device_id === gb);
  const provinceChannel = async (gb: string) => (await repos(province.t.app.store.db).cascade.channels(cityLowerId)).find((c) => c.device_id === gb);

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }, { id: 'b', audio: 'none' }] });
    province = await startLevel(PROVINCE);
    await province.cascade.start();
    cityLowerId = await addLower(province, CITY.id, '南京市平台');
    city = await startLevel(CITY, province, { sip: { subscribeExpiresS: EXPIRES_S } });
    siteLowerId = await addLower(city, SITE.id, '南京市第一中学考点');
    await city.cascade.start();
    city.cascade.on('alarm', (a) => cityAlarms.push(a));
    city.cascade.node!.transport.on('request', (req: SipRequest) => {
      const m = req.method === 'MESSAGE' || req.method === 'NOTIFY' ? parsed(req) : undefined;
      if (m?.kind === 'alarm') alarmsAtCity.push({ method: req.method, deviceId: m.deviceId, alarmMethod: m.alarmMethod, description: m.alarmDescription });
      if (m?.kind === 'catalog-query') catalogQueriesAtCity++;
    });
    site = await startLevel(SITE, city, { recorder: true });
    Object.assign(cams, await addSimCameras(site, sim.port, ['a', 'b']));
    await site.t.app.recorder.start();
    await site.cascade.start();
    observeSite();
    await until('both cameras online at the site', () => ['a', 'b'].every((n) => site.t.app.recorder.status(cams[n].id)?.state === 'online'));
    await until('both subscriptions in place', () => fromUpper().length === 2 && toSite().filter((s) => s.state === 'active').length === 2);
    await until('the province subscribed to the city', () => city.cascade.status().subscriptions.fromUpper.length === 2);
  });

  afterAll(async () => {
    await stopLevels([site, city, province]);
    await sim?.close();
  });

  it('R-FN-3 R-PRE-2: the city subscribes to Catalog and presence (alarms); the site holds both dialogs, both ends report them', async () => {
    await until('both subscriptions active at the site', () => fromUpper().length === 2);
    await until('both subscriptions active at the city', () => toSite().filter((s) => s.state === 'active').length === 2);
    const now = Date.now();
    expect(fromUpper().map((s) => [s.kind, s.event]).sort()).toEqual([['alarm', 'presence'], ['catalog', 'Catalog']]);
    for (const s of fromUpper()) expect(s.expiresAtMs - now).toBeLessThanOrEqual(EXPIRES_S * 1000 + 200);
    expect(new Set(toSite().map((s) => s.callId))).toEqual(new Set(fromUpper().map((s) => s.callId)));
    // R-PRE-2: the joint-debugging status (GET /api/cascade/status) shows them.
    const status = await site.cascade.service.status(await site.t.actor('admin'));
    expect(status.subscriptions.fromUpper).toHaveLength(2);
    // The catalog subscription brought the whole catalog at once (ADD for every item).
    await until('the city has the site cameras ON', async () => (await cityChannel(cams.a.gb))?.status === 'ON' && (await cityChannel(cams.b.gb))?.status === 'ON');
  });

  it('R-FN-3: a camera added at the site appears at the city and, relayed, at the province within 2 s without a catalog query; renamed and removed likewise', async () => {
    await sleep(500); // the registration's catalog query is long done
    const queries = catalogQueriesAtSite;
    const queriesOfCity = catalogQueriesAtCity;
    const admin = await site.t.actor('admin');
    const rooms = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    const t0 = Date.now();
    const c = await site.t.app.devices.createCamera(admin, { roomId: rooms[2].id, name: 'cam-c 后门', position: 'rear', sourceKind: 'rtsp', mainStream: '/cam/b/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    await until('new camera at the city', async () => (await cityChannel(c.gbCode)) !== undefined, 2000);
    await until('and at the province, through the city', async () => (await provinceChannel(c.gbCode)) !== undefined, 2000);
    expect(Date.now() - t0).toBeLessThan(2000);
    const added = (await cityChannel(c.gbCode))!;
    expect(added).toMatchObject({ name: 'cam-c 后门', item_kind: 'channel', parent_id: rooms[2].gbCode });
    await until('its channel count grew', async () => Number((await repos(city.t.app.store.db).cascade.getLower({ kind: 'all' }, siteLowerId))!.channel_count) === 3, 2000);
    await site.t.app.devices.updateCamera(admin, c.id, { name: 'cam-c 侧门' });
    await until('renamed at the city', async () => (await cityChannel(c.gbCode))?.name === 'cam-c 侧门', 2000);
    await site.t.app.devices.deleteCamera(admin, c.id);
    await until('removed at the city', async () => (await cityChannel(c.gbCode)) === undefined, 2000);
    await until('removed at the province', async () => (await provinceChannel(c.gbCode)) === undefined, 2000);
    expect(catalogQueriesAtSite).toBe(queries); // events only: the city never asked for the catalog again
    expect(catalogQueriesAtCity).toBe(queriesOfCity); // nor the province the city's
  });

  it('R-FLT-1: a camera fault makes its channel OFF at the city and ON after recovery; the video-loss alarm arrives once, as NOTIFY', async () => {
    const queries = catalogQueriesAtSite;
    const alarmsBefore = cityAlarms.length;
    const wireBefore = alarmsAtCity.length;
    const t0 = Date.now();
    sim.fault('a', { type: 'drop', durationMs: 4000 });
    await until('channel OFF at the city', async () => (await cityChannel(cams.a.gb))?.status === 'OFF', 15_000);
    await until('video-loss alarm at the city', () => cityAlarms.slice(alarmsBefore).some((a) => a.deviceId === cams.a.gb && a.method === 2), 15_000);
    await until('channel ON again at the city', async () => (await cityChannel(cams.a.gb))?.status === 'ON', 20_000);
    await sleep(1500); // room for a late duplicate
    const videoLoss = cityAlarms.slice(alarmsBefore).filter((a) => a.deviceId === cams.a.gb && a.method === 2);
    expect(videoLoss).toHaveLength(1);
    const stored = await city.t.app.store.db.selectFrom('cascade_alarm').selectAll().where('device_id', '=', cams.a.gb).where('method', '=', 2).where('received_at_ms', '>=', t0).execute();
    expect(stored).toHaveLength(1);
    // The fault clears where it was reported (issue 15 defect 6): at the city and, relayed, at the province.
    const openAt = (l: typeof city) => l.t.app.store.db.selectFrom('cascade_alarm').select('cleared_at_ms').where('device_id', '=', cams.a.gb).where('method', '=', 2).where('received_at_ms', '>=', t0).execute();
    await until('alarm cleared at the city', async () => (await openAt(city)).every((a) => a.cleared_at_ms !== null), 10_000);
    await until('alarm at the province, cleared there too', async () => {
      const rows = await openAt(province);
      return rows.length === 1 && rows[0].cleared_at_ms !== null;
    }, 10_000);
    // Sent in the alarm subscription, not also as MESSAGE; every alarm of this fault once.
    const wire = alarmsAtCity.slice(wireBefore).filter((x) => x.deviceId === cams.a.gb);
    expect(wire.filter((x) => x.alarmMethod === 2).map((x) => x.method)).toEqual(['NOTIFY']);
    expect(wire.every((x) => x.method === 'NOTIFY')).toBe(true);
    const keys = cityAlarms.slice(alarmsBefore).filter((a) => a.deviceId === cams.a.gb).map((a) => `${a.method}|${a.alarmAtMs}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(catalogQueriesAtSite).toBe(queries); // a subscribed lower is not re-queried after its alarms
  });

  it('R-FLT-1: an alarm a lower sends both as MESSAGE and as NOTIFY is stored and emitted once', async () => {
    const alarm: AlarmNotify = { kind: 'alarm', sn: 0, deviceId: cams.b.gb, alarmPriority: 2, alarmMethod: 5, alarmTime: formatGbTime(Date.now()), alarmDescription: '重复报警 duplicate test', alarmType: 2 };
    const node = site.cascade.node!;
    const res = await node.message(site.cascade.link!.destination, CITY.id, { ...alarm, sn: node.nextSn() });
    expect(res.status).toBe(200);
    site.cascade.lowerSubs!.publishAlarm(() => ({ ...alarm, sn: node.nextSn() }));
    await until('both copies reached the city', () => alarmsAtCity.filter((x) => x.description === alarm.alarmDescription).length === 2, 5000);
    await sleep(500);
    expect(alarmsAtCity.filter((x) => x.description === alarm.alarmDescription).map((x) => x.method).sort()).toEqual(['MESSAGE', 'NOTIFY']);
    expect(cityAlarms.filter((a) => a.description === alarm.alarmDescription)).toHaveLength(1);
    const rows = await city.t.app.store.db.selectFrom('cascade_alarm').selectAll().where('description', '=', alarm.alarmDescription!).execute();
    expect(rows).toHaveLength(1);
  });

  it(`R-FN-3: the subscriptions are refreshed inside their dialogs before they expire (Expires ${EXPIRES_S} s)`, async () => {
    const before = new Map(fromUpper().map((s) => [s.callId, s.refreshes]));
    expect(before.size).toBe(2);
    await sleep(EXPIRES_S * 2.5 * 1000);
    const after = fromUpper();
    expect(new Set(after.map((s) => s.callId))).toEqual(new Set(before.keys())); // same dialogs, never re-created
    for (const s of after) {
      expect(s.refreshes).toBeGreaterThanOrEqual(before.get(s.callId)! + 2);
      expect(s.expiresAtMs).toBeGreaterThan(Date.now());
    }
    expect(toSite().every((s) => s.state === 'active' && s.refreshes >= 2)).toBe(true);
  });

  it('R-FN-3: a malformed NOTIFY body is refused with 400 and changes nothing; a NOTIFY outside any subscription gets 481', async () => {
    const before = await cityChannels();
    const node = site.cascade.node!;
    const dialog = site.cascade.lowerSubs!.dialogOf('catalog')!;
    const notify = (body: string) => buildNotify(dialog, { contact: node.contact(), event: { package: 'Catalog' }, state: { state: 'active', expiresS: EXPIRES_S }, body: Buffer.from(body), contentType: MANSCDP_CONTENT_TYPE });
    const item = (event: string) => `<Item><DeviceID>${cams.a.gb}</DeviceID><Event>${event}</Event></Item>`;
    const bodies = [
      `<?xml version="1.0"?><Notify><CmdType>Catalog</CmdType><SN>x1</SN><DeviceID>${SITE.id}</DeviceID><SumNum>1</SumNum><DeviceList Num="1">${item('DEL')}</DeviceList></Notify>`, // SN not a number
      `<?xml version="1.0"?><Notify><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>${SITE.id}</DeviceID><SumNum>2</SumNum><DeviceList Num="2">${item('OFF')}${item('EXPLODE')}</DeviceList></Notify>`, // unknown event
      `<?xml version="1.0"?><Notify><CmdType>Catalog</CmdType><SN>8</SN><DeviceID>${SITE.id}</DeviceID><DeviceList><Item><Event>DEL</Event></Item>`, // truncated XML
    ];
    for (const b of bodies) expect((await node.transport.request(notify(b), dialog.destination)).status).toBe(400);
    const stray = notify(`<?xml version="1.0"?><Notify><CmdType>Catalog</CmdType><SN>9</SN><DeviceID>${SITE.id}</DeviceID><SumNum>1</SumNum><DeviceList Num="1">${item('DEL')}</DeviceList></Notify>`);
    stray.headers.set('Call-ID', newCallId());
    expect((await node.transport.request(stray, dialog.destination)).status).toBe(481);
    await sleep(300);
    expect(await cityChannels()).toEqual(before);
  });

  it('R-SEC-6: NOTIFYs in the site\'s own dialogs (catalog ADD, alarm) sent from a second UDP socket are refused 403 and store nothing (issue 13 item 2)', async () => {
    // The spoofer knows everything an on-path observer would: Call-ID, tags, the site's id. Only
    // its source address:port differs from the site's registration.
    const spoofer = await SipTransport.listen({ host: '127.0.0.1', udpPort: 0 });
    try {
      const node = site.cascade.node!;
      const injected = '32010600001320000777';
      const catalogDialog = site.cascade.lowerSubs!.dialogOf('catalog')!;
      const alarmDialog = site.cascade.lowerSubs!.dialogOf('alarm')!;
      const catalogBody = `<?xml version="1.0"?><Notify><CmdType>Catalog</CmdType><SN>77</SN><DeviceID>${SITE.id}</DeviceID><SumNum>1</SumNum><DeviceList Num="1"><Item><DeviceID>${injected}</DeviceID><Name>INJECTED-777</Name><Event>ADD</Event><ParentID>${SITE.id}</ParentID><Status>ON</Status></Item></DeviceList></Notify>`;
      const alarmBody = `<?xml version="1.0"?><Notify><CmdType>Alarm</CmdType><SN>78</SN><DeviceID>${cams.a.gb}</DeviceID><AlarmPriority>1</AlarmPriority><AlarmMethod>2</AlarmMethod><AlarmTime>${formatGbTime(Date.now())}</AlarmTime><AlarmDescription>INJECTED alarm by NOTIFY</AlarmDescription></Notify>`;
      const catalogNotify = buildNotify(catalogDialog, { contact: node.contact(), event: { package: 'Catalog' }, state: { state: 'active', expiresS: EXPIRES_S }, body: Buffer.from(catalogBody), contentType: MANSCDP_CONTENT_TYPE });
      const alarmNotify = buildNotify(alarmDialog, { contact: node.contact(), event: { package: 'presence' }, state: { state: 'active', expiresS: EXPIRES_S }, body: Buffer.from(alarmBody), contentType: MANSCDP_CONTENT_TYPE });
      expect((await spoofer.request(catalogNotify, catalogDialog.destination)).status).toBe(403);
      expect((await spoofer.request(alarmNotify, alarmDialog.destination)).status).toBe(403);
      await sleep(500); // anything wrongly accepted would be stored by now
      expect(await cityChannel(injected)).toBeUndefined();
      expect((await cityChannels()).map((c) => c.name)).not.toContain('INJECTED-777');
      expect(alarmsAtCity.some((a) => a.description === 'INJECTED alarm by NOTIFY')).toBe(true); // it did arrive…
      expect(cityAlarms.some((a) => a.description === 'INJECTED alarm by NOTIFY')).toBe(false); // …and was not believed
      const rows = await city.t.app.store.db.selectFrom('cascade_alarm').selectAll().where('description', '=', 'INJECTED alarm by NOTIFY').execute();
      expect(rows).toHaveLength(0);
      // The same bodies from the site's registered socket are believed (so the source is what refused them).
      const realAlarm = buildNotify(alarmDialog, { contact: node.contact(), event: { package: 'presence' }, state: { state: 'active', expiresS: EXPIRES_S }, body: Buffer.from(alarmBody.replace('INJECTED', 'REAL')), contentType: MANSCDP_CONTENT_TYPE });
      expect((await node.transport.request(realAlarm, alarmDialog.destination)).status).toBe(200);
      await until('the real alarm is stored', () => cityAlarms.some((a) => a.description === 'REAL alarm by NOTIFY'), 5000);
      const realAdd = buildNotify(catalogDialog, { contact: node.contact(), event: { package: 'Catalog' }, state: { state: 'active', expiresS: EXPIRES_S }, body: Buffer.from(catalogBody), contentType: MANSCDP_CONTENT_TYPE });
      expect((await node.transport.request(realAdd, catalogDialog.destination)).status).toBe(200);
      await until('the real ADD is applied', async () => (await cityChannel(injected)) !== undefined, 5000);
      const realDel = buildNotify(catalogDialog, { contact: node.contact(), event: { package: 'Catalog' }, state: { state: 'active', expiresS: EXPIRES_S }, body: Buffer.from(catalogBody.replace('<Event>ADD</Event>', '<Event>DEL</Event>')), contentType: MANSCDP_CONTENT_TYPE });
      expect((await node.transport.request(realDel, catalogDialog.destination)).status).toBe(200);
      await until('and removed again', async () => (await cityChannel(injected)) === undefined, 5000);
    } finally {
      await spoofer.close();
    }
  });

  it('R-FN-3: the subscriptions are created anew after the site re-registers (restart: new Call-ID)', async () => {
    const old = new Set(fromUpper().map((s) => s.callId));
    await site.cascade.stop();
    await site.cascade.start();
    observeSite();
    await until('new subscriptions at the restarted site', () => fromUpper().length === 2 && fromUpper().every((s) => !old.has(s.callId)), 20_000);
    await until('and active at the city', () => toSite().length === 2 && toSite().every((s) => s.state === 'active' && !old.has(s.callId)), 5000);
  });

  it('R-FN-3: disabling the site at the city ends its subscriptions and takes it offline, without a fault alarm; enabling it again restores both', async () => {
    const callIds = new Set(fromUpper().map((s) => s.callId));
    const admin = await city.t.actor('admin');
    const cityRepo = () => repos(city.t.app.store.db).cascade;
    const alarmsBefore = (await cityRepo().alarms([siteLowerId], 1000)).length;
    const off = await city.cascade.service.updateLower(admin, siteLowerId, { enabled: false });
    expect(off).toMatchObject({ enabled: false, online: false });
    await until('no subscription left at the site', () => fromUpper().length === 0, 5000);
    expect(toSite()).toEqual([]);
    expect(new Set(subscribesAtSite.filter((s) => callIds.has(s.callId) && s.expires === '0').map((s) => s.callId))).toEqual(callIds);
    await sleep(2500); // keepalives and a re-REGISTER meanwhile: all refused
    expect(Boolean((await cityRepo().getLower({ kind: 'all' }, siteLowerId))!.online)).toBe(false);
    expect(fromUpper()).toEqual([]);
    expect((await cityRepo().alarms([siteLowerId], 1000)).length).toBe(alarmsBefore);
    await city.cascade.service.updateLower(admin, siteLowerId, { enabled: true });
    await until('the site registered again', async () => Boolean((await cityRepo().getLower({ kind: 'all' }, siteLowerId))!.online), 15_000);
    await until('and is subscribed again', () => toSite().length === 2 && toSite().every((s) => s.state === 'active'), 10_000);
  });

  it('R-FN-3: removing the site at the city ends its subscriptions with Expires: 0', async () => {
    const callIds = new Set(fromUpper().map((s) => s.callId));
    const admin = await city.t.actor('admin');
    await city.cascade.service.deleteLower(admin, siteLowerId);
    await until('no subscription left at the site', () => fromUpper().length === 0, 5000);
    expect(toSite()).toEqual([]);
    const ends = subscribesAtSite.filter((s) => callIds.has(s.callId) && s.expires === '0');
    expect(new Set(ends.map((s) => s.callId))).toEqual(callIds);
    // The city's own catalog lost the site: the province is told (DEL), without asking.
    await until('the site gone at the province', async () => (await provinceChannel(SITE.id)) === undefined && (await provinceChannel(cams.a.gb)) === undefined, 5000);
  });
});
