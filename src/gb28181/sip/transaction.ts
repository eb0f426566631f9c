// RFC 3261 §17 transaction state machines, independent of sockets: each gets a `send` function
// and a `reliable` flag (TCP: no retransmissions, zero-length wait states).
import { serializeSipMessage } from './message.ts';
import { parseCSeq, parseVia } from './util.ts';
import { transactionTimeoutMs } from './timers.ts';
import type { SipRequest, SipResponse } from './message.ts';
import type { Via } from './util.ts';
import type { ExpiryWheel, Scheduler, SipTimers, WheelItem } from './timers.ts';

export class SipTimeoutError extends Error {
  override readonly name = 'SipTimeoutError';
}

export interface TransactionEnv {
  send: (bytes: Uint8Array) => void;
  reliable: boolean;
  timers: SipTimers;
  scheduler: Scheduler;
  /** Called once the transaction is finished and can be forgotten. */
  onTerminated: () => void;
  /** Coarse expiry shared by the transport's non-INVITE server transactions (instead of a timer each). */
  wheel?: ExpiryWheel;
}

/** Client key: top Via branch + CSeq method (RFC 3261 §17.1.3). */
export function clientKey(msg: SipRequest | SipResponse): string {
  const branch = parseVia(msg.headers.get('Via') ?? '').branch ?? '';
  return `${branch}|${parseCSeq(msg.headers.get('CSeq') ?? '').method}`;
}

/** Server key: branch + sent-by + method, ACK folded onto INVITE (RFC 3261 §17.2.3). */
export function serverKey(req: SipRequest): string {
  return serverKeyOf(parseVia(req.headers.get('Via') ?? ''), req.method);
}

/** `serverKey` from the top Via already parsed (the transport parses it once per request). */
export function serverKeyOf(topVia: Via, method: string): string {
  return `${topVia.branch ?? ''}|${topVia.host}:${topVia.port ?? ''}|${method === 'ACK' ? 'INVITE' : method}`;
}

export class ClientTransaction {
  readonly promise: Promise<SipResponse>;
  private resolve!: (r: SipResponse) => void;
  private reject!: (e: Error) => void;
  private retransmitTimer: unknown;
  private timeoutTimer: unknown;
  private done = false;
  private readonly bytes: Uint8Array;
  private ackBytes?: Uint8Array;

  constructor(
    readonly request: SipRequest,
    private readonly env: TransactionEnv,
    private readonly onProvisional?: (r: SipResponse) => void,
  ) {
    this.promise = new Promise<SipResponse>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.bytes = serializeSipMessage(request);
  }

  start(): void {
    this.env.send(this.bytes);
    const { t1Ms } = this.env.timers;
    if (!this.env.reliable) this.scheduleRetransmit(t1Ms);
    this.timeoutTimer = this.env.scheduler.setTimeout(() => this.fail(new SipTimeoutError(`${this.request.method} timed out after ${transactionTimeoutMs(this.env.timers)} ms`)), transactionTimeoutMs(this.env.timers));
  }

  private scheduleRetransmit(intervalMs: number): void {
    this.retransmitTimer = this.env.scheduler.setTimeout(() => {
      if (this.done) return;
      this.env.send(this.bytes);
      // Timer A (INVITE) doubles without cap; Timer E (non-INVITE) is capped at T2.
      const next = this.request.method === 'INVITE' ? intervalMs * 2 : Math.min(intervalMs * 2, this.env.timers.t2Ms);
      this.scheduleRetransmit(next);
    }, intervalMs);
  }

  onResponse(res: SipResponse): void {
    if (this.done) {
      // Completed: a retransmitted non-2xx final to INVITE gets our ACK again (Timer D state).
      if (this.ackBytes && res.status >= 300) this.env.send(this.ackBytes);
      return;
    }
    if (res.status < 200) {
      if (this.request.method === 'INVITE') this.env.scheduler.clearTimeout(this.retransmitTimer);
      else if (!this.env.reliable) {
        // Proceeding: non-INVITE retransmits continue at T2.
        this.env.scheduler.clearTimeout(this.retransmitTimer);
        this.scheduleRetransmit(this.env.timers.t2Ms);
      }
      this.onProvisional?.(res);
      return;
    }
    this.done = true;
    this.clearTimers();
    if (this.request.method === 'INVITE' && res.status >= 300) {
      this.ackBytes = serializeSipMessage(buildNon2xxAck(this.request, res));
      this.env.send(this.ackBytes);
    }
    this.resolve(res);
    // Linger to absorb retransmitted finals: Timer K (T4) / Timer D (32 s) on UDP, none on TCP.
    const linger = this.env.reliable ? 0 : this.request.method === 'INVITE' ? transactionTimeoutMs(this.env.timers) : this.env.timers.t4Ms;
    this.env.scheduler.setTimeout(() => this.env.onTerminated(), linger);
  }

  /** Transport error or Timer B/F: the request failed. */
  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.clearTimers();
    this.reject(err);
    this.env.onTerminated();
  }

  private clearTimers(): void {
    this.env.scheduler.clearTimeout(this.retransmitTimer);
    this.env.scheduler.clearTimeout(this.timeoutTimer);
  }
}

/** ACK for a non-2xx final response: same branch and Request-URI, part of the INVITE transaction (§17.1.1.3). */
export function buildNon2xxAck(invite: SipRequest, res: SipResponse): SipRequest {
  const ack: SipRequest = { kind: 'request', method: 'ACK', uri: invite.uri, headers: invite.headers.clone(), body: new Uint8Array(0) };
  const h = ack.headers;
  h.set('Via', invite.headers.get('Via') ?? '');
  h.set('To', res.headers.get('To') ?? '');
  h.set('CSeq', `${parseCSeq(invite.headers.get('CSeq') ?? '').seq} ACK`);
  for (const drop of ['Content-Type', 'Authorization', 'Proxy-Authorization', 'Contact', 'Subject']) h.delete(drop);
  return ack;
}

export class ServerTransaction implements WheelItem {
  private last?: Uint8Array;
  private finalStatus = 0;
  private retransmitTimer: unknown;
  private endTimer: unknown;
  wheelBucket?: Set<WheelItem>;
  readonly method: string;
  /**
   * The INVITE (a CANCEL answers it 487). Other methods keep nothing of their request: only the
   * answer's bytes are needed for retransmissions, and an upper holds ~6,400 keepalive
   * transactions for Timer J (bench:sip) — their parsed requests would live on into old space.
   */
  readonly invite?: SipRequest;

  constructor(request: SipRequest, private readonly env: TransactionEnv) {
    this.method = request.method;
    if (request.method === 'INVITE') this.invite = request;
    // A handler that never answers must not leak the transaction: the client gave up by Timer B/F.
    if (this.coarse) env.wheel!.add(this);
    else this.endTimer = env.scheduler.setTimeout(() => this.terminate(), transactionTimeoutMs(env.timers));
  }

  /** Non-INVITE with the transport's wheel: lifetimes (Timer J, the unanswered limit) kept coarsely, no own timers. */
  private get coarse(): boolean {
    return this.env.wheel !== undefined && this.method !== 'INVITE';
  }

  get hasFinal(): boolean {
    return this.finalStatus >= 200;
  }

  /** A retransmission of the request arrived: repeat the latest response (§17.2.1/§17.2.2). */
  onRetransmit(): void {
    if (this.last) this.env.send(this.last);
  }

  respond(res: SipResponse): void {
    if (this.hasFinal) throw new Error('transaction already has a final response');
    this.last = serializeSipMessage(res);
    this.env.send(this.last);
    if (res.status < 200) return;
    this.finalStatus = res.status;
    const { t1Ms, t2Ms } = this.env.timers;
    const timeout = transactionTimeoutMs(this.env.timers);
    if (this.coarse && !this.env.reliable) {
      // Timer J (64 × T1 over UDP) from the final response, on the wheel (at most 1/8 longer).
      this.env.wheel!.add(this);
      return;
    }
    this.env.scheduler.clearTimeout(this.endTimer);
    this.env.wheel?.remove(this);
    if (this.method === 'INVITE') {
      // Until ACK: Timer G retransmits the final (2xx too, as the UAS core must, §13.3.1.4) over UDP.
      if (!this.env.reliable) this.retransmitFinal(t1Ms, t2Ms);
      this.endTimer = this.env.scheduler.setTimeout(() => this.terminate(), timeout);
    } else {
      this.endTimer = this.env.scheduler.setTimeout(() => this.terminate(), this.env.reliable ? 0 : timeout);
    }
  }

  private retransmitFinal(intervalMs: number, capMs: number): void {
    this.retransmitTimer = this.env.scheduler.setTimeout(() => {
      if (this.last) this.env.send(this.last);
      this.retransmitFinal(Math.min(intervalMs * 2, capMs), capMs);
    }, intervalMs);
  }

  /** ACK for our INVITE final: stop retransmitting; linger T4 (Timer I) for ACK retransmits. */
  onAck(): void {
    this.env.scheduler.clearTimeout(this.retransmitTimer);
    this.env.scheduler.clearTimeout(this.endTimer);
    this.endTimer = this.env.scheduler.setTimeout(() => this.terminate(), this.env.reliable ? 0 : this.env.timers.t4Ms);
  }

  /** The wheel's time for it is up. */
  expire(): void {
    this.terminate();
  }

  terminate(): void {
    this.env.scheduler.clearTimeout(this.retransmitTimer);
    this.env.scheduler.clearTimeout(this.endTimer);
    this.env.wheel?.remove(this);
    this.env.onTerminated();
  }
}
