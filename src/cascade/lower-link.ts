// This node as a lower platform: REGISTER with digest to the configured upper, refresh before
// expiry, re-register with backoff, Keepalive every keepaliveS, clock offset from the 200's Date
// header (recorded and reported, never applied), and reliable delivery of notifications. Every
// REGISTER declares our edition in X-GB-Ver (GB/T 28181-2022 Annex I); the upper's answer says its own.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createRequest, GB_VERSION_HEADER, gbVersionText, newCallId, parseCSeq, parseGbTime, parseGbVersion, SipDigestClient } from '../gb28181/index.ts';
import type { ManscdpMessage, SipDestination, SipResponse } from '../gb28181/index.ts';
import type { Clock } from '../util/clock.ts';
import type { SipNode } from './sip-node.ts';

export interface UpperSettings {
  id: string;
  host: string;
  port: number;
  password: string;
  transport: 'udp' | 'tcp';
  keepaliveS: number;
  expiresS: number;
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
  /** Upper's clock minus ours (ms) from the last 200 OK's Date header; accuracy ±accuracyMs. */
  clockOffsetMs?: number;
  clockAccuracyMs?: number;
  lastError?: string;
  /** X-GB-Ver we declare ("3.0") and the one the upper's last answer declared, if any. */
  gbVersion: string;
  upperGbVersion?: string;
  /** Digest algorithm of the last successful REGISTER ('MD5' | 'SM3'). */
  authAlgorithm?: string;
  registrations: number;
  queuedNotifications: number;
}

/** Parses a SIP Date header: GB/T 28181 local time with milliseconds, or RFC 1123. */
export function parseSipDate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (m) {
    try {
      return parseGbTime(m[1]) + (m[2] ? Number(m[2].padEnd(3, '0')) : 0);
    } catch {
      return undefined;
    }
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

const MAX_QUEUE = 1000;

export class LowerLink extends EventEmitter<{ registered: []; lost: [string] }> {
  status: LowerLinkStatus;
  private readonly callId = newCallId();
  private cseq = 0;
  private stopped = true;
  private timer?: NodeJS.Timeout;
  private keepalive?: NodeJS.Timeout;
  private backoffMs: number;
  private readonly queue: Array<() => ManscdpMessage | string> = [];
  private flushing = false;

  constructor(
    private readonly node: SipNode,
    readonly upper: UpperSettings,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: { backoffMinMs?: number; backoffMaxMs?: number } = {},
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
    void this.register();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    if (this.status.state === 'registered') {
      await this.sendRegister(0).catch(() => undefined); // best effort: tell the upper we leave
    }
    this.status = { ...this.status, state: 'stopped' };
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

  private sendRegister(expires: number): Promise<SipResponse> {
    const uri = `sip:${this.upper.id}@${this.upper.id.slice(0, 10)}`;
    const me = `<${this.node.fromUri}>`;
    const req = createRequest({
      method: 'REGISTER', uri, from: me, to: me, callId: this.callId, cseq: ++this.cseq,
      headers: { Contact: this.node.contact(this.upper.transport), Expires: String(expires), [GB_VERSION_HEADER]: this.status.gbVersion },
    });
    const auth = new SipDigestClient({ username: this.node.identity.id, password: this.upper.password });
    return this.node.transport.request(req, this.destination, { auth }).then((res) => {
      if (res.status >= 200 && res.status < 300 && auth.lastAlgorithm) this.status.authAlgorithm = auth.lastAlgorithm;
      const upperVer = parseGbVersion(res.headers.get(GB_VERSION_HEADER));
      if (upperVer) this.status.upperGbVersion = upperVer.text;
      return res;
    }).finally(() => {
      this.cseq = parseCSeq(req.headers.get('CSeq') ?? '1 REGISTER').seq;
    });
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    clearTimeout(this.timer);
    clearInterval(this.keepalive);
    const wasRegistered = this.registered;
    this.status.state = 'registering';
    const t0 = this.clock.nowMs();
    let res: SipResponse;
    try {
      res = await this.sendRegister(this.upper.expiresS);
    } catch (err) {
      return this.failed(`REGISTER: ${(err as Error).message}`, wasRegistered);
    }
    if (this.stopped) return;
    if (res.status < 200 || res.status >= 300) return this.failed(`REGISTER answered ${res.status} ${res.reason}`, wasRegistered);
    const t1 = this.clock.nowMs();
    const upperMs = parseSipDate(res.headers.get('Date'));
    const granted = Number(res.headers.get('Expires') ?? this.upper.expiresS);
    const expiresS = Number.isFinite(granted) && granted > 0 ? granted : this.upper.expiresS;
    this.backoffMs = this.opts.backoffMinMs ?? 1000;
    this.status = {
      ...this.status, state: 'registered', registeredAtMs: t1, expiresAtMs: t1 + expiresS * 1000, keepaliveFailures: 0, lastError: undefined,
      registrations: this.status.registrations + 1,
      ...(upperMs !== undefined ? { clockOffsetMs: upperMs - t1, clockAccuracyMs: t1 - t0 } : {}),
    };
    if (upperMs !== undefined && Math.abs(upperMs - t1) > 1000) this.log.warn({ offsetMs: upperMs - t1 }, 'clock differs from the upper platform by more than 1 s (not changed: fix NTP)');
    this.timer = setTimeout(() => void this.register(), Math.max(1000, expiresS * 800));
    this.keepalive = setInterval(() => void this.sendKeepalive(), this.upper.keepaliveS * 1000);
    this.emit('registered');
    void this.flush();
  }

  private failed(reason: string, wasRegistered: boolean): void {
    if (this.stopped) return;
    this.status = { ...this.status, state: 'failed', lastError: reason };
    if (wasRegistered) this.emit('lost', reason);
    this.log.warn({ upper: this.upper.id, retryMs: this.backoffMs }, `registration to upper failed: ${reason}`);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.opts.backoffMaxMs ?? 60_000, this.backoffMs * 2);
    this.timer = setTimeout(() => void this.register(), delay);
  }

  private async sendKeepalive(): Promise<void> {
    if (!this.registered) return;
    const res = await this.node.message(this.destination, this.upper.id, { kind: 'keepalive', sn: this.node.nextSn(), deviceId: this.node.identity.id, status: 'OK' }).catch((e: Error) => e);
    if (!(res instanceof Error) && res.status < 300) {
      this.status.keepaliveFailures = 0;
      this.status.lastKeepaliveOkMs = this.clock.nowMs();
      return;
    }
    this.status.keepaliveFailures++;
    // An upper that forgot us (restart) answers 4xx: register at once; timeouts count to three.
    const refused = !(res instanceof Error) && res.status >= 400 && res.status < 500;
    if (refused || this.status.keepaliveFailures >= 3) {
      this.status.state = 'failed';
      this.emit('lost', refused ? `keepalive answered ${(res as SipResponse).status}` : '3 keepalives failed');
      void this.register();
    }
  }
}
