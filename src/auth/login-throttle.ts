// Failed-login limit per source address (issue 13 item 1): whoever guesses across many accounts
// from one address is stopped even though no single account reaches its lockout. In memory and
// synchronous, so requests arriving at once cannot all pass the check before any failure is
// counted: an attempt reserves its place before any work and gives it back only when it succeeds.
import type { Clock } from '../util/clock.ts';

export interface ThrottlePolicy {
  /** Failed attempts (and attempts in flight) allowed per address within the window. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { maxFailures: 30, windowMs: 15 * 60_000 };

/** Addresses kept at most; the oldest are forgotten first (a flood of spoofed sources cannot exhaust memory). */
const MAX_ADDRESSES = 50_000;

interface Entry {
  /** Instants (ms) of failures within the window, oldest first. */
  failures: number[];
  inFlight: number;
}

export class LoginThrottle {
  private readonly byAddress = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
  ) {}

  /**
   * Reserves one attempt for `address`; undefined when the address is over its limit (answer 429
   * without checking anything). Call the returned `failed` or `succeeded` exactly once.
   */
  begin(address: string): { failed(): void; succeeded(): void } | undefined {
    const now = this.clock.nowMs();
    const e = this.entry(address, now);
    if (e.failures.length + e.inFlight >= this.policy.maxFailures) return undefined;
    e.inFlight++;
    let done = false;
    const finish = (failed: boolean) => {
      if (done) return;
      done = true;
      e.inFlight--;
      if (failed) e.failures.push(this.clock.nowMs());
      if (!this.byAddress.has(address)) this.byAddress.set(address, e);
    };
    return { failed: () => finish(true), succeeded: () => finish(false) };
  }

  /** Milliseconds until `address` may try again (0 when it may). */
  retryAfterMs(address: string): number {
    const e = this.byAddress.get(address);
    if (!e || e.failures.length === 0) return 0;
    return Math.max(0, e.failures[0] + this.policy.windowMs - this.clock.nowMs());
  }

  private entry(address: string, now: number): Entry {
    let e = this.byAddress.get(address);
    if (e) {
      while (e.failures.length && e.failures[0] <= now - this.policy.windowMs) e.failures.shift();
      // Refresh its place in the insertion order (the oldest address is evicted first).
      this.byAddress.delete(address);
      this.byAddress.set(address, e);
      return e;
    }
    if (this.byAddress.size >= MAX_ADDRESSES) {
      const oldest = this.byAddress.keys().next().value;
      if (oldest !== undefined) this.byAddress.delete(oldest);
    }
    e = { failures: [], inFlight: 0 };
    this.byAddress.set(address, e);
    return e;
  }
}
