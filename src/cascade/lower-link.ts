// This node as a lower platform: REGISTER with digest to the configured upper, refresh before
// expiry, re-register with backoff, Keepalive every keepaliveS, clock offset from the Date header
// of the answers to REGISTER and keepalive (round trip halved; recorded and reported, never
// applied), and reliable delivery of notifications. Every REGISTER declares our edition in
// X-GB-Ver (GB/T 28181-2022 Annex I); the upper's answer says its own.
// One registration state machine per upper (issue 15 defect 1): at most one REGISTER in flight,
// one pending timer (refresh or retry), CSeq strictly increasing in our one Call-ID; keepalive
// answers from before the current registration attempt are ignored.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createRequest, GB_VERSION_HEADER, gbVersionText, newCallId, parseGbVersion, SipDigestClient } from '../gb28181/index.ts';
import type { ManscdpMessage, SipDestination, SipResponse } from '../gb28181/index.ts';
import type { Clock } from '../util/clock.ts';
import type { SipNode } from './sip-node.ts';
import { clockOffsetOf, sipDateText } from './upper-clock.ts';

export { clockOffsetOf, parseSipDate, sipDateResolutionMs } from './upper-clock.ts';

export interface UpperSettings {
  id: string;
  host: string;
  port: number;
  password: string;
  transport: 'udp' | 'tcp';
  keepaliveS: number;
  expiresS: number;
  /** Missed keepalives that start a new registration (default 3; DeviceConfig HeartBeatCount). */
  heartBeatCount?: number;
  /** Edition declared in X-GB-Ver; default '2022' ("3.0"). '2016' for an upper that refuses unknown versions. */
  gbVersion?: '2016' | '2022';
}

export interface LowerLinkStatus {
  upperId: string;
  state: 'stopped' | 'registering' | 'registered' | 'failed';
  registeredAtMs?: number;
  expiresAtMs?: number;
  lastKeepaliveOkMs?: number;
  keepaliveFailures: number;
  /**
   * Upper's clock minus ours (ms) from the Date header of the last answer that carried one (200 to
   * REGISTER, or to a keepalive), taken at the middle of the round trip; accuracy ±clockAccuracyMs
   * (half the round trip plus the Date's resolution). When and from what it was measured.
   */
  clockOffsetMs?: number;
  clockAccuracyMs?: number;
  clockMeasuredAtMs?: number;
  clockSource?: 'register' | 'keepalive';
  lastError?: string;
  /** X-GB-Ver we declare ("3.0") and the one the upper's last answer declared, if any. */
  gbVersion: string;
  upperGbVersion?: string;
  /** Digest algorithm of the last successful REGISTER ('MD5' | 'SM3'). */
  authAlgorithm?: string;
  registrations: number;
  queuedNotifications: number;
}

const MAX_QUEUE = 1000;

export interface LowerLinkOptions {
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Longest wait for the answer to the Expires: 0 REGISTER when stopping (default 2 s). */
  unregisterWaitMs?: number;
}

export class LowerLink extends EventEmitter<{ registered: []; lost: [string] }> {
  status: LowerLinkStatus;
  private readonly callId = newCallId();
  private cseq = 0;
  private stopped = true;
  /** The one pending timer: refresh before expiry, or retry after a failure. */
  private timer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  /** The REGISTER in flight, if any: never two at once. */
  private registering?: Promise<void>;
  /** Bumped at each registration attempt: keepalive answers of an older one do not count. */
  private generation = 0;
  private backoffMs: number;
  private readonly queue: Array<() => ManscdpMessage | string> = [];
  private flushing = false;
  /** The upper was lost and not yet regained: further failures are not logged at warn again. */
  private lostLogged = false;

  constructor(
    private readonly node: SipNode,
    readonly upper: UpperSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: LowerLinkOptions = {},
  ) {
    super();
    this.backoffMs = opts.backoffMinMs ?? 1000;
    this.status = { upperId: upper.id, state: 'stopped', keepaliveFailures: 0, gbVersion: gbVersionText(upper.gbVersion ?? '2022'), registrations: 0, queuedNotifications: 0 };
  }

  get destination(): SipDestination {
    return { host: this.upper.host, port: this.upper.port, transport: this.upper.transport };
  }

  get registered(): boolean {
    return this.status.state === 'registered';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.register();
  }

  /** Stops at once; the upper is told we leave (Expires: 0) if it answers within unregisterWaitMs. */
  async stop(): Promise<void> {
    const wasRegistered = this.registered && !this.registering;
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    this.status = { ...this.status, state: 'stopped', registeredAtMs: undefined, expiresAtMs: undefined };
    if (!wasRegistered) return;
    let wait: NodeJS.Timeout | undefined;
    const bye = this.sendRegister(0).then(() => undefined, () => undefined); // best effort
    await Promise.race([bye, new Promise<void>((r) => (wait = setTimeout(r, this.opts.unregisterWaitMs ?? 2000)))]);
    clearTimeout(wait);
  }

  /**
   * DeviceConfig BasicParam from the upper (in memory until restart): a new registration expiry
   * (used from the next refresh), keepalive interval (from now) and missed-keepalive count.
   */
  reconfigure(p: { expiresS?: number; keepaliveS?: number; heartBeatCount?: number }): void {
    if (p.expiresS !== undefined) this.upper.expiresS = p.expiresS;
    if (p.heartBeatCount !== undefined) this.upper.heartBeatCount = p.heartBeatCount;
    if (p.keepaliveS !== undefined && p.keepaliveS !== this.upper.keepaliveS) {
      this.upper.keepaliveS = p.keepaliveS;
      if (this.registered) {
        clearInterval(this.keepalive);
        this.keepalive = setInterval(() => void this.sendKeepalive(), this.upper.keepaliveS * 1000);
      }
    }
    this.log.info({ upper: this.upper.id, ...p }, 'upper platform changed registration settings (DeviceConfig BasicParam)');
  }

  /** Sends now when registered, else queues (bounded) until the next registration. */
  notify(build: () => ManscdpMessage | string): void {
    if (this.queue.length >= MAX_QUEUE) this.queue.shift();
    this.queue.push(build);
    this.status.queuedNotifications = this.queue.length;
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing || !this.registered) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0 && this.registered) {
        const res = await this.node.message(this.destination, this.upper.id, this.queue[0]()).catch((e: Error) => e);
        if (res instanceof Error || res.status >= 300) break; // stays queued; retried after re-registration
        this.queue.shift();
        this.status.queuedNotifications = this.queue.length;
      }
    } finally {
      this.flushing = false;
    }
  }

  private sendRegister(expires: number, onAttempt?: () => void): Promise<SipResponse> {
    const uri = `sip:${this.upper.id}@${this.upper.id.slice(0, 10)}`;
    const me = `<${this.node.fromUri}>`;
    const req = createRequest({
      method: 'REGISTER', uri, from: me, to: me, callId: this.callId, cseq: ++this.cseq,
      // Date: our clock, as GB devices state theirs; the upper reads this node's offset from it (readiness R-PRE-6).
      headers: { Contact: this.node.contact(this.upper.transport), Expires: String(expires), Date: sipDateText(this.clock.nowMs()), [GB_VERSION_HEADER]: this.status.gbVersion },
    });
    // The challenged retry takes the next CSeq: reserve it now, so no other REGISTER can reuse it.
    this.cseq++;
    const auth = new SipDigestClient({ username: this.node.identity.id, password: this.upper.password });
    // Date written at each send: the challenged retry goes out a round trip later than the first attempt.
    const dated = () => {
      req.headers.set('Date', sipDateText(this.clock.nowMs()));
      onAttempt?.();
    };
    return this.node.transport.request(req, this.destination, { auth, onAttempt: dated }).then((res) => {
      if (res.status >= 200 && res.status < 300 && auth.lastAlgorithm) this.status.authAlgorithm = auth.lastAlgorithm;
      const upperVer = parseGbVersion(res.headers.get(GB_VERSION_HEADER));
      if (upperVer) this.status.upperGbVersion = upperVer.text;
      return res;
    });
  }

  /** Starts a registration now unless one is in flight (then its outcome decides what follows). */
  private register(): void {
    if (this.stopped || this.registering) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.registering = this.attempt().finally(() => {
      this.registering = undefined;
    });
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.register(), ms);
  }

  private async attempt(): Promise<void> {
    const gen = ++this.generation;
    const wasRegistered = this.registered;
    if (!wasRegistered) this.status.state = 'registering';
    let t0 = this.clock.nowMs();
    let res: SipResponse;
    try {
      res = await this.sendRegister(this.upper.expiresS, () => (t0 = this.clock.nowMs()));
    } catch (err) {
      return this.failed(`REGISTER: ${(err as Error).message}`);
    }
    if (this.stopped || gen !== this.generation) return;
    if (res.status < 200 || res.status >= 300) return this.failed(`REGISTER answered ${res.status} ${res.reason}`);
    const t1 = this.clock.nowMs();
    const granted = Number(res.headers.get('Expires') ?? this.upper.expiresS);
    const expiresS = Number.isFinite(granted) && granted > 0 ? granted : this.upper.expiresS;
    this.backoffMs = this.opts.backoffMinMs ?? 1000;
    this.status = {
      ...this.status, state: 'registered', registeredAtMs: t1, expiresAtMs: t1 + expiresS * 1000, keepaliveFailures: 0, lastError: undefined,
      registrations: this.status.registrations + 1,
    };
    this.measureClock(res, t0, t1, 'register');
    if (!wasRegistered) this.log.info({ upper: this.upper.id, expiresS, regained: this.lostLogged }, 'registered to the upper platform');
    this.lostLogged = false;
    this.schedule(Math.max(1000, expiresS * 800));
    clearInterval(this.keepalive);
    this.keepalive = setInterval(() => void this.sendKeepalive(), this.upper.keepaliveS * 1000);
    this.emit('registered');
    void this.flush();
  }

  private measureClock(res: SipResponse, t0: number, t1: number, source: 'register' | 'keepalive'): void {
    const c = clockOffsetOf(res.headers.get('Date'), t0, t1);
    if (!c) return;
    const prev = this.status.clockOffsetMs;
    Object.assign(this.status, { clockOffsetMs: c.offsetMs, clockAccuracyMs: c.accuracyMs, clockMeasuredAtMs: t1, clockSource: source });
    if (Math.abs(c.offsetMs) > 1000 && (prev === undefined || Math.abs(prev) <= 1000)) {
      this.log.warn({ offsetMs: c.offsetMs, accuracyMs: c.accuracyMs }, 'clock differs from the upper platform by more than 1 s (not changed: fix NTP)');
    }
  }

  /** The upper is gone (registration or keepalives failed): state, log, event, then a new registration. */
  private failed(reason: string): void {
    if (this.stopped) return;
    const wasRegistered = this.registered;
    clearInterval(this.keepalive);
    this.status = { ...this.status, state: 'failed', lastError: reason, registeredAtMs: undefined, expiresAtMs: undefined };
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.opts.backoffMaxMs ?? 60_000, this.backoffMs * 2);
    if (!this.lostLogged) {
      this.lostLogged = true;
      this.log.warn({ upper: this.upper.id, retryMs: delay }, `${wasRegistered ? 'lost the upper platform' : 'cannot register to the upper platform'}: ${reason}`);
    } else {
      this.log.debug({ upper: this.upper.id, retryMs: delay }, `registration to upper failed again: ${reason}`);
    }
    if (wasRegistered) this.emit('lost', reason);
    this.schedule(delay);
  }

  private async sendKeepalive(): Promise<void> {
    if (!this.registered) return;
    const gen = this.generation;
    let t0 = this.clock.nowMs();
    const res = await this.node
      .message(this.destination, this.upper.id, { kind: 'keepalive', sn: this.node.nextSn(), deviceId: this.node.identity.id, status: 'OK' }, { onAttempt: () => (t0 = this.clock.nowMs()) })
      .catch((e: Error) => e);
    if (this.stopped || gen !== this.generation || !this.registered) return; // answer to an older registration
    if (!(res instanceof Error) && res.status < 300) {
      this.status.keepaliveFailures = 0;
      this.status.lastKeepaliveOkMs = this.clock.nowMs();
      this.measureClock(res, t0, this.status.lastKeepaliveOkMs, 'keepalive');
      return;
    }
    this.status.keepaliveFailures++;
    // An upper that forgot us (restart) answers 4xx: register at once; timeouts count to three.
    const refused = !(res instanceof Error) && res.status >= 400 && res.status < 500;
    if (refused || this.status.keepaliveFailures >= (this.upper.heartBeatCount ?? 3)) {
      this.failed(refused ? `keepalive answered ${(res as SipResponse).status}` : `${this.status.keepaliveFailures} keepalives failed`);
      clearTimeout(this.timer);
      this.register();
    }
  }
}
