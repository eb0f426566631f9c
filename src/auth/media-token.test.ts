import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signMediaToken, verifyMediaToken } from './media-token.ts';

describe('media tokens (R-SEC-4)', () => {
  const key = randomBytes(32);
  const claims = { u: 7, p: 'live' as const, c: [1, 2], exp: 2_000, s: 'abcd' };

  it('verifies a fresh token and refuses an expired, forged or foreign one', () => {
    const token = signMediaToken(key, claims);
    expect(verifyMediaToken(key, token, 1_000)).toEqual(claims);
    expect(verifyMediaToken(key, token, 2_000)).toBeUndefined();
    expect(verifyMediaToken(randomBytes(32), token, 1_000)).toBeUndefined();
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, c: [1, 2, 3] })).toString('base64url');
    expect(verifyMediaToken(key, `${forged}.${mac}`, 1_000)).toBeUndefined();
    expect(verifyMediaToken(key, `${body}.`, 1_000)).toBeUndefined();
    expect(verifyMediaToken(key, 'garbage', 1_000)).toBeUndefined();
  });
});
