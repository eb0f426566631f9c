import { describe, it, expect } from 'vitest';
import { computeHa1, createSipChallenge, digestResponseFromHa1, parseAuthorization, SipDigestClient, verifySipAuthorization } from './auth.ts';
import { createRequest, createResponse } from './sip/util.ts';

describe('SIP digest authentication (R-SEC-5)', () => {
  it('R-SEC-5: matches the RFC 2617 §3.5 example', () => {
    const ha1 = computeHa1('Mufasa', 'testrealm@host.com', 'Circle Of Life');
    expect(digestResponseFromHa1({ ha1, nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html', algorithm: 'MD5', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' }))
      .toBe('6629fae49393a05397450978507c4ef1');
  });

  for (const algorithm of ['MD5', 'SM3'] as const) {
    it(`R-SEC-5: client authorizes and server verifies from HA1 only (${algorithm})`, () => {
      const realm = '3402000000';
      const ch = createSipChallenge({ realm, algorithm });
      const client = new SipDigestClient({ username: '34020000001320000001', password: 's3cret' });
      const auth = client.authorize(ch.header, 'REGISTER', 'sip:34020000002000000001@3402000000');
      expect(auth).not.toContain('s3cret');
      expect(auth).toContain(`algorithm=${algorithm}`);
      const store: Record<string, string> = { '34020000001320000001': computeHa1('34020000001320000001', realm, 's3cret', algorithm) };
      const opts = { method: 'REGISTER', realm, nonce: ch.nonce, lookupHa1: (u: string) => store[u] };
      expect(verifySipAuthorization(auth, opts)).toEqual({ ok: true, username: '34020000001320000001', nc: 1 });
      expect(verifySipAuthorization(auth, { ...opts, method: 'MESSAGE' })).toMatchObject({ ok: false, reason: 'response' });
      expect(verifySipAuthorization(auth, { ...opts, nonce: 'other' })).toMatchObject({ ok: false, reason: 'nonce' });
      expect(verifySipAuthorization(auth, { ...opts, lookupHa1: () => undefined })).toMatchObject({ ok: false, reason: 'unknown-user' });
      const wrong = new SipDigestClient({ username: '34020000001320000001', password: 'nope' }).authorize(ch.header, 'REGISTER', 'sip:x@y');
      expect(verifySipAuthorization(wrong, opts)).toMatchObject({ ok: false, reason: 'response' });
      // Second request on the same nonce increments nc.
      expect(parseAuthorization(client.authorize(ch.header, 'REGISTER', 'sip:x@y'))?.nc).toBe('00000002');
    });
  }

  it('R-SEC-5: works without qop and applies to a 401 response', () => {
    const ch = createSipChallenge({ realm: 'r', qop: false, nonce: 'n1' });
    const req = createRequest({ method: 'REGISTER', uri: 'sip:r', from: '<sip:u@r>', to: '<sip:u@r>' });
    req.headers.prepend('Via', 'SIP/2.0/UDP h;branch=z9hG4bKa');
    const res = createResponse(req, 401, { headers: { 'WWW-Authenticate': ch.header } });
    const client = new SipDigestClient({ username: 'u', password: 'p' });
    expect(client.applyTo(req, res)).toBe(true);
    const v = verifySipAuthorization(req.headers.get('Authorization'), { method: 'REGISTER', realm: 'r', nonce: 'n1', lookupHa1: () => computeHa1('u', 'r', 'p') });
    expect(v.ok).toBe(true);
  });

  it('never throws on malformed Authorization', () => {
    const opts = { method: 'REGISTER', realm: 'r', nonce: 'n', lookupHa1: () => 'x' };
    for (const h of [undefined, '', 'Basic dTpw', 'Digest', 'Digest username="u", realm="r"', 'Digest username="u", realm="r", nonce="n", uri="u", response="x", algorithm=SHA-1', 'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth']) {
      expect(verifySipAuthorization(h, opts).ok).toBe(false);
    }
    expect(() => new SipDigestClient({ username: 'u', password: 'p' }).authorize('Basic realm="x"', 'REGISTER', 'sip:x')).toThrow(/no supported Digest/);
  });
});
