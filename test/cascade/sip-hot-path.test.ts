// The upper's keepalive path made cheaper for `bench:sip` (issue 15 "a quieter upper", R-FN-3):
// each shortcut must give what the general code gives. The keepalive UPDATE takes a few fixed
// shapes so its prepared statement is reused; header names, the From user, the rport rewrite and
// the GB time are read without the general parsers where the input is plain.
import { describe, expect, it } from 'vitest';
import { userOf } from '../../src/cascade/sip-node.ts';
import { formatGbTime } from '../../src/gb28181/manscdp/time.ts';
import { canonicalHeaderName, SipHeaders } from '../../src/gb28181/sip/headers.ts';
import { parseNameAddr } from '../../src/gb28181/sip/uri.ts';
import { applyRport, createResponse, parseVia, REASONS } from '../../src/gb28181/sip/util.ts';
import { parseSipMessage, serializeSipMessage, SipParseError } from '../../src/gb28181/sip/message.ts';
import type { SipMessage, SipRequest, SipResponse } from '../../src/gb28181/sip/message.ts';
import type { ResponseInit } from '../../src/gb28181/sip/util.ts';
import { padToShape } from '../../src/store/repos/cascade-repo.ts';

describe('keepalive path shortcuts (issue 15 quieter upper)', () => {
  it('keepalive batches of 1 to 400 lowers are written with at most four statement shapes, every lower kept', () => {
    const lengths = new Set<number>();
    for (let n = 1; n <= 400; n++) {
      const chunk = Array.from({ length: n }, (_, i) => ({ id: i + 1, atMs: 1000 + i }));
      const padded = padToShape(chunk);
      lengths.add(padded.length);
      expect(new Set(padded.map((e) => e.id)).size).toBe(n); // only repeats of the last entry added
      expect(padded.slice(n).every((e) => e === chunk[n - 1])).toBe(true);
    }
    expect([...lengths].sort((a, b) => a - b)).toEqual([8, 32, 128, 400]);
  });

  it('header names are canonical the same way whether seen before or not', () => {
    for (const name of ['v', 'call-id', 'CALL-ID', 'content-length', 'X-GB-VER', 'x-custom-thing', 'Cseq']) {
      const first = canonicalHeaderName(name);
      expect(canonicalHeaderName(name)).toBe(first);
    }
    expect(canonicalHeaderName('x-custom-thing')).toBe('X-Custom-Thing');
    expect(canonicalHeaderName('v')).toBe('Via');
    expect(new SipHeaders([['via', 'SIP/2.0/UDP a:1;branch=z9hG4bK1, SIP/2.0/UDP b:2;branch=z9hG4bK2']]).get('Via')).toBe('SIP/2.0/UDP a:1;branch=z9hG4bK1');
  });

  it('the From user read by the shortcut equals the full parser, and odd forms still go through the parser', () => {
    for (const h of ['<sip:32010600001320000001@3201060000>;tag=abc', '<sip:3201@127.0.0.1:5060>;tag=1', '"相机" <sip:34020000001320000001@3402000000>;tag=9', 'sip:34020000001320000001@3402000000;tag=x', '<sip:a%40b@host>']) {
      expect(userOf(h)).toBe(parseNameAddr(h).uri.user ?? '');
    }
    expect(userOf('<sip:@>')).toBe('');
  });

  it('rport: the top Via of a comma list gets rport and received, the other Via stays', () => {
    const headers = new SipHeaders([['Via', 'SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKa, SIP/2.0/UDP proxy:5060;branch=z9hG4bKb'], ['From', '<sip:a@b>;tag=1']]);
    const req = { kind: 'request', method: 'MESSAGE', uri: 'sip:x@y', headers, body: new Uint8Array(0) } as SipRequest;
    applyRport(req, '192.168.1.9', 40000);
    expect(headers.getAll('Via')).toEqual(['SIP/2.0/UDP 10.0.0.5:5060;rport=40000;branch=z9hG4bKa;received=192.168.1.9', 'SIP/2.0/UDP proxy:5060;branch=z9hG4bKb']);
    const noRport = new SipHeaders([['Via', 'SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKc']]);
    applyRport({ ...req, headers: noRport }, '192.168.1.9', 40000);
    expect(noRport.get('Via')).toBe('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKc');
  });

  it('GB time of consecutive instants is right across second boundaries (the formatted second is reused)', () => {
    const t = Date.UTC(2026, 11, 31, 15, 59, 59, 900); // 23:59:59.900 Beijing
    expect(formatGbTime(t)).toBe('2026-12-31T23:59:59');
    expect(formatGbTime(t + 50)).toBe('2026-12-31T23:59:59');
    expect(formatGbTime(t + 100)).toBe('2027-01-01T00:00:00');
    expect(formatGbTime(t - 1000)).toBe('2026-12-31T23:59:58');
  });

  // Round 2 (issue 15, 2026-12-07): the parser splits lines without a regular expression, responses
  // are built in one pass over the request's headers and serialized into one buffer. The general
  // code they replaced is kept below as the reference.
  const CASES = [
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h:1;rport;branch=z9hG4bK1\r\nFrom: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n',
    'MESSAGE sip:a@b SIP/2.0\nv: SIP/2.0/UDP h:1;branch=z9hG4bK2, SIP/2.0/TCP g;branch=z9hG4bK3\nf: <sip:c@d>;tag=1\nt: <sip:a@b>\ni: x\nCSeq: 1 MESSAGE\nSubject: a\n \tfolded\n\n',
    'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\nCall-ID: y\r\nCSeq: 7 OPTIONS\r\nX-Odd :  spaced  \r\n\r\n',
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\rX\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\r\nCall-ID: y\r\nCSeq: 1 MESSAGE\r\n\r\n', // bare CR
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\r\nCall-ID: y\r\nCSeq: 1 MESSAGE\r\n\r\n', // CR CR LF
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\r\nCall-ID: y\r\nCSeq: 1 MESSAGE\r', // no blank line, trailing CR
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\r\nCall-ID: y\r\nCSeq: 1 MESSAGE\r\r', // trailing CR CR
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFr om: x\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\r\nCall-ID: y\r\nCSeq: 1 MESSAGE\r\n\r\n', // bad name
    'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n: no name\r\n\r\n',
    '\r\n\r\nMESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:c@d>\r\nTo: <sip:a@b>\r\nCall-ID: y\r\nCSeq: 1 MESSAGE\r\n\r\nbody',
  ];

  /** The header lines as the parser split them before (split(/\r?\n/), bare CR refused, folding). */
  function referenceLines(text: string): string[] {
    const head = text.replace(/^[\r\n]+/, '');
    const lf = head.search(/\r?\n\r?\n/);
    const block = lf < 0 ? head : head.slice(0, head.indexOf('\n', lf));
    const raw = (block.endsWith('\r') ? block.slice(0, -1) : block).split(/\r?\n/);
    if (raw.some((l) => l.includes('\r'))) throw new SipParseError('bare CR in header block');
    const lines: string[] = [];
    for (const line of raw) {
      if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 1) lines[lines.length - 1] += ' ' + line.trim();
      else lines.push(line);
    }
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.slice(1).map((l) => `${l.slice(0, l.indexOf(':')).trim()}|${l.slice(l.indexOf(':') + 1).trim()}`);
  }

  it('the parser splits header lines as split(/\\r?\\n/) did: CRLF, bare LF, folding, trailing CR; a bare CR refused either way', () => {
    for (const text of CASES) {
      let expected: string[] | 'error';
      try {
        expected = referenceLines(text).map((l) => l.toLowerCase());
      } catch {
        expected = 'error';
      }
      let got: string[] | 'error';
      try {
        const m = parseSipMessage(Buffer.from(text, 'latin1'));
        got = m.headers.entries().map(([k, v]) => `${k}|${v}`.toLowerCase());
      } catch (e) {
        expect(e).toBeInstanceOf(SipParseError);
        got = 'error';
      }
      if (expected === 'error') expect(got, text).toBe('error');
      else if (got !== 'error') {
        // Names are canonical now (v → via): compare the values and the count.
        expect(got.map((l) => l.split('|')[1]), text).toEqual(expected.map((l) => l.split('|')[1]));
      }
    }
    expect(() => parseSipMessage(Buffer.from(CASES[3], 'latin1'))).toThrow(/bare CR/);
    expect(() => parseSipMessage(Buffer.from(CASES[7], 'latin1'))).toThrow(/malformed header name/);
  });

  /** The response builder before the one-pass version (getAll/get per header). */
  function referenceResponse(req: SipRequest, status: number, init: ResponseInit = {}): SipResponse {
    const headers = new SipHeaders();
    for (const via of req.headers.getAll('Via')) headers.append('Via', via);
    headers.append('From', req.headers.get('From') ?? '');
    let to = req.headers.get('To') ?? '';
    if (status > 100 && init.toTag !== undefined && !/;\s*tag=/i.test(to)) to += `;tag=${init.toTag}`;
    headers.append('To', to);
    headers.append('Call-ID', req.headers.get('Call-ID') ?? '');
    headers.append('CSeq', req.headers.get('CSeq') ?? '');
    for (const [k, v] of Object.entries(init.headers ?? {})) for (const one of Array.isArray(v) ? v : [v]) headers.append(k, one);
    return { kind: 'response', status, reason: init.reason ?? REASONS[status] ?? 'Unknown', headers, body: init.body ?? new Uint8Array(0) };
  }

  /** The serializer before the one-buffer version. */
  function referenceBytes(msg: SipMessage): Buffer {
    const startLine = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
    const lines = [startLine];
    for (const [k, v] of msg.headers.entries()) if (k !== 'Content-Length') lines.push(`${k}: ${v}`);
    lines.push(`Content-Length: ${msg.body.length}`, '', '');
    return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), msg.body]);
  }

  it('responses (Via list split in order, first From/To/Call-ID/CSeq, To tag only when absent) and their bytes equal the general code', () => {
    const inits: Array<[number, ResponseInit]> = [
      [100, { toTag: 'aa' }],
      [200, { toTag: 'bb', headers: { Date: '2026-12-07T20:00:00.000', 'x-gb-ver': '3.0' } }],
      [401, { headers: { 'WWW-Authenticate': ['Digest realm="r", nonce="1", algorithm=SM3', 'Digest realm="r", nonce="1"'] } }],
      [488, { reason: '不接受 Not Acceptable', body: Buffer.from('v=0\r\n中文', 'utf8') }],
    ];
    for (const text of [CASES[0], CASES[1], CASES[2], CASES[9]]) {
      const req = parseSipMessage(Buffer.from(text, 'latin1')) as SipRequest;
      applyRport(req, '10.1.1.1', 4000, parseVia(req.headers.get('Via') ?? ''));
      for (const [status, init] of inits) {
        const ours = createResponse(req, status, init);
        const ref = referenceResponse(req, status, init);
        expect(ours.headers.entries()).toEqual(ref.headers.entries());
        expect(Buffer.from(serializeSipMessage(ours)).equals(referenceBytes(ref))).toBe(true);
      }
    }
    expect(() => createResponse(parseSipMessage(Buffer.from(CASES[0], 'latin1')) as SipRequest, 200, { headers: { Contact: 'a\r\nInjected: 1' } })).toThrow(/CR\/LF/);
  });

  it('rport with the Via parsed by the caller gives what applyRport parsing it itself gives', () => {
    for (const via of ['SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKa', 'SIP/2.0/UDP 10.1.1.1:4000;rport;branch=z9hG4bKb', 'SIP/2.0/UDP h;branch=z9hG4bKc', 'SIP/2.0/UDP h;RPORT=;branch=z9hG4bKd, SIP/2.0/UDP p;branch=z9hG4bKe']) {
      const a = new SipHeaders([['Via', via]]);
      const b = new SipHeaders([['Via', via]]);
      const mk = (headers: SipHeaders) => ({ kind: 'request', method: 'MESSAGE', uri: 'sip:x@y', headers, body: new Uint8Array(0) }) as SipRequest;
      applyRport(mk(a), '10.1.1.1', 4000);
      applyRport(mk(b), '10.1.1.1', 4000, parseVia(b.get('Via') ?? ''));
      expect(b.getAll('Via')).toEqual(a.getAll('Via'));
    }
  });
});
