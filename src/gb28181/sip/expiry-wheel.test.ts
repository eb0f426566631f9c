// Coarse lifetimes of non-INVITE server transactions (issue 15 quieter upper, R-FN-3): one wheel
// timer instead of one timer per keepalive transaction, and Timer J still honoured — the answer is
// repeated to retransmissions for at least 64 × T1 after it was sent, and the transaction is gone
// at most 1/8 later.
import { describe, expect, it } from 'vitest';
import { ServerTransaction } from './transaction.ts';
import { DEFAULT_SIP_TIMERS, ExpiryWheel } from './timers.ts';
import { createRequest, createResponse } from './util.ts';
import type { Scheduler, WheelItem } from './timers.ts';
import type { SipRequest } from './message.ts';

/** Virtual clock: timers fire only when advance() is called; counts the timers ever set. */
class FakeClock implements Scheduler {
  now = 0;
  set = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    this.set++;
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== h);
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const t = this.timers[0];
      if (!t || t.at > end) break;
      this.timers.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = end;
  }
}

function item(clock: FakeClock, log: number[]): WheelItem {
  return { expire: () => log.push(clock.now) };
}

function message(): SipRequest {
  const r = createRequest({ method: 'MESSAGE', uri: 'sip:a@b', from: '<sip:c@d>', to: '<sip:a@b>' });
  r.headers.prepend('Via', 'SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKw1');
  return r;
}

describe('ExpiryWheel: one timer for many equal lifetimes (issue 15)', () => {
  it('an item added at any moment lives more than 32 s and at most 36 s; one timer serves all', () => {
    const clock = new FakeClock();
    const wheel = ExpiryWheel.forLifetime(clock, 32_000);
    const expired: number[] = [];
    const added: number[] = [];
    for (let t = 0; t < 8000; t += 250) {
      clock.advance(t - clock.now);
      wheel.add(item(clock, expired));
      added.push(clock.now);
    }
    expect(clock.pending).toBe(1);
    clock.advance(60_000);
    expect(expired).toHaveLength(added.length);
    const lives = expired.map((at, i) => at - added[i]).sort((a, b) => a - b);
    expect(lives[0]).toBeGreaterThan(32_000);
    expect(lives[lives.length - 1]).toBeLessThanOrEqual(36_000);
    expect(clock.pending).toBe(0); // empty: the timer stopped
    expect(wheel.size).toBe(0);
  });

  it('adding again restarts the lifetime; a removed item never expires', () => {
    const clock = new FakeClock();
    const wheel = ExpiryWheel.forLifetime(clock, 32_000);
    const a: number[] = [];
    const b: number[] = [];
    const ia = item(clock, a);
    const ib = item(clock, b);
    wheel.add(ia);
    wheel.add(ib);
    clock.advance(20_000);
    wheel.add(ia);
    wheel.remove(ib);
    clock.advance(100_000);
    expect(b).toEqual([]);
    expect(a).toHaveLength(1);
    expect(a[0] - 20_000).toBeGreaterThan(32_000);
  });
});

describe('non-INVITE server transaction on the wheel (R-FN-3, Timer J)', () => {
  it('repeats its final answer to retransmissions for at least 32 s after it, then ends; no timer of its own', () => {
    const clock = new FakeClock();
    const wheel = ExpiryWheel.forLifetime(clock, 64 * DEFAULT_SIP_TIMERS.t1Ms);
    const sent: Uint8Array[] = [];
    let endedAt = -1;
    const req = message();
    clock.advance(10_000); // the handler answers 10 s late: Timer J counts from the answer
    const st = new ServerTransaction(req, { send: (b) => sent.push(b), reliable: false, timers: DEFAULT_SIP_TIMERS, scheduler: clock, wheel, onTerminated: () => (endedAt = clock.now) });
    expect(st.invite).toBeUndefined(); // nothing of the request kept
    clock.advance(10_000);
    st.respond(createResponse(req, 200, { toTag: 't1' }));
    const answeredAt = clock.now;
    st.onRetransmit();
    clock.advance(31_900);
    expect(endedAt).toBe(-1);
    st.onRetransmit();
    expect(sent).toHaveLength(3);
    expect(sent.every((b) => Buffer.from(b).equals(Buffer.from(sent[0])))).toBe(true);
    clock.advance(10_000);
    expect(endedAt - answeredAt).toBeGreaterThan(32_000);
    expect(endedAt - answeredAt).toBeLessThanOrEqual(36_000);
    expect(clock.set).toBeLessThanOrEqual(12); // wheel ticks only (every 4 s while it holds the transaction)
  });

  it('a request never answered ends after at least 32 s (the client gave up by Timer F)', () => {
    const clock = new FakeClock();
    const wheel = ExpiryWheel.forLifetime(clock, 32_000);
    let ended = false;
    new ServerTransaction(message(), { send: () => undefined, reliable: false, timers: DEFAULT_SIP_TIMERS, scheduler: clock, wheel, onTerminated: () => (ended = true) });
    clock.advance(32_000);
    expect(ended).toBe(false);
    clock.advance(4000);
    expect(ended).toBe(true);
  });

  it('over TCP the transaction ends as soon as it has answered (no retransmissions to absorb)', () => {
    const clock = new FakeClock();
    const wheel = ExpiryWheel.forLifetime(clock, 32_000);
    let ended = false;
    const req = message();
    const st = new ServerTransaction(req, { send: () => undefined, reliable: true, timers: DEFAULT_SIP_TIMERS, scheduler: clock, wheel, onTerminated: () => (ended = true) });
    st.respond(createResponse(req, 200, { toTag: 'x' }));
    clock.advance(0);
    expect(ended).toBe(true);
    expect(wheel.size).toBe(0);
  });
});
