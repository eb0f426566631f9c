import { describe, it, expect } from 'vitest';
import {
  ClientAuthenticator, createDigestChallenge, digestResponse, parseWwwAuthenticate, verifyAuthorization,
} from './auth.ts';

const RFC = {
  username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html',
};

describe('digest', () => {
  it('matches the RFC 2617 §3.5 example (qop=auth)', () => {
    expect(digestResponse({ ...RFC, qop: 'auth', nc: '00000001', cnonce: '0a4f113b' })).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('computes no-qop digests (RFC 2069 style, as most cameras use)', () => {
    // HA1=md5(Mufasa:testrealm@host.com:Circle Of Life), HA2=md5(GET:/dir/index.html)
    expect(digestResponse(RFC)).toBe('670fd8c2df070c60b045671b8b24ff02');
  });

  it('parses multi-challenge WWW-Authenticate headers with quoted commas', () => {
    const c = parseWwwAuthenticate([
      'Digest realm="IP Camera(23049)", nonce="a1b2, c3", stale="FALSE", qop="auth,auth-int", opaque="xyz"',
      'Basic realm="IP Camera(23049)"',
    ]);
    expect(c.map((x) => x.scheme)).toEqual(['digest', 'basic']);
    expect(c[0].params).toMatchObject({ realm: 'IP Camera(23049)', nonce: 'a1b2, c3', qop: 'auth,auth-int', opaque: 'xyz' });
    const both = parseWwwAuthenticate('Basic realm="r", Digest realm="r", nonce="n"');
    expect(both.map((x) => x.scheme)).toEqual(['basic', 'digest']);
    expect(parseWwwAuthenticate('  ,="=  ')).toEqual([]);
  });

  it('client authenticator reproduces the RFC example and increments nc', () => {
    const a = new ClientAuthenticator(
      parseWwwAuthenticate(`Digest realm="${RFC.realm}", qop="auth,auth-int", nonce="${RFC.nonce}", opaque="5ccc069c403ebaf9f0171e9517f40e41"`),
      RFC, () => '0a4f113b',
    );
    expect(a.scheme).toBe('digest');
    const h1 = a.authorize('GET', '/dir/index.html');
    expect(h1).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(h1).toContain('nc=00000001');
    expect(h1).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    expect(a.authorize('GET', '/dir/index.html')).toContain('nc=00000002');
  });

  it('prefers Digest over Basic and falls back to Basic', () => {
    const both = parseWwwAuthenticate(['Basic realm="r"', 'Digest realm="r", nonce="n"']);
    expect(new ClientAuthenticator(both, RFC).scheme).toBe('digest');
    const basic = new ClientAuthenticator(parseWwwAuthenticate('Basic realm="r"'), { username: 'admin', password: '12345' });
    expect(basic.authorize('DESCRIBE', 'rtsp://h/')).toBe('Basic YWRtaW46MTIzNDU=');
    expect(() => new ClientAuthenticator(parseWwwAuthenticate('Negotiate abc'), RFC)).toThrow(/no supported/);
  });

  it('server verifies what the client builds, with and without qop; rejects wrong password', () => {
    const creds = { username: 'admin', password: 'p@ss:word"x' };
    const ch = createDigestChallenge('cam');
    for (const header of [ch.header, ch.header + ', qop="auth"']) {
      const a = new ClientAuthenticator(parseWwwAuthenticate(header), creds);
      const auth = a.authorize('DESCRIBE', 'rtsp://127.0.0.1/x');
      expect(verifyAuthorization(auth, 'DESCRIBE', creds, 'cam', ch.nonce)).toBe(true);
      expect(verifyAuthorization(auth, 'SETUP', creds, 'cam', ch.nonce)).toBe(false);
      expect(verifyAuthorization(auth, 'DESCRIBE', { ...creds, password: 'no' }, 'cam', ch.nonce)).toBe(false);
      expect(verifyAuthorization(auth, 'DESCRIBE', creds, 'cam', 'othernonce')).toBe(false);
    }
    const basic = new ClientAuthenticator(parseWwwAuthenticate('Basic realm="cam"'), creds).authorize('OPTIONS', '*');
    expect(verifyAuthorization(basic, 'OPTIONS', creds, 'cam', ch.nonce)).toBe(true);
    expect(verifyAuthorization(undefined, 'OPTIONS', creds, 'cam', ch.nonce)).toBe(false);
    expect(verifyAuthorization('Digest garbage', 'OPTIONS', creds, 'cam', ch.nonce)).toBe(false);
  });

  it('R-SEC-5: errors never contain the password', () => {
    try {
      new ClientAuthenticator([], { username: 'u', password: 'secret-pw' });
    } catch (e) {
      expect(String(e)).not.toContain('secret-pw');
    }
  });
});
