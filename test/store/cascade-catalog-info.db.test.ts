// Catalog <Info> both ways, on both databases (issue 15 "Catalog: 2022 <Info> fields"; R-FN-3):
// a lower's 2016/2022 Info fields are read, malformed ones left out (the item kept), stored and
// given to our own upper unchanged (province ← city ← site); our own cameras carry what this node
// knows about them and nothing else; a 2016 upper also finds BusinessGroupID inside <Info>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog, businessGroupId, onvifCapability } from '../../src/cascade/catalog.ts';
import { channelRowOf } from '../../src/cascade/catalog-events.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import { encodeManscdp, parseManscdpText } from '../../src/gb28181/index.ts';
import type { CatalogItem } from '../../src/gb28181/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/databases.ts';

const CITY = { id: '32010000002000000001', domain: '3201000000' };
const SITE = '32010600002000000001';
const CH_2016 = '32010600001310000001';
const CH_2022 = '32010600001310000002';

// As a Hikvision NVR (2016) and a 2022 platform send them: BusinessGroupID inside Info (2016) or on the Item (2022).
const LOWER_CATALOG = `<?xml version="1.0" encoding="GB2312"?>
<Response><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>${SITE}</DeviceID><SumNum>2</SumNum><DeviceList Num="2">
<Item><DeviceID>${CH_2016}</DeviceID><Name>前门</Name><Parental>0</Parental><ParentID>${SITE}</ParentID><Status>ON</Status>
<Info><PTZType>1</PTZType><PositionType>8</PositionType><RoomType>2</RoomType><UseType>1</UseType><SupplyLightType>2</SupplyLightType><DirectionType>3</DirectionType><Resolution>5/6</Resolution><BusinessGroupID>32010600002150000009</BusinessGroupID><DownloadSpeed>1/2/4</DownloadSpeed><SVCSpaceSupportMode>0</SVCSpaceSupportMode><SVCTimeSupportMode>0</SVCTimeSupportMode></Info></Item>
<Item><DeviceID>${CH_2022}</DeviceID><Name>后门</Name><Parental>0</Parental><ParentID>${SITE}</ParentID><Status>OFF</Status><BusinessGroupID>32010600002150000009</BusinessGroupID><SecurityLevelCode>B</SecurityLevelCode>
<Info><PTZType>1/2</PTZType><PhotoelectricImagingType>1/9</PhotoelectricImagingType><StreamNumberList>0/1</StreamNumberList><MAC>no-mac</MAC><DirectionType>12</DirectionType><PointType>2</PointType><ManagementUnit>第一中学</ManagementUnit><VendorX>1</VendorX></Info></Item>
</DeviceList></Response>`;

describe.each(DIALECTS)('catalog Info from a lower and to our upper on %s (R-FN-3, issue 15)', (dialect) => {
  let t: TestApp;
  let lowerId = 0;
  let m: ReturnType<typeof createCascadeModule>;
  const cams: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(dialect);
    m = createCascadeModule(t.app, { settings: { ...CITY, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60 } });
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const site = nodes.find((n) => n.kind === 'site')!;
    lowerId = (await m.service.createLower(admin, { sipId: SITE, name: '第一中学考点', kind: 'platform', password: 'Lower-Pass-1234', orgNodeId: site.id })).id;
    const room = site.rooms![0];
    const add = async (key: string, input: Record<string, unknown>) => {
      cams[key] = (await t.app.devices.createCamera(admin, { roomId: room.id, name: key, position: 'front', ...input } as Parameters<typeof t.app.devices.createCamera>[1])).gbCode;
    };
    await add('rtsp', { sourceKind: 'rtsp', mainStream: '/s/1', subStream: '', host: '127.0.0.1', port: 554 });
    await add('onvif', { sourceKind: 'rtsp', mainStream: '/s/2', subStream: '', host: '127.0.0.1', port: 554, onvifUrl: 'http://127.0.0.1:8899/onvif/device_service' });
    await add('pulled', { sourceKind: 'gb28181', mainStream: CH_2016, subStream: '' });
  });
  afterAll(() => t?.close());

  const catalog = async (gbVersion?: '2016' | '2022'): Promise<CatalogItem[]> =>
    buildCatalog({ store: t.app.store, cameraOnline: () => false, onvifCapable: onvifCapability(t.app.box) }, CITY.id, { includeRemote: true, gbVersion });

  it('reads 2016 and 2022 Info fields, leaves out malformed ones, keeps the item', () => {
    const msg = parseManscdpText(LOWER_CATALOG);
    if (msg.kind !== 'catalog-response') throw new Error(msg.kind);
    const [a, b] = msg.items;
    expect(a.info).toEqual({ PTZType: '1', PositionType: '8', RoomType: '2', UseType: '1', SupplyLightType: '2', DirectionType: '3', Resolution: '5/6', BusinessGroupID: '32010600002150000009', DownloadSpeed: '1/2/4', SVCSpaceSupportMode: '0', SVCTimeSupportMode: '0' });
    // 2016 puts the business group inside Info only: read from there.
    expect(a.businessGroupId).toBe('32010600002150000009');
    expect(b).toMatchObject({ deviceId: CH_2022, status: 'OFF', businessGroupId: '32010600002150000009', securityLevelCode: 'B' });
    expect(b.info).toEqual({ PTZType: '1/2', PhotoelectricImagingType: '1/9', StreamNumberList: '0/1', PointType: '2', ManagementUnit: '第一中学' });
    expect(b.infoRejected?.sort()).toEqual(['DirectionType', 'MAC']);
  });

  it('stores a lower\'s Info and relays it to our upper as sent (the well-formed part)', async () => {
    const msg = parseManscdpText(LOWER_CATALOG);
    if (msg.kind !== 'catalog-response') throw new Error(msg.kind);
    await repos(t.app.store.db).cascade.replaceChannels(lowerId, msg.items.map((it) => channelRowOf(it, Date.now())));
    const items = await catalog();
    expect(items.find((i) => i.deviceId === CH_2016)!.info).toEqual(msg.items[0].info);
    expect(items.find((i) => i.deviceId === CH_2022)).toMatchObject({ businessGroupId: '32010600002150000009', info: msg.items[1].info });
    // The console's channel tree reads them through the scoped API view.
    const view = await m.service.channels(await t.actor('admin'), lowerId);
    expect(view.channels.find((c) => c.deviceId === CH_2022)).toMatchObject({ businessGroupId: '32010600002150000009', info: msg.items[1].info });
  });

  it('describes our own cameras by what the node knows: fixed without ONVIF, unknown type with it, a pulled channel as its lower said', async () => {
    const items = await catalog();
    const group = businessGroupId(CITY.id);
    const known = { RoomType: '2', DownloadSpeed: '1/2/4/8', GrassrootsCode: '000000', PointType: '9' };
    expect(items.find((i) => i.deviceId === cams.rtsp)).toMatchObject({ businessGroupId: group, info: { PTZType: '3', ...known } });
    expect(items.find((i) => i.deviceId === cams.rtsp)!.info).toEqual({ PTZType: '3', ...known });
    // An ONVIF camera may be moved but its build (dome, remote bullet…) is not known: no PTZType rather than a guess.
    expect(items.find((i) => i.deviceId === cams.onvif)!.info).toEqual(known);
    // Pulled from the lower's CH_2016: its PTZType and (never recorded here) Resolution are the lower's.
    expect(items.find((i) => i.deviceId === cams.pulled)!.info).toEqual({ PTZType: '1', ...known, Resolution: '5/6' });
  });

  it('a 2016 upper also finds BusinessGroupID inside <Info>, in the standard\'s order', async () => {
    const items = await catalog('2016');
    const group = businessGroupId(CITY.id);
    const own = items.find((i) => i.deviceId === cams.rtsp)!;
    expect(own.info?.BusinessGroupID).toBe(group);
    const xml = Buffer.from(encodeManscdp({ kind: 'catalog-response', sn: 1, deviceId: CITY.id, sumNum: 1, items: [own] }, 'UTF-8')).toString('utf8');
    expect(xml).toMatch(/<Info>\s*<PTZType>3<\/PTZType>\s*<RoomType>2<\/RoomType>\s*<BusinessGroupID>\d{20}<\/BusinessGroupID>\s*<DownloadSpeed>1\/2\/4\/8<\/DownloadSpeed>/);
    // One camera item still fits one UDP MESSAGE with its headers (RFC 3261 §18.1.1; issue 15 defect 5).
    expect(Buffer.byteLength(xml)).toBeLessThan(1000);
    expect((await catalog('2022')).find((i) => i.deviceId === cams.rtsp)!.info?.BusinessGroupID).toBeUndefined();
  });
});
