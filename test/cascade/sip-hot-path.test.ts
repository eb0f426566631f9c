// The upper's keepalive path made cheaper for `bench:sip` (issue 15 "a quieter upper", R-FN-3):
// each shortcut must give what the general code gives. The keepalive UPDATE takes a few fixed
// shapes so its prepared statement is reused; header names, the From user, the rport rewrite and
// the GB time are read without the general parsers where the input is plain.
import { describe, expect, it } from 'vitest';
import { userOf } from '../../src/cascade/sip-node.ts';
import { formatGbTime } from '../../src/gb28181/manscdp/time.ts';
import { canonicalHeaderName, SipHeaders } from '../../src/gb28181/sip/headers.ts';
import { parseNameAddr } from '../../src/gb28181/sip/uri.ts';
import { applyRport } from '../../src/gb28181/sip/util.ts';
import type { SipRequest } from '../../src/gb28181/sip/message.ts';
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
});
