import { describe, expect, it } from 'vitest';
import { parseManscdp, parseManscdpText } from './codec.ts';
import { parseKeepaliveFast } from './keepalive-fast.ts';

const PLAIN = '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>43</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n';

describe('keepalive shortcut (issue 15 "a quieter upper"; R-FN-3)', () => {
  it('reads the plain keepalive exactly as the full parser does', () => {
    expect(parseKeepaliveFast(PLAIN)).toEqual({ kind: 'keepalive', sn: 43, deviceId: '34020000001320000001', status: 'OK' });
    expect(parseKeepaliveFast(PLAIN)).toEqual(parseManscdpText(PLAIN));
    expect(parseManscdp(Buffer.from(PLAIN))).toEqual(parseManscdpText(PLAIN));
  });

  it('leaves every other shape to the full parser, which refuses what is malformed', () => {
    const others = [
      ` ${PLAIN}`, // whitespace before the declaration: malformed XML
      PLAIN.replace('\r\n<Notify>', '\v<Notify>'), // \v is not XML whitespace
      PLAIN.replace('<Status>OK</Status>', '<Status>OK</Status><Info><DeviceID>34020000001320000002</DeviceID></Info>'),
      PLAIN.replace('<SN>43</SN>', '<SN>4&#51;</SN>'),
      PLAIN.replace('<Notify>', '<!DOCTYPE x><Notify>'),
      PLAIN.replace('</Notify>', '</Notify><Notify>'),
    ];
    for (const text of others) expect(parseKeepaliveFast(text), text).toBeUndefined();
    expect(() => parseManscdpText(` ${PLAIN}`)).toThrow(/declaration/);
    expect(parseManscdpText(others[2])).toMatchObject({ kind: 'keepalive', faultyDeviceIds: ['34020000001320000002'] });
  });
});
