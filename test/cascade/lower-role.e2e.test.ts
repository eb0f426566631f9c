// The lower role (a site) against a scripted upper on a real socket (issue 15): answers over UDP
// split so every SIP message stays under 1300 bytes with SumNum/Num paging (defect 5); catalog
// changes are not notified to an upper that holds no subscription (defect 7). R-FN-3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SipDestination } from '../../src/gb28181/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { RawUpper } from './raw-upper.ts';
import { PASSWORD, SITE, sleep, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

const UPPER = { id: '32010000002000000001', domain: '3201000000' };
const CAMERAS = 30;

describe('lower role against a scripted upper (R-FN-3, issue 15 defects 5 and 7)', () => {
  let site: Level;
  let upper: RawUpper;
  let dest: SipDestination;
  const gbCodes: string[] = [];

  beforeAll(async () => {
    upper = await RawUpper.start(UPPER.id);
    site = await startLevel(SITE, undefined, {
      sip: { upper: { id: UPPER.id, host: '127.0.0.1', port: upper.port, password: PASSWORD, transport: 'udp', keepaliveS: 1, expiresS: 3600 } },
    });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    for (let i = 0; i < CAMERAS; i++) {
      const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: `第${i + 1}考场 教室前门高清网络摄像机 主码流`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${i}/main`, subStream: '/none', host: '127.0.0.1', port: 9 });
      gbCodes.push(c.gbCode);
    }
    await site.cascade.start();
    dest = { host: '127.0.0.1', port: site.cascade.node!.transport.udpPort!, transport: 'udp' };
    await until('site registered', () => upper.registered && site.cascade.link!.registered);
  }, 60_000);

  afterAll(async () => {
    await stopLevels([site]);
    await upper?.close();
  });

  it('R-FN-3: a catalog of 30 long-named cameras comes over UDP in messages under 1300 bytes each, complete by SumNum', async () => {
    const sn = upper.node.nextSn();
    const answers = await upper.ask(dest, SITE.id, { kind: 'catalog-query', sn, deviceId: SITE.id });
    const items = answers.flatMap((a) => (a.kind === 'catalog-response' ? a.items : []));
    expect(items.map((i) => i.deviceId)).toEqual(expect.arrayContaining(gbCodes));
    expect(new Set(answers.map((a) => (a.kind === 'catalog-response' ? a.sumNum : -1)))).toEqual(new Set([items.length]));
    const wire = upper.received.filter((r) => r.msg?.sn === sn);
    expect(wire.length).toBeGreaterThan(2);
    for (const r of wire) expect(r.bytes).toBeLessThanOrEqual(1300);
  });

  it('R-FN-3: a catalog change is not notified to an upper that never subscribed (no Notify/Catalog MESSAGE)', async () => {
    const admin = await site.t.actor('admin');
    const before = upper.received.length;
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![1];
    await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-new', position: 'rear', sourceKind: 'rtsp', mainStream: '/cam/new/main', subStream: '/none', host: '127.0.0.1', port: 9 });
    expect(await repos(site.t.app.store.db).cameras.list({ kind: 'all' })).toHaveLength(CAMERAS + 1);
    await sleep(1500); // the watcher debounces 100 ms; a notification would be here by now
    const catalogNotes = upper.received.slice(before).filter((r) => r.msg?.kind === 'catalog-notify');
    expect(catalogNotes).toEqual([]);
    expect(upper.received.slice(before).some((r) => r.msg?.kind === 'keepalive')).toBe(true); // the link is alive meanwhile
  });
});
