import { describe, it, expect } from 'vitest';
import iconv from 'iconv-lite';
import { buildManscdpXml, encodeManscdp, formatGbTime, ManscdpError, parseGbTime, parseManscdp, splitCatalog } from './index.ts';
import type { CatalogItem, ManscdpMessage } from './index.ts';

const gb = (s: string): Uint8Array => iconv.encode(s, 'gb18030');

describe('MANSCDP codec (R-FN-3)', () => {
  it('R-FN-3: decodes a GB2312 Catalog response from a device', () => {
    const xml = `<?xml version="1.0" encoding="GB2312"?>
<Response>
<CmdType>Catalog</CmdType>
<SN>17430</SN>
<DeviceID>34020000001180000001</DeviceID>
<SumNum>2</SumNum>
<DeviceList Num="2">
<Item>
<DeviceID>34020000001320000001</DeviceID>
<Name>第一考场 前门</Name>
<Manufacturer>Hikvision</Manufacturer>
<Model>IP Camera</Model>
<Owner>Owner</Owner>
<CivilCode>3402000000</CivilCode>
<Address>Address</Address>
<Parental>0</Parental>
<ParentID>34020000001180000001</ParentID>
<RegisterWay>1</RegisterWay>
<Secrecy>0</Secrecy>
<Status>ON</Status>
<Info><PTZType>1</PTZType></Info>
</Item>
<Item><DeviceID>34020000001320000002</DeviceID><Name>后门 &amp; 走廊</Name><Status>OFF</Status><Longitude>117.28</Longitude></Item>
</DeviceList>
</Response>`;
    const m = parseManscdp(gb(xml));
    expect(m.kind).toBe('catalog-response');
    if (m.kind !== 'catalog-response') return;
    expect(m).toMatchObject({ sn: 17430, deviceId: '34020000001180000001', sumNum: 2 });
    expect(m.items[0]).toMatchObject({ deviceId: '34020000001320000001', name: '第一考场 前门', parental: 0, registerWay: 1, secrecy: 0, status: 'ON', info: { PTZType: '1' } });
    expect(m.items[1]).toEqual({ deviceId: '34020000001320000002', name: '后门 & 走廊', status: 'OFF', longitude: 117.28 });
  });

  it('R-FN-3: round-trips every message kind through GB2312 and UTF-8', () => {
    const msgs: ManscdpMessage[] = [
      { kind: 'catalog-query', sn: 1, deviceId: '34020000001320000001' },
      { kind: 'device-info-query', sn: 2, deviceId: '34020000001320000001' },
      { kind: 'device-status-query', sn: 3, deviceId: '34020000001320000001' },
      { kind: 'record-info-query', sn: 4, deviceId: '34020000001320000001', startTime: '2024-06-07T08:00:00', endTime: '2024-06-07T10:00:00', secrecy: 0, type: 'all' },
      { kind: 'catalog-response', sn: 5, deviceId: '34020000002000000001', sumNum: 1, items: [{ deviceId: '34020000002150000001', name: '考点', businessGroupId: '34020000002150000001', parental: 1 }] },
      { kind: 'device-info-response', sn: 6, deviceId: '34020000001320000001', result: 'OK', deviceName: '前门', manufacturer: 'X', model: 'M', firmware: 'V1', channel: 1 },
      { kind: 'device-status-response', sn: 7, deviceId: '34020000001320000001', result: 'OK', online: 'ONLINE', status: 'OK', record: 'ON', deviceTime: '2024-06-07T08:00:00', alarmStatus: [{ deviceId: '34020000001340000001', dutyStatus: 'OFFDUTY' }] },
      { kind: 'record-info-response', sn: 8, deviceId: '34020000001320000001', name: 'Camera', sumNum: 1, items: [{ deviceId: '34020000001320000001', name: 'Camera', startTime: '2024-06-07T08:00:00', endTime: '2024-06-07T08:30:00', secrecy: 0, type: 'time', fileSize: 123456 }] },
      { kind: 'control-response', sn: 9, deviceId: '34020000001320000001', result: 'OK' },
      { kind: 'keepalive', sn: 10, deviceId: '34020000001320000001', status: 'OK' },
      { kind: 'alarm', sn: 11, deviceId: '34020000001340000001', alarmPriority: 1, alarmMethod: 2, alarmTime: '2024-06-07T09:15:00', alarmDescription: '考场异常', alarmType: 5 },
      { kind: 'device-control', sn: 12, deviceId: '34020000001320000001', ptzCmd: 'A50F01023F0000F6', controlPriority: 5 },
      { kind: 'media-status', sn: 13, deviceId: '34020000001320000001', notifyType: 121 },
    ];
    for (const charset of ['GB2312', 'UTF-8'] as const) {
      for (const m of msgs) {
        const back = parseManscdp(encodeManscdp(m, charset));
        if (m.kind === 'device-control') expect(back).toMatchObject({ ...m, ptz: { kind: 'ptz', pan: 'left', panSpeed: 0x3f, address: 1 } });
        else expect(back).toEqual(m);
      }
    }
    expect(buildManscdpXml(msgs[0])).toMatch(/^<\?xml version="1.0" encoding="GB2312"\?>\r\n<Query>/);
  });

  it('accepts UTF-8 mis-declared or undeclared, and GB bytes without declaration', () => {
    const body = '<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>3402</DeviceID><Status>正常</Status></Notify>';
    expect(parseManscdp(Buffer.from(body, 'utf8'))).toMatchObject({ kind: 'keepalive', status: '正常' });
    expect(parseManscdp(gb(body))).toMatchObject({ status: '正常' });
    expect(parseManscdp(gb(`<?xml version="1.0" encoding="UTF-8"?>${body}`))).toMatchObject({ status: '正常' });
    expect(parseManscdp('<Query><CmdType>PresetQuery</CmdType><SN>3</SN><DeviceID>x</DeviceID></Query>')).toMatchObject({ kind: 'other', cmdType: 'PresetQuery' });
  });

  it('refuses DOCTYPE/ENTITY (entity expansion), oversize, deep nesting and bad fields with ManscdpError', () => {
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><Notify><CmdType>Keepalive</CmdType><SN>&lol2;</SN><DeviceID>x</DeviceID></Notify>';
    expect(() => parseManscdp(lol)).toThrow(/DOCTYPE\/ENTITY declarations are refused/);
    expect(() => parseManscdp('<!ENTITY x SYSTEM "file:///etc/passwd">')).toThrow(ManscdpError);
    const bad = [
      '<?xml version="1.0" encoding="EBCDIC"?><Query/>',
      'x'.repeat(70 * 1024),
      '<a>'.repeat(100) + '</a>'.repeat(100),
      '<Query><CmdType>Catalog</CmdType></Query>',
      '<Query><CmdType>Catalog</CmdType><SN>x</SN><DeviceID>1</DeviceID></Query>',
      '<Query><CmdType>Catalog</CmdType><SN>1<DeviceID>1</DeviceID></Query>',
      '<Control><CmdType>DeviceControl</CmdType><SN>1</SN><DeviceID>1</DeviceID><PTZCmd>A50F0100000000B6</PTZCmd></Control>',
      '<Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>1</DeviceID><DeviceList><Item><Name>n</Name></Item></DeviceList></Response>',
      '<Notify><CmdType>Alarm</CmdType><SN>1</SN><DeviceID>1</DeviceID></Notify>',
      '<Notify><CmdType>MediaStatus</CmdType><SN>1</SN><DeviceID>1</DeviceID></Notify>',
      '<Notify><CmdType>MediaStatus</CmdType><SN>1</SN><DeviceID>1</DeviceID><NotifyType>end</NotifyType></Notify>',
      '<Other/>',
    ];
    for (const b of bad) expect(() => parseManscdp(b), b.slice(0, 60)).toThrow(ManscdpError);
  });

  it('R-FN-1: reads the end-of-file MediaStatus a recorder sends at the end of a download (NotifyType 121)', () => {
    const xml = '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>MediaStatus</CmdType>\r\n<SN>348021</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n<NotifyType>121</NotifyType>\r\n</Notify>\r\n';
    expect(parseManscdp(gb(xml))).toEqual({ kind: 'media-status', sn: 348021, deviceId: '34020000001320000001', notifyType: 121 });
    expect(buildManscdpXml({ kind: 'media-status', sn: 2, deviceId: '34020000001320000001', notifyType: 121 }).replace(/\s+/g, '')).toContain('<Notify><CmdType>MediaStatus</CmdType><SN>2</SN><DeviceID>34020000001320000001</DeviceID><NotifyType>121</NotifyType></Notify>');
  });

  it('R-FN-3: splits a big catalog into messages sharing SumNum', () => {
    const items: CatalogItem[] = Array.from({ length: 23 }, (_, i) => ({ deviceId: `340200000013200${String(i).padStart(5, '0')}`, name: `考场${i}` }));
    const parts = splitCatalog(items, 10, { sn: 7, deviceId: '34020000002000000001' });
    expect(parts.map((p) => p.items.length)).toEqual([10, 10, 3]);
    expect(parts.every((p) => p.sumNum === 23 && p.sn === 7)).toBe(true);
    const xml = buildManscdpXml(parts[2]);
    expect(xml).toContain('<SumNum>23</SumNum>');
    expect(xml).toContain('<DeviceList Num="3">');
    expect(splitCatalog([], 10, { sn: 1, deviceId: 'x' })).toEqual([{ kind: 'catalog-response', sn: 1, deviceId: 'x', sumNum: 0, items: [] }]);
    expect(() => splitCatalog(items, 0, { sn: 1, deviceId: 'x' })).toThrow(RangeError);
  });

  it('formats and parses Beijing local time independent of TZ', () => {
    const ms = Date.UTC(2024, 5, 7, 0, 30, 0);
    expect(formatGbTime(ms)).toBe('2024-06-07T08:30:00');
    expect(parseGbTime('2024-06-07T08:30:00')).toBe(ms);
    expect(parseGbTime('2024-06-07 08:30:00.123')).toBe(ms);
    for (const bad of ['2024-02-30T00:00:00', '2024-06-07', '2024-06-07T25:00:00']) expect(() => parseGbTime(bad)).toThrow(ManscdpError);
  });
});
