// The workstation credential (docs/design/duty.md "Monitoring rooms and workstations"): 256 random
// bits, shown once and kept by the enrolled browser as an httpOnly cookie; the server keeps only
// its SHA-256 (high entropy: no slow KDF needed, and lookup is by the hash).
import { createHash, randomBytes } from 'node:crypto';

export const WORKSTATION_COOKIE = 'xuncha_ws';
/** Browsers cap cookie lifetime at 400 days. */
export const WORKSTATION_COOKIE_MAX_AGE_S = 400 * 24 * 3600;

export function newWorkstationCredential(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 hex of a presented credential; undefined for anything that cannot be one (cheap refusal). */
export function credentialHash(presented: string | undefined): string | undefined {
  if (!presented || !/^[A-Za-z0-9_-]{43}$/.test(presented)) return undefined;
  return createHash('sha256').update(presented).digest('hex');
}
