// Limits SIP REGISTER digest guessing (R-SEC-4, issue 13 item 1): wrong answers are counted per
// device id and per source address; reaching the limit locks that key out (REGISTER answered
// 403 with Retry-After, even with the right password) for a time that doubles with each lockout.
// A successful registration resets the device id's count. Memory only: a restart forgets (the
// window is minutes; an attacker gains one more window per restart, not an unlimited rate).
import type { Clock } from '../util/clock.ts';

export interface RegisterGuardOptions {
  /** Wrong answers per device id before a lockout (default 3). */
  perDevice?: number;
  /** Wrong answers per source address before a lockout (default 10: a NAT may hide several devices). */
  perSource?: number;
  /** Failures older than this are forgotten (default 10 min). */
  windowMs?: number;
  /** First lockout (default 30 s), doubled per lockout up to maxLockMs (default 30 min). */
  lockMs?: number;
  maxLockMs?: number;
}

interface Entry {
  failures: number;
  firstAtMs: number;
  lockedUntilMs: number;
  lockouts: number;
}

const MAX_KEYS = 50_000;

export class RegisterGuard {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<RegisterGuardOptions>;

  constructor(private readonly clock: Clock, opts: RegisterGuardOptions = {}) {
    this.o = { perDevice: 3, perSource: 10, windowMs: 10 * 60_000, lockMs: 30_000, maxLockMs: 30 * 60_000, ...opts };
  }

  /** Milliseconds left of a lockout of this device id or source address; 0 when free. */
  lockedMs(deviceId: string, sourceHost: string): number {
    const now = this.clock.nowMs();
    return Math.max(0, ...[`id:${deviceId}`, `src:${sourceHost}`].map((k) => (this.entries.get(k)?.lockedUntilMs ?? 0) - now));
  }

  /** Counts a wrong answer; returns the lockout it caused (ms), 0 when none yet. */
  failure(deviceId: string, sourceHost: string): number {
    return Math.max(this.count(`id:${deviceId}`, this.o.perDevice), this.count(`src:${sourceHost}`, this.o.perSource));
  }

  success(deviceId: string): void {
    this.entries.delete(`id:${deviceId}`);
  }

  private count(key: string, limit: number): number {
    const now = this.clock.nowMs();
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size >= MAX_KEYS) this.prune(now);
      e = { failures: 0, firstAtMs: now, lockedUntilMs: 0, lockouts: 0 };
      this.entries.set(key, e);
    }
    if (now - e.firstAtMs > this.o.windowMs) {
      e.failures = 0;
      e.firstAtMs = now;
    }
    e.failures++;
    if (e.failures < limit) return 0;
    e.failures = 0;
    e.lockouts++;
    const ms = Math.min(this.o.maxLockMs, this.o.lockMs * 2 ** (e.lockouts - 1));
    e.lockedUntilMs = now + ms;
    return ms;
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) if (e.lockedUntilMs < now && now - e.firstAtMs > this.o.windowMs) this.entries.delete(k);
    if (this.entries.size >= MAX_KEYS) this.entries.clear(); // all fresh: a flood of distinct keys
  }
}
