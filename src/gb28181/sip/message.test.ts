import { describe, it, expect } from 'vitest';
import { parseSipMessage, serializeSipMessage, SipParseError, SIP_MAX_MESSAGE_BYTES, bodyText } from './message.ts';
import { SipStreamParser } from './stream-parser.ts';
import { parseNameAddr, parseUri, formatUri, formatNameAddr } from './uri.ts';
import { createRequest, createResponse, newBranch, parseCSeq, parseVia, tagOf, formatVia } from './util.ts';

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

const REGISTER = [
  'REGISTER sip:34020000002000000001@3402000000 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.1.108:5060;rport;branch=z9hG4bK1a2b',
  'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKold, SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKolder',
  'f: <sip:34020000001320000001@3402000000>;tag=abc',
  't: <sip:34020000001320000001@3402000000>',
  'i: 1234@192.168.1.108',
  'CSeq: 1 REGISTER',
  'Contact: <sip:34020000001320000001@192.168.1.108:5060>',
  'Subject: folded',
  '  continuation here',
  'Max-Forwards: 70',
  'Expires: 3600',
  'l: 5',
  '',
  'hello',
].join('\r\n');

describe('SIP message parsing (R-FN-3)', () => {
  it('R-FN-3: parses a request with compact forms, multiple Via and folded headers', () => {
    const m = parseSipMessage(enc(REGISTER));
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect(m.method).toBe('REGISTER');
    expect(m.uri).toBe('sip:34020000002000000001@3402000000');
    expect(m.headers.getAll('via')).toHaveLength(3);
    expect(parseVia(m.headers.get('Via') ?? '').branch).toBe('z9hG4bK1a2b');
    expect(parseVia(m.headers.getAll('Via')[2]).transport).toBe('TCP');
    expect(m.headers.get('Call-ID')).toBe('1234@192.168.1.108');
    expect(m.headers.get('subject')).toBe('folded continuation here');
    expect(bodyText(m)).toBe('hello');
    expect(tagOf(m.headers.get('From'))).toBe('abc');
  });

  it('R-FN-3: parses a response and round-trips through the serializer', () => {
    const text = 'SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="3402000000", nonce="n"\r\nContent-Length: 0\r\n\r\n';
    const m = parseSipMessage(enc(text));
    if (m.kind !== 'response') throw new Error('expected response');
    expect(m.status).toBe(401);
    expect(m.reason).toBe('Unauthorized');
    expect(Buffer.from(serializeSipMessage(m)).toString()).toBe(text);
  });

  it('keeps the body as bytes (GB2312 is not UTF-8) and honours Content-Length', () => {
    const gb = Buffer.from([0xb2, 0xe2, 0xca, 0xd4]); // "测试" in GB2312
    const head = enc('MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKy\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 2 MESSAGE\r\nContent-Length: 4\r\n\r\n');
    const m = parseSipMessage(Buffer.concat([head, gb, enc('trailing')]));
    expect(Buffer.from(m.body)).toEqual(gb);
  });

  it('refuses malformed messages with SipParseError', () => {
    const bad = [
      '', 'garbage\r\n\r\n', 'INVITE sip:a@b SIP/3.0\r\n\r\n', 'SIP/2.0 99 X\r\n\r\n',
      'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n', // missing mandatory headers
      REGISTER.replace('l: 5', 'l: 50'), // truncated body
      REGISTER.replace('l: 5', 'l: -1'), REGISTER.replace('CSeq: 1 REGISTER', 'CSeq: x'),
    ];
    for (const b of bad) expect(() => parseSipMessage(enc(b)), b).toThrow(SipParseError);
    expect(() => parseSipMessage(new Uint8Array(SIP_MAX_MESSAGE_BYTES + 1))).toThrow(/exceeds/);
  });

  it('R-FN-3: frames TCP streams incrementally by Content-Length, byte by byte', () => {
    const one = enc(REGISTER);
    const stream = Buffer.concat([enc('\r\n\r\n'), one, one]);
    const p = new SipStreamParser();
    const got = [];
    for (const b of stream) got.push(...p.push(Uint8Array.of(b)));
    expect(got).toHaveLength(2);
    expect(bodyText(got[1])).toBe('hello');
    expect(p.bufferedBytes).toBe(0);
  });

  it('stream parser refuses missing Content-Length and unbounded headers', () => {
    const noLen = REGISTER.replace('l: 5\r\n', '');
    expect(() => new SipStreamParser().push(enc(noLen))).toThrow(/Content-Length is mandatory/);
    const p = new SipStreamParser();
    expect(() => {
      for (let i = 0; i < 70; i++) p.push(new Uint8Array(1024).fill(0x41));
    }).toThrow(SipParseError);
    expect(() => new SipStreamParser().push(enc(REGISTER.replace('l: 5', 'l: 99999')))).toThrow(/exceeds/);
  });
});

describe('SIP URIs, name-addr and helpers', () => {
  it('parses GB device URIs and name-addr with tag', () => {
    const u = parseUri('sip:34020000001320000001@192.168.1.10:5060;transport=udp');
    expect(u).toMatchObject({ scheme: 'sip', user: '34020000001320000001', host: '192.168.1.10', port: 5060, params: { transport: 'udp' } });
    expect(formatUri(u)).toBe('sip:34020000001320000001@192.168.1.10:5060;transport=udp');
    const a = parseNameAddr('"Gate \\"A\\"" <sip:1@3402000000;lr>;tag=9f8e');
    expect(a.displayName).toBe('Gate "A"');
    expect(a.tag).toBe('9f8e');
    expect(a.uri.params.lr).toBe('');
    expect(parseNameAddr('sip:1@h;tag=z').tag).toBe('z');
    expect(parseNameAddr(formatNameAddr({ displayName: 'x', uri: u, params: { tag: 't' } })).tag).toBe('t');
    expect(parseUri('sip:[::1]:5070').host).toBe('[::1]');
    for (const bad of ['http://x', 'sip:', 'sip:a@h:99999', 'sip:%zz@h']) expect(() => parseUri(bad)).toThrow(SipParseError);
  });

  it('generates RFC 3261 branches, CSeq and responses', () => {
    expect(newBranch()).toMatch(/^z9hG4bK[0-9a-f]{20}$/);
    expect(newBranch()).not.toBe(newBranch());
    expect(parseCSeq('20 MESSAGE')).toEqual({ seq: 20, method: 'MESSAGE' });
    expect(() => parseCSeq('x')).toThrow(SipParseError);
    const req = createRequest({ method: 'MESSAGE', uri: 'sip:a@b', from: '<sip:c@d>', to: '<sip:a@b>' });
    req.headers.prepend('Via', formatVia({ transport: 'udp', host: '1.2.3.4', port: 5060, params: { branch: 'z9hG4bKq', rport: '' } }));
    const res = createResponse(req, 200, { toTag: 'tt', headers: { Date: '2024-01-01T00:00:00.000' } });
    expect(res.headers.get('Via')).toBe('SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKq;rport');
    expect(tagOf(res.headers.get('To'))).toBe('tt');
    expect(res.reason).toBe('OK');
    const round = parseSipMessage(serializeSipMessage(res));
    expect(round.headers.get('Date')).toBe('2024-01-01T00:00:00.000');
  });
});
