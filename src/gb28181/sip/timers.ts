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
