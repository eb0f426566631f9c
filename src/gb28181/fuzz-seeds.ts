// Seed corpus for the GB/T 28181 fuzz targets: valid messages (mutations near valid input find
// the bugs) plus the hostile cases the parsers must refuse cleanly.
import iconv from 'iconv-lite';
import { buildManscdpXml, encodeManscdp } from './manscdp/index.ts';
import { encodePtz } from './ptz.ts';
import { concatBytes as concat } from '../media/bytes.ts';
import { PsMuxer } from '../media/ps/mux.ts';
import { PsRtpPacketizer } from '../media/ps/rtp.ts';
import { serializeRtpPacket } from '../media/rtp/packet.ts';
import { frameRfc4571 } from '../media/ps/rfc4571.ts';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

const REGISTER = 'REGISTER sip:34020000002000000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.108:5060;rport;branch=z9hG4bK1\r\nFrom: <sip:34020000001320000001@3402000000>;tag=a\r\nTo: <sip:34020000001320000001@3402000000>\r\nCall-ID: 1@h\r\nCSeq: 1 REGISTER\r\nContact: <sip:34020000001320000001@192.168.1.108:5060>\r\nExpires: 3600\r\nAuthorization: Digest username="34020000001320000001", realm="3402000000", nonce="abc", uri="sip:3402000000", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"\r\nContent-Length: 0\r\n\r\n';
const MESSAGE = 'MESSAGE sip:34020000002000000001@3402000000 SIP/2.0\r\nv: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK2, SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK3\r\nf: "Cam" <sip:1@h>;tag=b\r\nt: <sip:2@h>\r\ni: 2@h\r\nCSeq: 20 MESSAGE\r\nc: Application/MANSCDP+xml\r\nX-Fold: a\r\n b\r\nl: 9\r\n\r\n<Notify/>';
const RESPONSE = 'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx;received=1.2.3.4;rport=5060\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="3402000000", nonce="n", algorithm=SM3, qop="auth"\r\nContent-Length: 0\r\n\r\n';

export const SIP_SEEDS: Uint8Array[] = [enc(REGISTER), enc(MESSAGE), enc(RESPONSE)];
export const SIP_STREAM_SEEDS: Uint8Array[] = [enc(`\r\n\r\n${REGISTER}${MESSAGE}`), enc(RESPONSE + RESPONSE)];

const KEEPALIVE = encodeManscdp({ kind: 'keepalive', sn: 1, deviceId: '34020000001320000001', status: 'OK' });
const CATALOG = encodeManscdp({
  kind: 'catalog-response', sn: 2, deviceId: '34020000001180000001', sumNum: 2,
  items: [
    { deviceId: '34020000001320000001', name: '第一考场', manufacturer: 'X', parental: 0, parentId: '34020000001180000001', registerWay: 1, secrecy: 0, status: 'ON', longitude: 117.2, info: { PTZType: '1' } },
    { deviceId: '34020000001320000002', name: '走廊', status: 'OFF' },
  ],
});
export const MANSCDP_SEEDS: Uint8Array[] = [
  KEEPALIVE,
  CATALOG,
  encodeManscdp({ kind: 'record-info-response', sn: 3, deviceId: '34020000001320000001', sumNum: 1, items: [{ deviceId: '34020000001320000001', startTime: '2024-06-07T08:00:00', endTime: '2024-06-07T09:00:00' }] }, 'UTF-8'),
  encodeManscdp({ kind: 'alarm', sn: 4, deviceId: '34020000001340000001', alarmPriority: 1, alarmMethod: 2, alarmTime: '2024-06-07T08:00:00', alarmDescription: '告警' }),
  encodeManscdp({ kind: 'device-control', sn: 5, deviceId: '34020000001320000001', ptzCmd: encodePtz({ kind: 'preset', action: 'call', preset: 3 }) }),
  // Subscriptions (§9.11): catalog change events and the alarm SUBSCRIBE body.
  encodeManscdp({ kind: 'catalog-notify', sn: 8, deviceId: '34020000001180000001', sumNum: 3, items: [{ deviceId: '34020000001320000001', name: '前门', status: 'ON', event: 'ADD' }, { deviceId: '34020000001320000002', event: 'OFF' }, { deviceId: '34020000001320000003', event: 'DEL' }] }),
  encodeManscdp({ kind: 'alarm-query', sn: 9, deviceId: '34020000001180000001', startAlarmPriority: 1, endAlarmPriority: 4, alarmMethod: '0', startAlarmTime: '2024-06-07T08:00:00' }, 'UTF-8'),
  encodeManscdp({ kind: 'media-status', sn: 7, deviceId: '34020000001320000001', notifyType: 121 }),
  enc('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;">]><Notify><CmdType>Keepalive</CmdType><SN>&lol1;</SN><DeviceID>1</DeviceID></Notify>'),
  // Declared UTF-8 but GB18030 bytes (a common device bug).
  Buffer.concat([enc('<?xml version="1.0" encoding="UTF-8"?>'), iconv.encode('<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>设备</DeviceID></Notify>', 'gb18030')]),
  enc(buildManscdpXml({ kind: 'catalog-query', sn: 6, deviceId: '1' }).replace('GB2312', 'ISO-2022-JP')),
  enc('<Query>' + '<a>'.repeat(40) + '</a>'.repeat(40) + '</Query>'),
  enc(`<Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>1</DeviceID><SumNum>1</SumNum><DeviceList Num="1">${'<Item><DeviceID>1</DeviceID></Item>'.repeat(2500)}</DeviceList></Response>`),
];

const SUBSCRIBE = 'SUBSCRIBE sip:34020000001180000001@3402000000 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK4\r\nFrom: <sip:34020000002000000001@3402000000>;tag=s\r\nTo: <sip:34020000001180000001@3402000000>\r\nCall-ID: 4@h\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:34020000002000000001@10.0.0.1:5060>\r\nEvent: Catalog;id=7\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n';
const NOTIFY = 'NOTIFY sip:34020000002000000001@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK5\r\nFrom: <sip:34020000001180000001@3402000000>;tag=n\r\nTo: <sip:34020000002000000001@3402000000>;tag=s\r\nCall-ID: 4@h\r\nCSeq: 2 NOTIFY\r\no: presence\r\nSubscription-State: terminated;reason=probation;retry-after=30\r\nContent-Length: 0\r\n\r\n';
/** Event and Subscription-State values alone, and inside SUBSCRIBE/NOTIFY requests. */
export const EVENT_SEEDS: Uint8Array[] = ['Catalog', 'presence;id=4711', 'active;expires=3600', 'terminated;reason=timeout', SUBSCRIBE, NOTIFY].map(enc);

export const PTZ_SEEDS: Uint8Array[] = [
  enc('A50F0100000000B5'),
  enc(encodePtz({ kind: 'ptz', pan: 'left', tilt: 'up', zoom: 'in', panSpeed: 100, tiltSpeed: 50, zoomSpeed: 3 })),
  enc(encodePtz({ kind: 'fi', focus: 'far', iris: 'close', focusSpeed: 1, irisSpeed: 2 })),
  enc(encodePtz({ kind: 'scan', action: 'speed', group: 1, speed: 300 })),
];

/** Small synthetic H.264 units (fake SPS/PPS/slices) + G.711 audio, as PS, RTP and RFC 4571. */
function psSeeds(): Uint8Array[] {
  const sps = Uint8Array.of(0x67, 0x4d, 0x00, 0x1e, 0x95, 0xa8, 0x28, 0x0b, 0xfe, 0x54);
  const pps = Uint8Array.of(0x68, 0xee, 0x3c, 0x80);
  const idr = new Uint8Array(300).map((_, i) => (i === 0 ? 0x65 : (i * 7) & 0xff));
  const p = new Uint8Array(120).map((_, i) => (i === 0 ? 0x41 : (i * 13) & 0xff));
  const mux = new PsMuxer({ video: 'h264', audio: { codec: 'pcma', sampleRate: 8000, channels: 1 }, maxPesPayloadBytes: 200 });
  const units = [
    mux.muxVideo({ pts90k: 0, keyframe: true, nalus: [sps, pps, idr] }),
    mux.muxAudio({ pts: 0, data: new Uint8Array(160).fill(0xd5) }),
    mux.muxVideo({ pts90k: 3600, keyframe: false, nalus: [p] }),
  ];
  const pk = new PsRtpPacketizer({ ssrc: 1, initialSequence: 65534, maxPacketBytes: 212 });
  const rtp = units.flatMap((u, i) => pk.packetize(u, i * 3600)).map((x) => serializeRtpPacket(x));
  return [concat(units), concat(rtp.map(frameRfc4571))];
}

export const PS_SEEDS: Uint8Array[] = psSeeds();

const DEVICE_CONFIG = '<?xml version="1.0" encoding="GB2312"?>\r\n<Control><CmdType>DeviceConfig</CmdType><SN>7</SN><DeviceID>34020000002000000001</DeviceID><BasicParam><Name>site</Name><Expiration>3600</Expiration><HeartBeatInterval>60</HeartBeatInterval><HeartBeatCount>3</HeartBeatCount></BasicParam></Control>\r\n';
const BROADCAST = '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Broadcast</CmdType>\r\n<SN>8</SN>\r\n<SourceID>34020000002000000001</SourceID>\r\n<TargetID>34020000001370000001</TargetID>\r\n</Notify>\r\n';
export const COMMAND_SEEDS: Uint8Array[] = [
  enc(DEVICE_CONFIG), enc(BROADCAST), enc(DEVICE_CONFIG.replace('<BasicParam>', '<SVACEncodeConfig><ROIParam/></SVACEncodeConfig><BasicParam>')),
  enc('34020000001320000001:0100000001,34020000002000000001:0'), enc('Subject: 34020000001320000001:1,3402000000:0\r\n'),
  // The 2022 device queries (issue 15).
  enc('<?xml version="1.0" encoding="GB2312"?>\r\n<Query><CmdType>CruiseTrackQuery</CmdType><SN>23</SN><DeviceID>34020000001320000001</DeviceID><Number>1</Number></Query>\r\n'),
  enc('<?xml version="1.0"?><Query><CmdType>SDCardStatus</CmdType><SN>25</SN><DeviceID>34020000001320000001</DeviceID></Query>'),
  // A lower's answer to our Broadcast (upper role): ERROR with its Reason.
  enc('<?xml version="1.0" encoding="GB2312"?>\r\n<Response><CmdType>Broadcast</CmdType><SN>8</SN><DeviceID>34020000001370000001</DeviceID><Result>ERROR</Result><Reason>no audio back channel (551)</Reason></Response>\r\n'),
];

/** Keepalives as devices send them (the shortcut's shape) and near misses the full parser must take. */
export const KEEPALIVE_SEEDS: Uint8Array[] = [
  KEEPALIVE,
  enc('<?xml version="1.0"?>\n<Notify>\n<CmdType>Keepalive</CmdType>\n<SN>43</SN>\n<DeviceID>34020000001320000001</DeviceID>\n<Status>OK</Status>\n</Notify>\n'),
  enc("<?xml version='1.0' encoding='GB2312'?><Notify><CmdType>Keepalive</CmdType><SN>0012</SN><DeviceID>3402000000132000000a</DeviceID><Status>ON</Status></Notify>"),
  enc('<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status><Info><DeviceID>34020000001320000002</DeviceID></Info></Notify>'),
];

// Catalog <Info> (2016 and 2022 fields; issue 15): well-formed, malformed, repeated, nested, attributes, empty.
const infoItem = (info: string): string => `<Item><DeviceID>34020000001320000001</DeviceID><Name>前门</Name><Status>ON</Status><Info>${info}</Info></Item>`;
const catalogWith = (items: string): Uint8Array => enc(`<?xml version="1.0" encoding="UTF-8"?><Response><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>34020000002000000001</DeviceID><SumNum>1</SumNum><DeviceList Num="1">${items}</DeviceList></Response>`);
export const CATALOG_INFO_SEEDS: Uint8Array[] = [
  catalogWith(infoItem('<PTZType>3</PTZType><PositionType>8</PositionType><RoomType>2</RoomType><UseType>1</UseType><SupplyLightType>2</SupplyLightType><DirectionType>4</DirectionType><Resolution>5/6</Resolution><BusinessGroupID>34020000002150000001</BusinessGroupID><DownloadSpeed>1/2/4</DownloadSpeed><SVCSpaceSupportMode>0</SVCSpaceSupportMode><SVCTimeSupportMode>0</SVCTimeSupportMode>')),
  catalogWith(infoItem('<PTZType>1/2</PTZType><PhotoelectricImagingType>1/9</PhotoelectricImagingType><CapturePositionType>0010100</CapturePositionType><StreamNumberList>0/1</StreamNumberList><SSVCRatioSupportList>4:3/2:1</SSVCRatioSupportList><HorizontalFieldAngle>92.5</HorizontalFieldAngle><GrassrootsCode>000000</GrassrootsCode><PointType>9</PointType><PointCommonName>北门</PointCommonName><MAC>00-11-22-AA-BB-CC</MAC><FunctionType>01/99</FunctionType><InstallTime>2024-06-07T08:00:00</InstallTime><ManagementUnit>第一中学</ManagementUnit><ContactInfo>0551-1234567/13800000000</ContactInfo><RecordSaveDays>30</RecordSaveDays><Vendor><X>1</X></Vendor>')),
  catalogWith(infoItem('<PTZType>9</PTZType><PTZType>1</PTZType><RoomType a="1">2</RoomType><Resolution><x/></Resolution><MAC>zz</MAC><PositionType></PositionType><ManagementUnit>\u0001</ManagementUnit>')),
  catalogWith('<Item><DeviceID>34020000001320000002</DeviceID><Info>text</Info></Item><Item><DeviceID>34020000001320000003</DeviceID><Info/><Info/></Item>'),
];

