// Refused or dropped SIP traffic is logged at warn, once per peer and reason per interval, so a
// flood (spoofer, guesser, broken device) cannot fill the log: the next line says how many were
// suppressed meanwhile. Issue 15 "every received message that is refused is logged once at warn".
import type { Logger } from 'pino';
import type { Clock } from '../util/clock.ts';

const MAX_KEYS = 10_000;

export class RefusalLog {
  private readonly seen = new Map<string, { atMs: number; suppressed: number }>();
  /** Set by warn() until the current synchronous turn ends: see warnedThisTurn(). */
  private warnedNow = false;

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 60_000,
  ) {}

  /** Logs `msg` at warn unless the same `key` (peer + reason) was logged within the interval. */
  warn(key: string, fields: Record<string, unknown>, msg: string): void {
    if (!this.warnedNow) {
      this.warnedNow = true;
      queueMicrotask(() => (this.warnedNow = false));
    }
    const now = this.clock.nowMs();
    const s = this.seen.get(key);
    if (s && now - s.atMs < this.intervalMs) {
      s.suppressed++;
      return;
    }
    if (this.seen.size >= MAX_KEYS) this.seen.delete(this.seen.keys().next().value!); // oldest first
    this.seen.delete(key);
    this.seen.set(key, { atMs: now, suppressed: 0 });
    this.log.warn({ ...fields, ...(s?.suppressed ? { suppressed: s.suppressed } : {}) }, msg);
  }

  /**
   * Whether warn() ran in the current synchronous turn. Handlers that refuse with details of their
   * own warn and reply in one turn; the SIP dispatcher's catch-all for refusals (any answer ≥ 400)
   * then stays quiet, so each refused message gives one line, not two.
   */
  warnedThisTurn(): boolean {
    return this.warnedNow;
  }
}
