// SIP Digest authentication (RFC 2617 / RFC 3261 §22.4) for REGISTER between platform levels,
// with MD5 (GB/T 28181-2016) or SM3 (GB/T 28181-2022). The server side works from HA1 so a
// platform never needs to store plaintext device passwords (R-SEC-5). Never put credentials
// or digests into error messages: callers log them. A server may offer several challenges in
// order of preference (RFC 7616 §3.7, e.g. SM3 then MD5); a client answers the first it supports.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseWwwAuthenticate } from '../media/rtsp/auth.ts';
import { sm3Hex } from './sm3.ts';
import type { SipRequest, SipResponse } from './sip/message.ts';

export type DigestAlgorithm = 'MD5' | 'SM3';

function algorithmOf(name: string | undefined): DigestAlgorithm | undefined {
  const n = (name ?? 'MD5').toUpperCase();
  return n === 'MD5' || n === 'SM3' ? n : undefined;
}

export function digestHash(algorithm: DigestAlgorithm, s: string): string {
  return algorithm === 'SM3' ? sm3Hex(s) : createHash('md5').update(s, 'utf8').digest('hex');
}

/** HA1 = H(username:realm:password): what a platform stores instead of the password. */
export function computeHa1(username: string, realm: string, password: string, algorithm: DigestAlgorithm = 'MD5'): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestParams {
  ha1: string;
  nonce: string;
  method: string;
  uri: string;
  algorithm: DigestAlgorithm;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** The "response" value: H(HA1:nonce[:nc:cnonce:qop]:H(method:uri)). */
export function digestResponseFromHa1(p: DigestParams): string {
  const ha2 = digestHash(p.algorithm, `${p.method}:${p.uri}`);
  return p.qop
    ? digestHash(p.algorithm, `${p.ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:${p.qop}:${ha2}`)
    : digestHash(p.algorithm, `${p.ha1}:${p.nonce}:${ha2}`);
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;

// ---- server side ----

export interface SipChallenge {
  nonce: string;
  /** WWW-Authenticate header value. */
  header: string;
}

export function createSipChallenge(opts: { realm: string; algorithm?: DigestAlgorithm; qop?: boolean; nonce?: string; opaque?: string }): SipChallenge {
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  let header = `Digest realm=${quote(opts.realm)}, nonce=${quote(nonce)}, algorithm=${opts.algorithm ?? 'MD5'}`;
  if (opts.qop !== false) header += ', qop="auth"';
  if (opts.opaque !== undefined) header += `, opaque=${quote(opts.opaque)}`;
  return { nonce, header };
}

/**
 * One challenge per algorithm, most preferred first, all with the same nonce (one WWW-Authenticate
 * header each). The shared nonce keeps verification independent of which one the client took.
 */
export function createSipChallenges(opts: { realm: string; algorithms: readonly DigestAlgorithm[]; qop?: boolean; nonce?: string }): { nonce: string; headers: string[] } {
  if (opts.algorithms.length === 0) throw new Error('createSipChallenges needs at least one algorithm');
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  return { nonce, headers: opts.algorithms.map((algorithm) => createSipChallenge({ realm: opts.realm, algorithm, qop: opts.qop, nonce }).header) };
}

export interface DigestAuthorization {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm: DigestAlgorithm;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

/** Parses an Authorization header; undefined when it is not a well-formed Digest we support. */
export function parseAuthorization(header: string | undefined): DigestAuthorization | undefined {
  if (!header) return undefined;
  const [c] = parseWwwAuthenticate(header);
  if (!c || c.scheme !== 'digest') return undefined;
  const p = c.params;
  const algorithm = algorithmOf(p.algorithm);
  if (!algorithm || p.username === undefined || p.realm === undefined || p.nonce === undefined || p.uri === undefined || p.response === undefined) return undefined;
  const qop = p.qop?.toLowerCase();
  if (qop !== undefined && qop !== 'auth') return undefined;
  if (qop === 'auth' && (p.nc === undefined || p.cnonce === undefined)) return undefined;
  const out: DigestAuthorization = { username: p.username, realm: p.realm, nonce: p.nonce, uri: p.uri, response: p.response, algorithm };
  if (qop === 'auth') {
    out.qop = 'auth';
    out.nc = p.nc;
    out.cnonce = p.cnonce;
  }
  if (p.opaque !== undefined) out.opaque = p.opaque;
  return out;
}

export type VerifyResult =
  | { ok: true; username: string; algorithm: DigestAlgorithm; nc?: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'realm' | 'nonce' | 'algorithm' | 'unknown-user' | 'response'; username?: string };

export interface VerifyOptions {
  method: string;
  realm: string;
  /** Nonce issued for this client; the caller tracks issue time and expiry. */
  nonce: string;
  /** HA1 (see computeHa1) for a username under the algorithm the client used, or undefined when unknown. */
  lookupHa1: (username: string, algorithm: DigestAlgorithm) => string | undefined;
  /** Required algorithm; default accepts the one in the header if MD5 or SM3. */
  algorithm?: DigestAlgorithm;
  /** Accepted algorithms (the ones challenged); default any of MD5 and SM3. */
  algorithms?: readonly DigestAlgorithm[];
}

/** Verifies an Authorization header. Never throws; compares in constant time. */
export function verifySipAuthorization(header: string | undefined, opts: VerifyOptions): VerifyResult {
  if (!header) return { ok: false, reason: 'missing' };
  const a = parseAuthorization(header);
  if (!a) return { ok: false, reason: 'malformed' };
  const username = a.username;
  if (a.realm !== opts.realm) return { ok: false, reason: 'realm', username };
  if (a.nonce !== opts.nonce) return { ok: false, reason: 'nonce', username };
  if (opts.algorithm && a.algorithm !== opts.algorithm) return { ok: false, reason: 'algorithm', username };
  if (opts.algorithms && !opts.algorithms.includes(a.algorithm)) return { ok: false, reason: 'algorithm', username };
  const ha1 = opts.lookupHa1(username, a.algorithm);
  if (ha1 === undefined) return { ok: false, reason: 'unknown-user', username };
  const expected = digestResponseFromHa1({ ha1, nonce: a.nonce, method: opts.method, uri: a.uri, algorithm: a.algorithm, qop: a.qop, nc: a.nc, cnonce: a.cnonce });
  const given = Buffer.from(a.response.toLowerCase());
  const want = Buffer.from(expected);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, reason: 'response', username };
  return a.nc !== undefined ? { ok: true, username, algorithm: a.algorithm, nc: parseInt(a.nc, 16) } : { ok: true, username, algorithm: a.algorithm };
}

// ---- client side ----

/**
 * Answers 401/407 challenges. Keeps the nonce count per nonce so reusing a nonce under qop=auth
 * stays valid. Holds the password only in memory, never in messages or errors.
 */
export class SipDigestClient {
  private nonce = '';
  private nonceCount = 0;

  constructor(
    private readonly credentials: { username: string; password: string },
    private readonly makeCnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  /** The algorithm of the last authorization (which challenge was answered). */
  lastAlgorithm?: DigestAlgorithm;

  /**
   * Authorization value for WWW-Authenticate/Proxy-Authenticate challenge(s): the first Digest
   * challenge with a supported algorithm (servers list them by preference). Throws when none is.
   */
  authorize(challengeHeader: string | readonly string[], method: string, uri: string): string {
    const c = parseWwwAuthenticate([...(typeof challengeHeader === 'string' ? [challengeHeader] : challengeHeader)]).find((x) => x.scheme === 'digest' && algorithmOf(x.params.algorithm) !== undefined);
    if (!c || c.params.nonce === undefined) throw new Error('no supported Digest challenge (MD5 or SM3)');
    const p = c.params;
    const algorithm = algorithmOf(p.algorithm) ?? 'MD5';
    const realm = p.realm ?? '';
    const nonce = p.nonce ?? '';
    const qop = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase()).includes('auth') ? ('auth' as const) : undefined;
    if (nonce !== this.nonce) {
      this.nonce = nonce;
      this.nonceCount = 0;
    }
    const ha1 = computeHa1(this.credentials.username, realm, this.credentials.password, algorithm);
    let nc: string | undefined;
    let cnonce: string | undefined;
    if (qop) {
      nc = (++this.nonceCount).toString(16).padStart(8, '0');
      cnonce = this.makeCnonce();
    }
    const response = digestResponseFromHa1({ ha1, nonce, method, uri, algorithm, qop, nc, cnonce });
    this.lastAlgorithm = algorithm;
    let h = `Digest username=${quote(this.credentials.username)}, realm=${quote(realm)}, nonce=${quote(nonce)}, uri=${quote(uri)}, response=${quote(response)}, algorithm=${algorithm}`;
    if (p.opaque !== undefined) h += `, opaque=${quote(p.opaque)}`;
    if (qop) h += `, qop=auth, nc=${nc ?? ''}, cnonce=${quote(cnonce ?? '')}`;
    return h;
  }

  /** Adds Authorization (401) or Proxy-Authorization (407) to `req` for `res`; false if no challenge. */
  applyTo(req: SipRequest, res: SipResponse): boolean {
    const proxy = res.status === 407;
    const challenge = res.headers.getAll(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
    if (challenge.length === 0) return false;
    req.headers.set(proxy ? 'Proxy-Authorization' : 'Authorization', this.authorize(challenge, req.method, req.uri));
    return true;
  }
}
