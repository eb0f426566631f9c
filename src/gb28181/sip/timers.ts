// RFC 3261 §17 timer values. Injectable (and scalable) so tests can run the full retransmission
// and timeout schedule in milliseconds instead of 32 seconds.

export interface SipTimers {
  /** RTT estimate; retransmissions start here and double. Default 500 ms. */
  t1Ms: number;
  /** Cap on the non-INVITE retransmit interval. Default 4 s. */
  t2Ms: number;
  /** Max time a message stays in the network. Default 5 s. */
  t4Ms: number;
}

export const DEFAULT_SIP_TIMERS: SipTimers = { t1Ms: 500, t2Ms: 4000, t4Ms: 5000 };

/** Timer B/F/H/J: 64 × T1 (32 s by default). */
export const transactionTimeoutMs = (t: SipTimers): number => 64 * t.t1Ms;

/** Every timer multiplied by `factor` (0.01 → T1 = 5 ms, timeouts 320 ms). */
export function scaleSipTimers(factor: number, base: SipTimers = DEFAULT_SIP_TIMERS): SipTimers {
  return { t1Ms: base.t1Ms * factor, t2Ms: base.t2Ms * factor, t4Ms: base.t4Ms * factor };
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    h.unref();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** What an ExpiryWheel holds: told when its time is up; `wheelBucket` is the wheel's bookkeeping. */
export interface WheelItem {
  expire(): void;
  wheelBucket?: Set<WheelItem>;
}

/**
 * Coarse expiry for many items of one lifetime, with one timer for all of them (issue 15): an
 * upper answering 200 keepalives a second holds ~6,400 non-INVITE server transactions for Timer J
 * (32 s), and a timer set and cleared for each was a measurable part of its CPU. Items added during
 * one tick share a bucket; a ring of `slots` buckets advances every `tickMs`, so an item expires
 * after more than (slots − 1) × tickMs and at most slots × tickMs. The timer runs only while the
 * wheel holds something.
 */
export class ExpiryWheel {
  private readonly buckets: Array<Set<WheelItem>>;
  private head = 0;
  private timer: unknown;

  constructor(private readonly scheduler: Scheduler, private readonly tickMs: number, slots: number) {
    if (!(slots >= 2) || !(tickMs > 0)) throw new RangeError('ExpiryWheel needs tickMs > 0 and at least two slots');
    this.buckets = Array.from({ length: slots }, () => new Set<WheelItem>());
  }

  /** A wheel whose items live at least `lifetimeMs` and at most 1/8 longer. */
  static forLifetime(scheduler: Scheduler, lifetimeMs: number): ExpiryWheel {
    return new ExpiryWheel(scheduler, lifetimeMs / 8, 9);
  }

  /** (Re)starts `item`'s lifetime from now. */
  add(item: WheelItem): void {
    const current = this.buckets[this.head];
    if (item.wheelBucket === current) return;
    item.wheelBucket?.delete(item);
    current.add(item);
    item.wheelBucket = current;
    this.timer ??= this.scheduler.setTimeout(this.tick, this.tickMs);
  }

  remove(item: WheelItem): void {
    item.wheelBucket?.delete(item);
    item.wheelBucket = undefined;
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets) n += b.size;
    return n;
  }

  /** Forgets every item without expiring it and stops the timer. */
  clear(): void {
    for (const b of this.buckets) {
      for (const item of b) item.wheelBucket = undefined;
      b.clear();
    }
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    this.head = (this.head + 1) % this.buckets.length;
    const due = this.buckets[this.head];
    // Emptied before expiring: an item re-added while expiring lands in this, the current, bucket.
    const items = [...due];
    due.clear();
    for (const item of items) {
      item.wheelBucket = undefined;
      item.expire();
    }
    if (this.size > 0) this.timer ??= this.scheduler.setTimeout(this.tick, this.tickMs);
  };
}
