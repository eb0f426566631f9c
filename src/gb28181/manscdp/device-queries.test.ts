// The GB/T 28181-2022 queries a real platform sends and waits on (issue 15): HomePositionQuery,
// CruiseTrackListQuery, CruiseTrackQuery, PTZPosition, SDCardStatus. Requests as the standard
// writes them (A.2.4) are read; answers are compared element by element with the Response forms
// of A.2.6, for a device that has the function and one that has not. R-FN-3.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { answerDeviceQuery, buildManscdpXml, encodeManscdp, ManscdpError, parseManscdp, readDeviceQuery, resolutionCode } from './index.ts';
import type { DeviceQuery } from './index.ts';

const CAM = '34020000001320000001';
const gb = (s: string): Uint8Array => iconv.encode(s, 'gb18030');
const query = (cmdType: string, sn: number, extra = ''): DeviceQuery => {
  const m = parseManscdp(gb(`<?xml version="1.0" encoding="GB2312"?>\r\n<Query>\r\n<CmdType>${cmdType}</CmdType>\r\n<SN>${sn}</SN>\r\n<DeviceID>${CAM}</DeviceID>\r\n${extra}</Query>\r\n`));
  if (m.kind !== 'other') throw new Error(`${cmdType} parsed as ${m.kind}`);
  const q = readDeviceQuery(m);
  if (!q) throw new Error(`${cmdType} not a device query`);
  return q;
};
/** The document without its declaration and the whitespace between elements. */
const flat = (xml: string): string => xml.replace(/^<\?xml[^>]*\?>/, '').replace(/>\s+</g, '><').trim();
const head = (cmd: string, sn: number) => `<Response><CmdType>${cmd}</CmdType><SN>${sn}</SN><DeviceID>${CAM}</DeviceID>`;

describe('GB/T 28181-2022 device queries (R-FN-3)', () => {
  it('reads the five queries (and the "…Query" spellings some peers use), CruiseTrackQuery with its Number', () => {
    expect(query('HomePositionQuery', 21)).toEqual({ kind: 'home-position', cmdType: 'HomePositionQuery', sn: 21, deviceId: CAM });
    expect(query('CruiseTrackListQuery', 22).kind).toBe('cruise-track-list');
    expect(query('CruiseTrackQuery', 23, '<Number>1</Number>\r\n')).toMatchObject({ kind: 'cruise-track', number: 1 });
    expect(query('PTZPosition', 24).kind).toBe('ptz-position');
    expect(query('PTZPositionQuery', 24).kind).toBe('ptz-position');
    expect(query('SDCardStatus', 25).kind).toBe('sd-card-status');
    expect(query('SDCardStatusQuery', 25)).toMatchObject({ kind: 'sd-card-status', cmdType: 'SDCardStatusQuery' });
    expect(() => query('CruiseTrackQuery', 23)).toThrow(ManscdpError);
    const other = parseManscdp(gb(`<?xml version="1.0"?><Query><CmdType>PresetQuery</CmdType><SN>1</SN><DeviceID>${CAM}</DeviceID></Query>`));
    expect(other.kind === 'other' ? readDeviceQuery(other) : 'not other').toBeUndefined();
  });

  it('a camera without PTZ, tracks or card: each answer is the empty form the standard allows, never silence', () => {
    expect(flat(answerDeviceQuery(query('HomePositionQuery', 21), {}))).toBe(`${head('HomePositionQuery', 21)}</Response>`);
    expect(flat(answerDeviceQuery(query('CruiseTrackListQuery', 22), {}))).toBe(`${head('CruiseTrackListQuery', 22)}<SumNum>0</SumNum><CruiseTrackList Num="0"></CruiseTrackList></Response>`);
    expect(flat(answerDeviceQuery(query('CruiseTrackQuery', 23, '<Number>1</Number>'), {}))).toBe(`${head('CruiseTrackQuery', 23)}<Number>1</Number><SumNum>0</SumNum><CruisePointList Num="0"></CruisePointList></Response>`);
    expect(flat(answerDeviceQuery(query('PTZPosition', 24), {}))).toBe(`${head('PTZPosition', 24)}</Response>`);
    expect(flat(answerDeviceQuery(query('SDCardStatus', 25), {}))).toBe(`${head('SDCardStatus', 25)}<SumNum>0</SumNum><SDCardStatusInfo Num="0"></SDCardStatusInfo></Response>`);
    // Every answer parses back as a Response of the asked CmdType, SN and DeviceID (what an upper matches on).
    for (const [cmd, sn] of [['HomePositionQuery', 21], ['PTZPositionQuery', 24], ['SDCardStatusQuery', 25]] as const) {
      const m = parseManscdp(gb(answerDeviceQuery(query(cmd, sn), {})));
      expect(m).toMatchObject({ kind: 'other', root: 'Response', cmdType: cmd, sn, deviceId: CAM });
    }
  });

  it('a device with the functions: values in the elements and order of A.2.6', () => {
    const facts = {
      homePosition: { enabled: true, resetTimeS: 10, presetIndex: 1 },
      cruiseTracks: [{ number: 0, name: '白天巡航', points: [{ presetIndex: 1, stayTimeS: 5, speed: 8 }, { presetIndex: 2, stayTimeS: 10, speed: 4 }] }, { number: 1, points: [] }],
      ptzPosition: { pan: 123.5, tilt: -12.25, zoom: 4.5, horizontalFieldAngle: 52.5, verticalFieldAngle: 30, maxViewDistance: 200 },
      storageCards: [{ id: 1, name: 'recordings', status: 'ok' as const, capacityMb: 31914.7, freeMb: 12521.2 }, { id: 2, name: 'b', status: 'formatting' as const, formatProgress: 40, capacityMb: 100, freeMb: 100 }],
    };
    expect(flat(answerDeviceQuery(query('HomePositionQuery', 21), facts))).toBe(`${head('HomePositionQuery', 21)}<HomePosition><Enabled>1</Enabled><ResetTime>10</ResetTime><PresetIndex>1</PresetIndex></HomePosition></Response>`);
    expect(flat(answerDeviceQuery(query('CruiseTrackListQuery', 22), facts))).toBe(
      `${head('CruiseTrackListQuery', 22)}<SumNum>2</SumNum><CruiseTrackList Num="2"><CruiseTrack><Number>0</Number><Name>白天巡航</Name></CruiseTrack><CruiseTrack><Number>1</Number></CruiseTrack></CruiseTrackList></Response>`,
    );
    expect(flat(answerDeviceQuery(query('CruiseTrackQuery', 23, '<Number>0</Number>'), facts))).toBe(
      `${head('CruiseTrackQuery', 23)}<Number>0</Number><Name>白天巡航</Name><SumNum>2</SumNum><CruisePointList Num="2">` +
        '<CruisePoint><PresetIndex>1</PresetIndex><StayTime>5</StayTime><Speed>8</Speed></CruisePoint>' +
        '<CruisePoint><PresetIndex>2</PresetIndex><StayTime>10</StayTime><Speed>4</Speed></CruisePoint></CruisePointList></Response>',
    );
    expect(flat(answerDeviceQuery(query('PTZPosition', 24), facts))).toBe(
      `${head('PTZPosition', 24)}<Pan>123.5</Pan><Tilt>-12.25</Tilt><Zoom>4.5</Zoom><HorizontalFieldAngle>52.5</HorizontalFieldAngle><VerticalFieldAngle>30</VerticalFieldAngle><MaxViewDistance>200</MaxViewDistance></Response>`,
    );
    expect(flat(answerDeviceQuery(query('SDCardStatus', 25), facts))).toBe(
      `${head('SDCardStatus', 25)}<SumNum>2</SumNum><SDCardStatusInfo Num="2">` +
        '<Item><ID>1</ID><HddName>recordings</HddName><Status>ok</Status><Capacity>31914</Capacity><FreeSpace>12521</FreeSpace></Item>' +
        '<Item><ID>2</ID><HddName>b</HddName><Status>formatting</Status><FormatProgress>40</FormatProgress><Capacity>100</Capacity><FreeSpace>100</FreeSpace></Item></SDCardStatusInfo></Response>',
    );
    // GB2312 on the wire by default: the Chinese track name survives the round trip.
    expect(answerDeviceQuery(query('CruiseTrackListQuery', 22), facts)).toMatch(/^<\?xml version="1.0" encoding="GB2312"\?>/);
  });

  it('DeviceInfo carries Resolution as Annex F codes (issue 15 item 3): each size to the largest format it covers', () => {
    expect([[1920, 1080], [2560, 1440], [1280, 720], [720, 576], [704, 576], [640, 480], [352, 288], [176, 144], [160, 120], [1080, 1920]].map(([w, h]) => resolutionCode(w, h)))
      .toEqual([6, 6, 5, 4, 3, 2, 2, 1, undefined, 6]);
    const info = { kind: 'device-info-response' as const, sn: 7, deviceId: CAM, result: 'OK', deviceName: '前门', channel: 1, resolution: '6' };
    expect(flat(buildManscdpXml(info))).toMatch(/<Channel>1<\/Channel><Resolution>6<\/Resolution><\/Response>$/);
    expect(parseManscdp(encodeManscdp(info))).toMatchObject({ kind: 'device-info-response', deviceName: '前门', resolution: '6' });
  });

  it('DeviceStatus of a camera carries Alarmstatus with its DutyStatus (issue 15 item 3)', () => {
    const msg = { kind: 'device-status-response' as const, sn: 8, deviceId: CAM, result: 'OK', online: 'ONLINE', status: 'OK', encode: 'ON', record: 'ON', deviceTime: '2026-12-07T10:00:00', alarmStatus: [{ deviceId: CAM, dutyStatus: 'ALARM' }] };
    expect(flat(buildManscdpXml(msg))).toMatch(new RegExp(`<DeviceTime>2026-12-07T10:00:00</DeviceTime><Alarmstatus Num="1"><Item><DeviceID>${CAM}</DeviceID><DutyStatus>ALARM</DutyStatus></Item></Alarmstatus></Response>$`));
    expect(parseManscdp(encodeManscdp(msg))).toMatchObject({ alarmStatus: [{ deviceId: CAM, dutyStatus: 'ALARM' }] });
  });
});
