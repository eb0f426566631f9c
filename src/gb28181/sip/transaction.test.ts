import { describe, it, expect } from 'vitest';
import { ClientTransaction, ServerTransaction, SipTimeoutError } from './transaction.ts';
import { DEFAULT_SIP_TIMERS } from './timers.ts';
import { createRequest, createResponse } from './util.ts';
import { parseSipMessage } from './message.ts';
import type { Scheduler } from './timers.ts';
import type { SipRequest } from './message.ts';

/** Virtual clock: timers fire only when advance() is called. */
class FakeClock implements Scheduler {
  now = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== h);
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

function req(method: string): SipRequest {
  const r = createRequest({ method, uri: 'sip:a@b', from: '<sip:c@d>', to: '<sip:a@b>' });
  r.headers.prepend('Via', 'SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKt1');
  return r;
}

describe('RFC 3261 transactions with real default timers on a virtual clock (R-FN-3)', () => {
  it('R-FN-3: non-INVITE over UDP retransmits at 0.5, 1, 2, 4, 4 … s and times out at 32 s (Timer E/F)', async () => {
    const clock = new FakeClock();
    const sends: number[] = [];
    const tx = new ClientTransaction(req('MESSAGE'), { send: () => sends.push(clock.now), reliable: false, timers: DEFAULT_SIP_TIMERS, scheduler: clock, onTerminated: () => undefined });
    tx.start();
    const outcome = tx.promise.catch((e: unknown) => e);
    clock.advance(32_000);
    expect(sends.slice(0, 7)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500]);
    expect(await outcome).toBeInstanceOf(SipTimeoutError);
  });

  it('R-FN-3: INVITE doubles without cap (Timer A) and ACKs a non-2xx final on the same branch', async () => {
    const clock = new FakeClock();
    const sent: Uint8Array[] = [];
    const times: number[] = [];
    const invite = req('INVITE');
    const tx = new ClientTransaction(invite, { send: (b) => { sent.push(b); times.push(clock.now); }, reliable: false, timers: DEFAULT_SIP_TIMERS, scheduler: clock, onTerminated: () => undefined });
    tx.start();
    clock.advance(8000);
    expect(times).toEqual([0, 500, 1500, 3500, 7500]);
    tx.onResponse(createResponse(invite, 486, { toTag: 'x' }));
    const res = await tx.promise;
    expect(res.status).toBe(486);
    const ack = parseSipMessage(sent[sent.length - 1]);
    expect(ack.kind === 'request' && ack.method).toBe('ACK');
    expect(ack.headers.get('Via')).toContain('z9hG4bKt1');
    expect(ack.headers.get('CSeq')).toBe('1 ACK');
    // A retransmitted final gets the ACK again; nothing else is sent.
    tx.onResponse(createResponse(invite, 486, { toTag: 'x' }));
    expect(sent.length).toBe(7);
  });

  it('R-FN-3: reliable transport sends once; server repeats responses and retransmits INVITE finals until ACK', () => {
    const clock = new FakeClock();
    let sends = 0;
    const tx = new ClientTransaction(req('MESSAGE'), { send: () => sends++, reliable: true, timers: DEFAULT_SIP_TIMERS, scheduler: clock, onTerminated: () => undefined });
    tx.start();
    void tx.promise.catch(() => undefined);
    clock.advance(31_000);
    expect(sends).toBe(1);

    const invite = req('INVITE');
    const out: number[] = [];
    let ended = false;
    const st = new ServerTransaction(invite, { send: () => out.push(clock.now), reliable: false, timers: DEFAULT_SIP_TIMERS, scheduler: clock, onTerminated: () => (ended = true) });
    st.respond(createResponse(invite, 100));
    st.onRetransmit();
    st.respond(createResponse(invite, 200, { toTag: 't' }));
    clock.advance(5000);
    expect(out.map((t) => t - out[0])).toEqual([0, 0, 0, 500, 1500, 3500]);
    st.onAck();
    clock.advance(10_000);
    expect(out.length).toBe(6);
    expect(ended).toBe(true);
  });
});
