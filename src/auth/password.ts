// Password hashing (scrypt, R-SEC-5) and the password policy.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The bundled list of common passwords and stems (assets/security/common-passwords.txt), read once. */
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(path.resolve(import.meta.dirname, '../../assets/security/common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/**
 * Whether a password is a common one: the list itself, or a listed stem dressed up with leading or
 * trailing digits and symbols and letter substitutions (Password123, P@ssw0rd!, Qwerty12345).
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.toLowerCase();
  const stripped = lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, '');
  const unleet = [...lower.replace(/^[^a-z@$]+/, '').replace(/[^a-z@$]+$/, '')].map((c) => LEET[c] ?? c).join('');
  return [lower, stripped, unleet].some((c) => list.has(c)) || (stripped === '' && list.has(lower.replace(/[^0-9]/g, '')));
}

/** Returns the reasons a password is too weak (empty when it is acceptable). */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  if (password.length < 10) problems.push('密码至少10位 (at least 10 characters)');
  if (password.length > 128) problems.push('密码最多128位 (at most 128 characters)');
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) problems.push('须包含大写、小写、数字、符号中的至少三类 (use 3 of: upper, lower, digit, symbol)');
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    problems.push('密码不能包含用户名 (must not contain the username)');
  if (isCommonPassword(password)) problems.push('密码过于常见，容易被猜中 (too common: found in the list of common passwords)');
  return problems;
}

/** A random password that satisfies the policy, for first-start administrators. */
export function randomPassword(): string {
  const base = randomBytes(12).toString('base64url');
  return `Xc${base}#7`;
}
