import { describe, it, expect } from 'vitest';
import { computeHa1, createSipChallenge, createSipChallenges, digestResponseFromHa1, parseAuthorization, SipDigestClient, verifySipAuthorization } from './auth.ts';
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
      expect(verifySipAuthorization(auth, opts)).toEqual({ ok: true, username: '34020000001320000001', algorithm, nc: 1 });
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

  it('R-SEC-5: SM3 HA1 is SM3("user:realm:password") in hex (value from OpenSSL `dgst -sm3`)', () => {
    expect(computeHa1('34020000001320000001', '3402000000', '12345678', 'SM3')).toBe('538cf01f2963358fc65af0f184981bd183d63748b9eba3bb83ae450804f1a6c0');
    expect(computeHa1('34020000001320000001', '3402000000', '12345678')).toHaveLength(32); // MD5 stays the default
  });

  it('R-SEC-5: a server offering SM3 then MD5 (one nonce) verifies whichever the client took, with that HA1', () => {
    const realm = '3201000000';
    const user = '32010600002000000001';
    const ch = createSipChallenges({ realm, algorithms: ['SM3', 'MD5'] });
    expect(ch.headers).toHaveLength(2);
    expect(ch.headers[0]).toContain('algorithm=SM3');
    expect(ch.headers[1]).toContain('algorithm=MD5');
    expect(ch.headers.every((h) => h.includes(`nonce="${ch.nonce}"`))).toBe(true);
    const ha1 = { MD5: computeHa1(user, realm, 'pw-1234', 'MD5'), SM3: computeHa1(user, realm, 'pw-1234', 'SM3') };
    const opts = { method: 'REGISTER', realm, nonce: ch.nonce, algorithms: ['SM3', 'MD5'] as const, lookupHa1: (_u: string, a: 'MD5' | 'SM3') => ha1[a] };
    // A 2022 client takes the first (most preferred) challenge it supports: SM3.
    const modern = new SipDigestClient({ username: user, password: 'pw-1234' });
    const sm3Auth = modern.authorize(ch.headers, 'REGISTER', `sip:${realm}`);
    expect(modern.lastAlgorithm).toBe('SM3');
    expect(verifySipAuthorization(sm3Auth, opts)).toMatchObject({ ok: true, algorithm: 'SM3' });
    // An MD5-only client skips the SM3 challenge (RFC 7616 §3.7) and answers the MD5 one.
    const md5Auth = new SipDigestClient({ username: user, password: 'pw-1234' }).authorize(ch.headers[1], 'REGISTER', `sip:${realm}`);
    expect(verifySipAuthorization(md5Auth, opts)).toMatchObject({ ok: true, algorithm: 'MD5' });
    // The SM3 response checked against the MD5 HA1 fails: the right HA1 per algorithm matters.
    expect(verifySipAuthorization(sm3Auth, { ...opts, lookupHa1: () => ha1.MD5 })).toMatchObject({ ok: false, reason: 'response' });
    // Algorithms not challenged are refused.
    expect(verifySipAuthorization(sm3Auth, { ...opts, algorithms: ['MD5'] })).toMatchObject({ ok: false, reason: 'algorithm' });
    // A 401 carrying both headers: applyTo reads all of them.
    const req = createRequest({ method: 'REGISTER', uri: `sip:${realm}`, from: `<sip:${user}@${realm}>`, to: `<sip:${user}@${realm}>` });
    req.headers.prepend('Via', 'SIP/2.0/UDP h;branch=z9hG4bKb');
    const res = createResponse(req, 401, { headers: { 'WWW-Authenticate': ch.headers } });
    expect(modern.applyTo(req, res)).toBe(true);
    expect(parseAuthorization(req.headers.get('Authorization'))?.algorithm).toBe('SM3');
  });

  it('never throws on malformed Authorization', () => {
    const opts = { method: 'REGISTER', realm: 'r', nonce: 'n', lookupHa1: () => 'x' };
    for (const h of [undefined, '', 'Basic dTpw', 'Digest', 'Digest username="u", realm="r"', 'Digest username="u", realm="r", nonce="n", uri="u", response="x", algorithm=SHA-1', 'Digest username="u", realm="r", nonce="n", uri="u", response="x", qop=auth']) {
      expect(verifySipAuthorization(h, opts).ok).toBe(false);
    }
    expect(() => new SipDigestClient({ username: 'u', password: 'p' }).authorize('Basic realm="x"', 'REGISTER', 'sip:x')).toThrow(/no supported Digest/);
  });
});
