// RTSP authentication: Basic and Digest (RFC 2617: MD5 / MD5-sess, qop=auth or none; SHA-256 per
// RFC 7616 when a camera offers only that). Client side parses WWW-Authenticate and builds
// Authorization; server side (used by the camera simulator) issues challenges and verifies.
// Never put credentials in error messages: callers may log them (R-SEC-5).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

export interface AuthChallenge {
  /** Lower-cased scheme: 'basic', 'digest', ... */
  scheme: string;
  /** Auth params with lower-cased names, unquoted values. */
  params: Record<string, string>;
}

/** Parse one or more WWW-Authenticate header values (each may hold several comma-separated challenges). */
export function parseWwwAuthenticate(values: string | string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const v of Array.isArray(values) ? values : [values]) {
    let current: AuthChallenge | undefined;
    for (const item of splitAuthItems(v)) {
      if (item.kind === 'scheme') {
        current = { scheme: item.name.toLowerCase(), params: Object.create(null) as Record<string, string> };
        out.push(current);
        if (item.param) current.params[item.param.name] = item.param.value;
      } else if (current) {
        current.params[item.name] = item.value;
      }
    }
  }
  return out;
}

type AuthItem =
  | { kind: 'scheme'; name: string; param?: { name: string; value: string } }
  | { kind: 'param'; name: string; value: string };

/** Tokenizer for `Scheme a=b, c="d, e", Scheme2 f=g`: quoted strings may contain commas. */
function* splitAuthItems(text: string): Generator<AuthItem> {
  let i = 0;
  const n = text.length;
  const skip = (chars: string): void => {
    while (i < n && chars.includes(text[i])) i++;
  };
  const readToken = (): string => {
    const s = i;
    while (i < n && !' \t,="'.includes(text[i])) i++;
    return text.slice(s, i);
  };
  const readValue = (): string => {
    if (text[i] !== '"') return readToken();
    i++;
    let v = '';
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < n) i++;
      v += text[i++];
    }
    i++; // closing quote (or end)
    return v;
  };
  while (i < n) {
    skip(' \t,');
    if (i >= n) break;
    const start = i;
    const token = readToken();
    if (token === '') {
      i = start + 1; // stray '=' or '"': skip to guarantee progress
      continue;
    }
    skip(' \t');
    if (text[i] === '=') {
      i++;
      skip(' \t');
      yield { kind: 'param', name: token.toLowerCase(), value: readValue() };
      continue;
    }
    // A token not followed by '=' starts a new challenge; its first param may follow directly.
    const afterScheme = i;
    const pname = readToken();
    skip(' \t');
    if (pname !== '' && text[i] === '=') {
      i++;
      skip(' \t');
      yield { kind: 'scheme', name: token, param: { name: pname.toLowerCase(), value: readValue() } };
    } else {
      i = afterScheme;
      yield { kind: 'scheme', name: token };
    }
  }
}

const hashers: Record<string, string> = { md5: 'md5', 'md5-sess': 'md5', 'sha-256': 'sha256', 'sha-256-sess': 'sha256' };

function h(algo: string, s: string): string {
  return createHash(algo).update(s, 'utf8').digest('hex');
}

export interface DigestInput {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  algorithm?: string;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/** The Digest "response" value (RFC 2617 §3.2.2.1). */
export function digestResponse(d: DigestInput): string {
  const algorithm = (d.algorithm ?? 'MD5').toLowerCase();
  const hashName = hashers[algorithm];
  if (!hashName) throw new Error(`unsupported digest algorithm ${d.algorithm ?? ''}`);
  let ha1 = h(hashName, `${d.username}:${d.realm}:${d.password}`);
  if (algorithm.endsWith('-sess')) ha1 = h(hashName, `${ha1}:${d.nonce}:${d.cnonce ?? ''}`);
  const ha2 = h(hashName, `${d.method}:${d.uri}`);
  return d.qop
    ? h(hashName, `${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}:${ha2}`)
    : h(hashName, `${ha1}:${d.nonce}:${ha2}`);
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

/**
 * Client-side authenticator for one challenge set. Prefers Digest (MD5, then SHA-256) over Basic.
 * Keeps the nonce count so repeated requests with the same nonce stay valid under qop=auth.
 */
export class ClientAuthenticator {
  readonly scheme: 'basic' | 'digest';
  private readonly challenge: AuthChallenge;
  private nonceCount = 0;

  constructor(
    challenges: AuthChallenge[],
    private readonly credentials: Credentials,
    private readonly makeCnonce: () => string = () => randomBytes(8).toString('hex'),
  ) {
    const digests = challenges.filter((c) => c.scheme === 'digest' && c.params.nonce !== undefined);
    const usable = digests.filter((c) => hashers[(c.params.algorithm ?? 'MD5').toLowerCase()] !== undefined);
    const digest = usable.find((c) => (c.params.algorithm ?? 'MD5').toLowerCase().startsWith('md5')) ?? usable[0];
    const basic = challenges.find((c) => c.scheme === 'basic');
    const chosen = digest ?? basic;
    if (!chosen) throw new Error('no supported authentication scheme offered (need Basic or Digest)');
    this.challenge = chosen;
    this.scheme = chosen === digest ? 'digest' : 'basic';
  }

  /** True when the server flagged our nonce as stale: retrying with the new nonce is legitimate. */
  get stale(): boolean {
    return (this.challenge.params.stale ?? '').toLowerCase() === 'true';
  }

  /** Authorization header value for one request. */
  authorize(method: string, uri: string): string {
    const { username, password } = this.credentials;
    if (this.scheme === 'basic') {
      return 'Basic ' + Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    }
    const p = this.challenge.params;
    const qops = (p.qop ?? '').split(',').map((q) => q.trim().toLowerCase());
    const qop = qops.includes('auth') ? ('auth' as const) : undefined;
    const realm = p.realm ?? '';
    const nonce = p.nonce ?? '';
    const algorithm = p.algorithm;
    let header = `Digest username=${quote(username)}, realm=${quote(realm)}, nonce=${quote(nonce)}, uri=${quote(uri)}`;
    let nc: string | undefined;
    let cnonce: string | undefined;
    if (qop || (algorithm ?? '').toLowerCase().endsWith('-sess')) cnonce = this.makeCnonce();
    if (qop) {
      this.nonceCount++;
      nc = this.nonceCount.toString(16).padStart(8, '0');
    }
    const response = digestResponse({ username, password, realm, nonce, method, uri, algorithm, qop, nc, cnonce });
    header += `, response=${quote(response)}`;
    if (algorithm) header += `, algorithm=${algorithm}`;
    if (p.opaque !== undefined) header += `, opaque=${quote(p.opaque)}`;
    if (qop) header += `, qop=auth, nc=${nc ?? ''}, cnonce=${quote(cnonce ?? '')}`;
    return header;
  }
}

// ---- server side (camera simulator) ----

export interface DigestChallenge {
  nonce: string;
  /** Value for the WWW-Authenticate header. */
  header: string;
}

export function createDigestChallenge(realm: string, nonce = randomBytes(16).toString('hex')): DigestChallenge {
  return { nonce, header: `Digest realm=${quote(realm)}, nonce=${quote(nonce)}, algorithm=MD5` };
}

export function createBasicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

/**
 * Verify an Authorization header (Basic or Digest) against the expected credentials. Returns false
 * for anything malformed; never throws. Digest must carry our realm and nonce.
 */
export function verifyAuthorization(
  header: string | undefined,
  method: string,
  credentials: Credentials,
  realm: string,
  nonce: string,
): boolean {
  if (!header) return false;
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  if (space < 0) return false;
  const scheme = trimmed.slice(0, space).toLowerCase();
  if (scheme === 'basic') {
    const expected = Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
    return safeEqual(trimmed.slice(space + 1).trim(), expected);
  }
  if (scheme !== 'digest') return false;
  const [challenge] = parseWwwAuthenticate(trimmed);
  const p = challenge?.params;
  if (!p || p.username !== credentials.username || p.realm !== realm || p.nonce !== nonce) return false;
  if (p.uri === undefined || p.response === undefined) return false;
  const algorithm = p.algorithm ?? 'MD5';
  if (hashers[algorithm.toLowerCase()] === undefined) return false;
  const qop = p.qop === undefined ? undefined : p.qop.toLowerCase();
  if (qop !== undefined && qop !== 'auth') return false;
  const expected = digestResponse({
    ...credentials, realm, nonce, method, uri: p.uri, algorithm,
    qop: qop === 'auth' ? 'auth' : undefined, nc: p.nc, cnonce: p.cnonce,
  });
  return safeEqual(p.response.toLowerCase(), expected);
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
