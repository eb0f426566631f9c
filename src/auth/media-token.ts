// Short-lived media tokens: a media URL (WebSocket, WebRTC offer, export download) carries a token
// bound to one user, one purpose and a set of cameras, signed with the node's media key. A token
// is issued only after the permission and scope checks, so media endpoints need no cookie
// (R-SEC-4; players and <video> elements cannot send CSRF headers).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type MediaPurpose = 'live' | 'playback' | 'export';

export interface MediaClaims {
  /** User id. */
  u: number;
  /** Purpose. */
  p: MediaPurpose;
  /** Camera ids the token opens. */
  c: number[];
  /** Expiry, ms since epoch. */
  exp: number;
  /** Session id prefix: the token dies with the login session when checked against it. */
  s: string;
  /** Duty workstation (id) the token was issued at, if any: the two-person rule is checked again on each use (R-DIS-3). */
  w?: number;
}

export const MEDIA_TOKEN_TTL_MS = 60_000;

export function signMediaToken(key: Buffer, claims: MediaClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${mac}`;
}

/** Returns the claims of a valid, unexpired token, or undefined. */
export function verifyMediaToken(key: Buffer, token: string, nowMs: number): MediaClaims | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return undefined;
  const body = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
  let claims: MediaClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as MediaClaims;
  } catch {
    return undefined;
  }
  if (typeof claims.exp !== 'number' || claims.exp <= nowMs || !Array.isArray(claims.c)) return undefined;
  return claims;
}
