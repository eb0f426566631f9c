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

  it('R-FN-3 R-DIS-2: PresetQuery, ConfigDownload, MobilePosition and non-PTZ DeviceControl get a Response with a correct Result; TeleBoot and StopRecord are refused', async () => {
    const xmlOf = async (root: string, cmdType: string, deviceId: string, body: string): Promise<string> => {
      const sn = upper.node.nextSn();
      const before = upper.received.length;
      const text = `<?xml version="1.0" encoding="GB2312"?>\r\n<${root}><CmdType>${cmdType}</CmdType><SN>${sn}</SN><DeviceID>${deviceId}</DeviceID>${body}</${root}>\r\n`;
      expect((await upper.node.message(dest, SITE.id, text)).status).toBe(200);
      await until(`answer to ${cmdType}`, () => upper.received.slice(before).some((r) => r.msg?.sn === sn));
      return Buffer.from(upper.received.slice(before).find((r) => r.msg?.sn === sn)!.req.body).toString('latin1');
    };
    const cam = gbCodes[0];
    expect(await xmlOf('Query', 'PresetQuery', cam, '')).toMatch(/<PresetList Num="0">/);
    const cfg = await xmlOf('Query', 'ConfigDownload', SITE.id, '<ConfigType>BasicParam/VideoParamOpt</ConfigType>');
    expect(cfg).toMatch(/<Result>OK<\/Result>/);
    expect(cfg).toMatch(/<HeartBeatInterval>1<\/HeartBeatInterval>/);
    expect(cfg).toMatch(/<DownloadSpeed>1\/2\/4\/8<\/DownloadSpeed>/);
    expect(await xmlOf('Query', 'MobilePosition', cam, '')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', SITE.id, '<TeleBoot>Boot</TeleBoot>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', cam, '<RecordCmd>StopRecord</RecordCmd>')).toMatch(/<Result>ERROR<\/Result>/);
    expect(await xmlOf('Control', 'DeviceControl', cam, '<AlarmCmd>ResetAlarm</AlarmCmd>')).toMatch(/<Result>OK<\/Result>/);
    expect(await xmlOf('Query', 'Alarm', SITE.id, '')).toMatch(/<Result>OK<\/Result>/);
    const audits = await site.t.app.store.db.selectFrom('audit_log').select(['action', 'outcome']).where('action', '=', 'cascade.control').execute();
    expect(audits.map((a) => a.outcome).sort()).toEqual(['denied', 'denied', 'ok']);
  });
});
