// Charset detection when the declaration lies (issue 15 defect 2, R-FLT-1): the text that goes
// into the database and up to the next level is what the device meant, never mojibake.
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { isGb18030, ManscdpError, parseManscdp } from './index.ts';
import type { CharsetNote } from './index.ts';

const alarmXml = (charset: string, text: string) =>
  `<?xml version="1.0" encoding="${charset}"?>\r\n<Notify><CmdType>Alarm</CmdType><SN>5</SN><DeviceID>32010600001320000001</DeviceID><AlarmPriority>1</AlarmPriority><AlarmMethod>2</AlarmMethod><AlarmTime>2026-12-05T10:00:00</AlarmTime><AlarmDescription>${text}</AlarmDescription></Notify>\r\n`;
const TEXT = '视频丢失 第一考场前门摄像机';

function parse(bytes: Uint8Array): { text?: string; note: CharsetNote } {
  const note: CharsetNote = {};
  const m = parseManscdp(bytes, note);
  return { text: m.kind === 'alarm' ? m.alarmDescription : undefined, note };
}

describe('MANSCDP charset detection (R-FLT-1, issue 15 defect 2)', () => {
  it('R-FLT-1: an alarm declared GB2312 but sent as UTF-8 is read as UTF-8 and the lie is noted', () => {
    const r = parse(Buffer.from(alarmXml('GB2312', TEXT), 'utf8'));
    expect(r.text).toBe(TEXT);
    expect(r.note).toMatchObject({ declared: 'GB2312', actual: 'UTF-8', mislabelled: true });
  });

  it('R-FLT-1: an alarm declared UTF-8 but sent in GB18030 is read as GB18030 and the lie is noted', () => {
    const r = parse(iconv.encode(alarmXml('UTF-8', TEXT), 'gb18030'));
    expect(r.text).toBe(TEXT);
    expect(r.note).toMatchObject({ declared: 'UTF-8', actual: 'GB18030', mislabelled: true });
  });

  it('R-FLT-1: honest declarations are not flagged', () => {
    expect(parse(iconv.encode(alarmXml('GB2312', TEXT), 'gb18030'))).toMatchObject({ text: TEXT, note: { actual: 'GB18030', mislabelled: false } });
    expect(parse(Buffer.from(alarmXml('UTF-8', TEXT), 'utf8'))).toMatchObject({ text: TEXT, note: { actual: 'UTF-8', mislabelled: false } });
    expect(parse(Buffer.from(alarmXml('GB2312', 'video loss'), 'utf8')).note).toMatchObject({ actual: 'ASCII' });
  });

  it('R-FLT-1: bytes that are neither valid UTF-8 nor valid GB18030 are refused, not passed on as mojibake', () => {
    const good = iconv.encode(alarmXml('GB2312', TEXT), 'gb18030');
    const i = good.indexOf(0xca); // inside 视 (CA D3): a lone lead byte before '<' breaks both encodings
    const bad = Buffer.concat([good.subarray(0, i), Buffer.from([0xff, 0x80]), good.subarray(i)]);
    expect(() => parseManscdp(bad)).toThrow(ManscdpError);
    expect(isGb18030(Buffer.from([0x81, 0x30, 0x81, 0x30]))).toBe(true); // a 4-byte GB18030 sequence
    expect(isGb18030(Buffer.from([0xb0]))).toBe(false); // truncated
  });
});
