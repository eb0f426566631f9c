// Server-side RTSP authentication like Hikvision/Dahua cameras: Basic (RFC 7617) or Digest
// (RFC 2617, MD5, qop optional). Hash checks are done by src/media/rtsp/auth.ts; this wrapper adds
// what a camera does around them: one scheme only, stateless HMAC nonces that expire (stale=TRUE).
import { createHmac, randomBytes } from 'node:crypto';
import {
  createBasicChallenge,
  createDigestChallenge,
  digestResponse,
  parseWwwAuthenticate,
  verifyAuthorization,
} from '../media/rtsp/auth.ts';

export interface AuthConfig {
  username: string;
  password: string;
  scheme: 'basic' | 'digest';
}

const NONCE_TTL_MS = 10 * 60_000;
const MAC_CHARS = 24;

export class RtspAuthenticator {
  private readonly key = randomBytes(16);

  constructor(
    private readonly cfg: AuthConfig,
    private readonly now: () => number,
    readonly realm = 'IP Camera(xuncha)',
  ) {}

  private nonceFor(t: number): string {
    const ts = Math.max(0, Math.floor(t)).toString(16);
    return ts + createHmac('sha256', this.key).update(ts).digest('hex').slice(0, MAC_CHARS);
  }

  private nonceState(nonce: string): 'ok' | 'stale' | 'bad' {
    const ts = nonce.slice(0, -MAC_CHARS);
    if (!/^[0-9a-f]{1,13}$/.test(ts) || this.nonceFor(parseInt(ts, 16)) !== nonce) return 'bad';
    return this.now() - parseInt(ts, 16) > NONCE_TTL_MS ? 'stale' : 'ok';
  }

  /** WWW-Authenticate header values for a 401. */
  challenge(stale = false): string[] {
    if (this.cfg.scheme === 'basic') return [createBasicChallenge(this.realm)];
    const c = createDigestChallenge(this.realm, this.nonceFor(this.now()));
    return [stale ? `${c.header}, stale=TRUE` : c.header];
  }

  /** Checks an Authorization header for `method`: 'ok', 'stale' (right password, expired nonce) or 'denied'. */
  verify(method: string, authorization: string | undefined): 'ok' | 'stale' | 'denied' {
    if (!authorization) return 'denied';
    const scheme = authorization.trim().split(/\s+/, 1)[0].toLowerCase();
    if (scheme !== this.cfg.scheme) return 'denied'; // a Digest camera refuses Basic and vice versa
    const creds = { username: this.cfg.username, password: this.cfg.password };
    if (scheme === 'basic') return verifyAuthorization(authorization, method, creds, this.realm, '') ? 'ok' : 'denied';
    const nonce = parseWwwAuthenticate(authorization)[0]?.params.nonce ?? '';
    const state = this.nonceState(nonce);
    if (state === 'bad' || !verifyAuthorization(authorization, method, creds, this.realm, nonce)) return 'denied';
    return state;
  }
}

/** Client side helper (tests, benches): builds an Authorization header value. */
export function authorizationHeader(cfg: AuthConfig, method: string, uri: string, challenge?: { realm: string; nonce: string }): string {
  if (cfg.scheme === 'basic' || !challenge) return `Basic ${Buffer.from(`${cfg.username}:${cfg.password}`).toString('base64')}`;
  const response = digestResponse({ username: cfg.username, password: cfg.password, realm: challenge.realm, nonce: challenge.nonce, method, uri });
  return `Digest username="${cfg.username}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", response="${response}"`;
}
