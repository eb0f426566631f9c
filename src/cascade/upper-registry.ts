// This node as upper platform: lower platforms and GB devices REGISTER with digest against the
// HA1 stored for them, stay online through keepalives (offline after 3 missed or expiry), send
// alarms (stored + emitted, R-FLT-1) and are asked for their catalog after each registration,
// which is merged into remote_channel (R-FN-3).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createSipChallenges, formatGbTime, GB_VERSION_HEADER, gbVersionText, parseGbTime, parseGbVersion, parseManscdp, parseNameAddr, speaks2022, verifySipAuthorization } from '../gb28181/index.ts';
import type { AlarmNotify, CatalogItem, CharsetNote, DigestAlgorithm, ManscdpMessage, RequestContext, ReplyFn, SipDestination, SipRequest, SipResponse } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { LowerRow } from '../store/repos/cascade-repo.ts';
import type { Clock } from '../util/clock.ts';
import { alarmKey, RecentKeys } from './alarm-dedupe.ts';
import { channelRowOf } from './catalog-events.ts';
import { RefusalLog } from './refusal-log.ts';
import { clockOffsetOf } from './upper-clock.ts';
import { AnswerClocks } from './answer-clock.ts';
import { RegisterGuard } from './register-guard.ts';
import type { RegisterGuardOptions } from './register-guard.ts';
import type { UpperRegistryHooks } from './subscriptions-upper.ts';
import type { SipNode } from './sip-node.ts';
import { userOf } from './sip-node.ts';

export type { CascadeAlarmEvent } from '../events/bus.ts';
import type { CascadeAlarmEvent } from '../events/bus.ts';

export interface UpperRegistryEvents {
  alarm: [CascadeAlarmEvent];
  /** The same alarm as MANSCDP (as the lower sent it, or ours about a lower gone offline): relayed upward (alarm-relay.ts). */
  'alarm-received': [{ lowerId: number; lowerSipId: string; alarm: AlarmNotify }];
  online: [{ lowerId: number; sipId: string }];
  offline: [{ lowerId: number; sipId: string; reason: string }];
  catalog: [{ lowerId: number; items: number; channels: number; ms: number }];
  /** Every accepted REGISTER; `fresh`: first, or from a new Call-ID (the lower restarted). */
  registered: [{ lowerId: number; sipId: string; fresh: boolean }];
}

interface Live {
  id: number;
  sipId: string;
  lastKeepaliveMs: number;
  expiresAtMs: number;
  /** Call-ID of its REGISTERs: a new one means a new registration, not a refresh. */
  regCallId?: string;
  /**
   * Where its last accepted REGISTER came from (UDP address and port, or the TCP connection's
   * peer): requests claiming its id from anywhere else are refused (issue 13 item 2, R-SEC-6).
   * Unknown after a restart until it registers again.
   */
  source?: SipDestination;
}

/** Same transport, address and port (for TCP: the same connection's peer). */
export function sameSource(a: SipDestination, b: SipDestination): boolean {
  return a.transport === b.transport && a.host === b.host && a.port === b.port;
}

const NONCE_TTL_MS = 5 * 60_000;
/** X-GB-Ver on every answer to REGISTER (GB/T 28181-2022 Annex I): this node speaks 2022. */
const OUR_GB_VERSION = { [GB_VERSION_HEADER]: gbVersionText('2022') };

export interface LowerClock {
  /** Device time − this node's, ms. */
  offsetMs: number;
  accuracyMs: number;
  /** When it was read (this node's clock). */
  atMs: number;
  /** REGISTER / Keepalive: the Date of a request it sent us; '200 OK': the Dates of its answers to our requests. */
  via: 'REGISTER' | 'Keepalive' | '200 OK';
  /** Answers intersected (via '200 OK'). */
  samples?: number;
}

/** A request-stated clock is used only when no answer stated one in this long, ms. */
const ANSWER_CLOCK_FRESH_MS = 600_000;

export class UpperRegistry extends EventEmitter<UpperRegistryEvents> {
  /** Open challenge per lower; `afterAnswer`: it replied to a REGISTER that carried credentials. */
  private readonly nonces = new Map<string, { nonce: string; algorithms: DigestAlgorithm[]; issuedMs: number; afterAnswer: boolean }>();
  /** Lowers that came back without answering an SM3-first challenge: offered MD5 only (until restart). */
  private readonly sm3Unanswered = new Set<number>();
  private readonly live = new Map<number, Live>();
  private readonly bySip = new Map<string, Live>();
  private readonly catalogTimers = new Map<number, NodeJS.Timeout>();
  /** When each live lower last came online (registration after being offline), for the console. */
  private readonly onlineSince = new Map<number, number>();
  private readonly recentAlarms = new RecentKeys();
  private sweep?: NodeJS.Timeout;
  /** Keepalives not yet written (lower id → time): written together, at most `keepaliveFlushMs` late. */
  private readonly keepalivesDue = new Map<number, number>();
  private keepaliveFlush?: NodeJS.Timeout;
  /** Each lower's clock as its own requests state it (SIP Date of REGISTER / keepalive), by SIP id. */
  private readonly clocks = new Map<string, LowerClock>();
  /** Each lower's clock as the Date of its answers to our requests states it, by SIP id (bounded both sides). */
  private readonly answerClocks = new AnswerClocks();
  hooks?: UpperRegistryHooks;
  readonly refusals: RefusalLog;
  private readonly guard: RegisterGuard;

  constructor(
    private readonly node: SipNode,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: {
      lowerKeepaliveS: number;
      catalogIdleMs?: number;
      registerGuard?: RegisterGuardOptions;
      /** How late `last_keepalive_ms` may reach the database (default 1000 ms): keepalives are written in batches. */
      keepaliveFlushMs?: number;
    },
  ) {
    super();
    this.refusals = new RefusalLog(log, clock);
    this.guard = new RegisterGuard(clock, opts.registerGuard);
  }

  async start(): Promise<void> {
    const now = this.clock.nowMs();
    for (const l of await repos(this.store.db).cascade.onlineLowers()) {
      const source = this.destinationOf(l); // where it registered from, as stored
      this.track({ id: l.id, sipId: l.sip_id, lastKeepaliveMs: Number(l.last_keepalive_ms ?? l.registered_at_ms ?? now), expiresAtMs: Number(l.expires_at_ms ?? now), ...(source ? { source } : {}) });
      this.onlineSince.set(l.id, Number(l.registered_at_ms ?? now)); // best known after a restart
    }
    this.sweep = setInterval(() => void this.checkLiveness(), Math.min(5000, this.opts.lowerKeepaliveS * 500));
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    await this.flushKeepalives();
    for (const t of this.catalogTimers.values()) clearTimeout(t);
    this.catalogTimers.clear();
  }

  private track(l: Live): void {
    this.live.set(l.id, l);
    this.bySip.set(l.sipId, l);
  }

  isOnline(lowerId: number): boolean {
    return this.live.has(lowerId);
  }

  /** Since when a lower has been online without interruption (registration refreshes do not count). */
  onlineSinceMs(lowerId: number): number | undefined {
    return this.live.has(lowerId) ? this.onlineSince.get(lowerId) : undefined;
  }

  destinationOf(lower: Pick<LowerRow, 'contact_host' | 'contact_port' | 'transport'>): SipDestination | undefined {
    if (!lower.contact_host || !lower.contact_port) return undefined;
    return { host: lower.contact_host, port: Number(lower.contact_port), transport: lower.transport === 'tcp' ? 'tcp' : 'udp' };
  }

  onRegister(req: SipRequest, reply: ReplyFn, ctx: RequestContext): void {
    void this.register(req, reply, ctx).catch((err: unknown) => {
      this.log.error({ err }, 'REGISTER handling failed');
      reply(500);
    });
  }

  private async register(req: SipRequest, reply: ReplyFn, ctx: RequestContext): Promise<void> {
    const sipId = userOf(req.headers.get('From'));
    const peer = `${ctx.source.transport}:${ctx.source.host}:${ctx.source.port}`;
    const locked = this.guard.lockedMs(sipId, ctx.source.host);
    if (locked > 0) {
      // Digest guessing (R-SEC-4): locked out, whatever the credentials say.
      this.refusals.warn(`reg-locked:${sipId}:${ctx.source.host}`, { sipId, peer, retryAfterS: Math.ceil(locked / 1000) }, 'REGISTER refused: too many wrong digest answers (locked out)');
      reply(403, { reason: 'Too Many Failed Attempts', headers: { 'Retry-After': String(Math.ceil(locked / 1000)), ...OUR_GB_VERSION } });
      return;
    }
    const r = repos(this.store.db).cascade;
    const lower = sipId ? await r.lowerBySipId(sipId) : undefined;
    if (!lower || !lower.enabled) {
      if (!lower) this.guard.failure(sipId, ctx.source.host); // probing for ids counts against the address
      this.refusals.warn(`reg-unknown:${sipId}:${ctx.source.host}`, { sipId, peer }, 'REGISTER from an unknown or disabled lower platform refused (403)');
      reply(403, { headers: OUR_GB_VERSION });
      return;
    }
    const realm = this.node.identity.domain;
    const now = this.clock.nowMs();
    const declared = parseGbVersion(req.headers.get(GB_VERSION_HEADER));
    let issued = this.nonces.get(sipId);
    if (issued && now - issued.issuedMs > NONCE_TTL_MS) issued = undefined;
    const lookupHa1 = (u: string, a: DigestAlgorithm) => (u !== sipId ? undefined : a === 'SM3' ? (lower.ha1_sm3 ?? undefined) : lower.ha1);
    const v = issued ? verifySipAuthorization(req.headers.get('Authorization'), { method: 'REGISTER', realm, nonce: issued.nonce, lookupHa1, algorithms: issued.algorithms }) : undefined;
    if (!v?.ok) {
      if (v && v.reason !== 'missing' && v.reason !== 'nonce') {
        // A wrong answer (wrong password, unknown user…): counted; at the limit 403, not another 401 (issue 15 item 7).
        const lockMs = this.guard.failure(sipId, ctx.source.host);
        this.refusals.warn(`reg-digest:${sipId}:${ctx.source.host}`, { sipId, peer, reason: v.reason, lockedS: lockMs / 1000 }, 'REGISTER digest refused');
        if (lockMs > 0) {
          this.nonces.delete(sipId);
          reply(403, { reason: 'Too Many Failed Attempts', headers: { 'Retry-After': String(Math.ceil(lockMs / 1000)), ...OUR_GB_VERSION } });
          return;
        }
        if (issued?.afterAnswer) {
          // Already re-challenged once after a failed answer (stale credentials get that one
          // chance): a second wrong answer in a row is 403, not a 401 the device retries forever.
          this.nonces.delete(sipId);
          reply(403, { reason: 'Wrong Credentials', headers: OUR_GB_VERSION });
          return;
        }
      }
      // A lower that declared 2022 and whose SM3 HA1 we hold is offered SM3 first, then MD5 for
      // 2022 devices without SM3 (RFC 7616 §3.7: clients take the first they support). Others,
      // and rows from before migration 0006, get the 2016 challenge (MD5 only) as before. A client
      // that reads only the first challenge and cannot do SM3 (SIPp does so) gives up on it and
      // REGISTERs again without credentials: from then on it is offered MD5 alone. (A client that
      // answered and failed, e.g. a wrong password, starts its next attempt bare too: not counted.)
      const answered = req.headers.has('Authorization');
      if (issued?.algorithms[0] === 'SM3' && !issued.afterAnswer && !answered) this.sm3Unanswered.add(lower.id);
      const algorithms: DigestAlgorithm[] = speaks2022(declared) && lower.ha1_sm3 && !this.sm3Unanswered.has(lower.id) ? ['SM3', 'MD5'] : ['MD5'];
      const c = createSipChallenges({ realm, algorithms });
      this.nonces.set(sipId, { nonce: c.nonce, algorithms, issuedMs: now, afterAnswer: answered });
      reply(401, { headers: { 'WWW-Authenticate': c.headers, ...OUR_GB_VERSION } });
      return;
    }
    this.nonces.delete(sipId); // answered: a later REGISTER without credentials is a new round
    this.noteClock(sipId, req, 'REGISTER');
    this.guard.success(sipId);
    const expires = expiresOf(req);
    reply(200, { headers: { Date: sipDateOf(now), Expires: String(expires), Contact: req.headers.get('Contact') ?? '', ...OUR_GB_VERSION } });
    if (expires === 0) {
      // A deliberate unregister is a planned event, not a fault: offline without an alarm (issue 15 item 7).
      await this.goOffline(lower.id, sipId, 'unregistered (Expires: 0)', { fault: false });
      return;
    }
    const prev = this.live.get(lower.id);
    const wasOnline = prev !== undefined;
    const callId = req.headers.get('Call-ID') ?? '';
    const fresh = !prev || (prev.regCallId !== undefined && prev.regCallId !== callId);
    this.track({ id: lower.id, sipId, lastKeepaliveMs: now, expiresAtMs: now + expires * 1000, regCallId: callId, source: ctx.source });
    this.keepalivesDue.delete(lower.id); // written below, newer than any keepalive waiting for the flush
    await r.setStatus(lower.id, { online: 1, registered_at_ms: now, expires_at_ms: now + expires * 1000, last_keepalive_ms: now, contact_host: ctx.source.host, contact_port: ctx.source.port, transport: ctx.source.transport, gb_version: declared?.text ?? null, auth_algorithm: v.algorithm }, now);
    if (!wasOnline) {
      await r.clearAlarms(lower.id, [sipId], now); // our own "lower platform offline" record is over
      this.log.info({ lower: sipId, peer, gbVersion: declared?.text }, 'lower platform online (registered)');
      this.onlineSince.set(lower.id, now);
      this.emit('online', { lowerId: lower.id, sipId });
    }
    if (fresh) this.scheduleCatalog(lower.id, 100);
    this.emit('registered', { lowerId: lower.id, sipId, fresh });
  }

  /**
   * MESSAGE from a lower (answers are routed to waiting queries by the module before this).
   * `fromUser`: the From user when the caller has read it already (the module's dispatch does).
   */
  onMessage(req: SipRequest, reply: ReplyFn, ctx: RequestContext, fromUser?: string): void {
    const sipId = fromUser ?? userOf(req.headers.get('From'));
    const entry = this.bySip.get(sipId);
    let msg: ManscdpMessage;
    const note: CharsetNote = {};
    try {
      msg = parseManscdp(req.body, note);
    } catch (err) {
      this.refusals.warn(`msg-bad:${sipId}:${ctx.source.host}`, { sipId, peer: `${ctx.source.host}:${ctx.source.port}`, err: (err as Error).message }, 'malformed MANSCDP from a lower platform refused (400)');
      reply(400, { reason: 'Bad MANSCDP' });
      return;
    }
    if (!entry) {
      this.refusals.warn(`msg-unreg:${sipId}:${ctx.source.host}`, { sipId, peer: `${ctx.source.host}:${ctx.source.port}`, kind: msg.kind }, 'MESSAGE from a lower platform that is not registered refused (403)');
      reply(403); // not registered: the lower registers again
      return;
    }
    if (!this.fromRegisteredSource(entry, ctx.source, 'MESSAGE')) {
      reply(403, { reason: 'Source Does Not Match Registration' });
      return;
    }
    this.noteCharset(entry.sipId, note);
    // Keepalives are answered with our time (as the 200 to REGISTER is): the lower measures its clock offset from it.
    reply(200, msg.kind === 'keepalive' ? { headers: { Date: sipDateOf(this.clock.nowMs()) } } : undefined);
    if (msg.kind.endsWith('-response')) {
      this.node.deliver(msg);
      return;
    }
    // Responses without a typed model (PresetQuery) go to the query waiting for their SN, if any.
    if (msg.kind === 'other' && msg.root === 'Response' && this.node.deliver(msg)) return;
    const now = this.clock.nowMs();
    entry.lastKeepaliveMs = now;
    if (msg.kind === 'keepalive') {
      this.noteClock(entry.sipId, req, 'Keepalive');
      // Liveness is judged from memory (entry above); the row is for the console and for a restart,
      // so keepalives are written in batches: one statement a second, not one per keepalive.
      this.keepalivesDue.set(entry.id, now);
      this.keepaliveFlush ??= setTimeout(() => void this.flushKeepalives(), this.opts.keepaliveFlushMs ?? 1000);
    } else if (msg.kind === 'alarm') {
      void this.receiveAlarm(entry, msg, ctx.source).catch((err: unknown) => this.log.error({ err }, 'storing an alarm failed'));
    } else if (msg.kind === 'catalog-notify') {
      if (this.hooks) this.hooks.catalogNotify(entry, msg); // applied item by item
      else this.scheduleCatalog(entry.id, 500); // channel status changed at the lower
    }
  }

  /**
   * Whether a request claiming lower `entry` came from where it registered (R-SEC-6). A refusal
   * is logged (rate-limited); nothing of the request may be applied then — no alarm, no channel,
   * no keepalive credit.
   */
  fromRegisteredSource(entry: { sipId: string }, source: SipDestination, what: string): boolean {
    const live = this.bySip.get(entry.sipId);
    if (!live) return false;
    if (!live.source) {
      live.source = source; // restarted upper: the first request after start pins the source until the next REGISTER
      return true;
    }
    if (sameSource(live.source, source)) return true;
    this.refusals.warn(`spoof:${entry.sipId}:${source.transport}:${source.host}:${source.port}`, {
      sipId: entry.sipId, peer: `${source.transport}:${source.host}:${source.port}`, registeredFrom: `${live.source.transport}:${live.source.host}:${live.source.port}`,
    }, `${what} claiming a lower platform from another address than its registration refused (403)`);
    return false;
  }

  /**
   * Lowers whose bodies declared one charset and were in another (issue 15 defect 2): decoded by
   * what the bytes are, logged, and reported in the cascade status for joint debugging.
   */
  readonly charsetMismatches = new Map<string, { declared: string; actual: string; lastAtMs: number; count: number }>();

  noteCharset(sipId: string, note: CharsetNote): void {
    if (!note.mislabelled) return;
    const now = this.clock.nowMs();
    const prev = this.charsetMismatches.get(sipId);
    this.charsetMismatches.set(sipId, { declared: note.declared ?? '(none)', actual: note.actual ?? '?', lastAtMs: now, count: (prev?.count ?? 0) + 1 });
    this.refusals.warn(`charset:${sipId}`, { sipId, declared: note.declared, actual: note.actual }, 'lower platform declares one MANSCDP charset and sends another (decoded as what the bytes are)');
  }

  /** The live entry of a registered lower by SIP id. */
  liveBySip(sipId: string): { id: number; sipId: string } | undefined {
    return this.bySip.get(sipId);
  }

  /** An alarm from a lower (MESSAGE, or NOTIFY of an alarm subscription), stored and emitted once; `ackTo` gets a Response MESSAGE. */
  async receiveAlarm(entry: { id: number; sipId: string }, msg: Extract<ManscdpMessage, { kind: 'alarm' }>, ackTo?: SipDestination): Promise<void> {
    if (this.recentAlarms.add(alarmKey(entry.id, msg))) await this.storeAlarm(entry, msg);
    if (!ackTo) return;
    const ack = `<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>Alarm</CmdType>\r\n<SN>${msg.sn}</SN>\r\n<DeviceID>${msg.deviceId}</DeviceID>\r\n<Result>OK</Result>\r\n</Response>\r\n`;
    await this.node.message(ackTo, entry.sipId, ack).catch(() => undefined);
  }

  private async storeAlarm(entry: { id: number; sipId: string }, msg: Extract<ManscdpMessage, { kind: 'alarm' }>): Promise<void> {
    const now = this.clock.nowMs();
    let alarmAtMs: number | undefined;
    try {
      alarmAtMs = parseGbTime(msg.alarmTime);
    } catch {
      alarmAtMs = undefined;
    }
    const row = { lower_id: entry.id, device_id: msg.deviceId, priority: msg.alarmPriority, method: msg.alarmMethod, alarm_type: msg.alarmType ?? null, alarm_at_ms: alarmAtMs ?? null, description: msg.alarmDescription?.slice(0, 256) ?? null, received_at_ms: now };
    const alarmId = await repos(this.store.db).cascade.insertAlarm(row);
    if (msg.alarmMethod === 2 && msg.alarmType === 1) await repos(this.store.db).cascade.setChannelStatus(entry.id, msg.deviceId, 'OFF', now);
    this.emit('alarm', { alarmId, lowerId: entry.id, lowerSipId: entry.sipId, deviceId: msg.deviceId, priority: msg.alarmPriority, method: msg.alarmMethod, alarmType: msg.alarmType, description: msg.alarmDescription, alarmAtMs, receivedAtMs: now });
    this.emit('alarm-received', { lowerId: entry.id, lowerSipId: entry.sipId, alarm: msg });
    if (!this.hooks?.catalogSubscribed(entry.id)) this.scheduleCatalog(entry.id, 1000);
  }

  private scheduleCatalog(lowerId: number, delayMs: number): void {
    if (this.catalogTimers.has(lowerId)) return;
    this.catalogTimers.set(lowerId, setTimeout(() => {
      this.catalogTimers.delete(lowerId);
      void this.refreshCatalog(lowerId).catch((err: unknown) => this.log.warn({ err, lowerId }, 'catalog query failed'));
    }, delayMs));
  }

  /** Queries a lower's catalog and replaces its remote channels; returns the item count. */
  async refreshCatalog(lowerId: number): Promise<number> {
    const t0 = Date.now();
    const lower = await repos(this.store.db).cascade.getLower({ kind: 'all' }, lowerId);
    if (!lower) return 0;
    const answers = await this.query(lower, { kind: 'catalog-query', sn: this.node.nextSn(), deviceId: lower.sip_id });
    const items: CatalogItem[] = answers.flatMap((a) => (a.kind === 'catalog-response' ? a.items : []));
    const now = this.clock.nowMs();
    const unique = new Map<string, CatalogItem>();
    for (const it of items) if (it.deviceId !== lower.sip_id) unique.set(it.deviceId, it);
    this.warnBadInfo(lower.sip_id, items);
    const rows = [...unique.values()].map((it) => channelRowOf(it, now));
    const channels = rows.filter((x) => x.item_kind === 'channel').length;
    await this.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).cascade;
      await r.replaceChannels(lowerId, rows);
      await r.clearAlarms(lowerId, rows.filter((x) => x.status === 'ON').map((x) => x.device_id), now); // faults over (R-FLT-1)
      await r.setStatus(lowerId, { catalog_at_ms: now, channel_count: channels }, now);
    });
    this.emit('catalog', { lowerId, items: rows.length, channels, ms: Date.now() - t0 });
    return rows.length;
  }

  /** Malformed catalog <Info> fields were left out (the items kept): said once a minute per lower. */
  warnBadInfo(sipId: string, items: readonly CatalogItem[]): void {
    const bad = items.filter((it) => it.infoRejected);
    if (bad.length === 0) return;
    const fields = [...new Set(bad.flatMap((it) => it.infoRejected ?? []))];
    this.refusals.warn(`catalog-info:${sipId}`, { sipId, items: bad.length, fields, example: bad[0].deviceId }, 'catalog <Info> fields malformed: left out, items kept');
  }

  /** Sends a MANSCDP query to a lower and waits for its complete answer. */
  /** `msg`: a typed message, or raw MANSCDP text with its SN (commands without a typed model, e.g. PresetQuery). */
  async query(lower: Pick<LowerRow, 'sip_id' | 'contact_host' | 'contact_port' | 'transport'>, msg: ManscdpMessage | { sn: number; text: string }, idleMs = this.opts.catalogIdleMs ?? 10_000): Promise<ManscdpMessage[]> {
    const dest = this.destinationOf(lower);
    if (!dest) throw new Error(`lower platform ${lower.sip_id} has never registered`);
    const wait = this.node.expect(msg.sn, idleMs);
    wait.catch(() => undefined); // handled by the caller's await; not unhandled while MESSAGE is in flight
    try {
      const t0 = this.clock.nowMs();
      const res = await this.node.message(dest, lower.sip_id, 'text' in msg ? msg.text : msg);
      this.noteAnswer(lower.sip_id, res, t0, this.clock.nowMs());
      if (res.status >= 300) throw new Error(`lower platform ${lower.sip_id} answered ${res.status} ${res.reason}`);
    } catch (err) {
      this.node.cancel(msg.sn);
      throw err;
    }
    return wait;
  }

  /**
   * A device's clock from the Date header of a request it sent us (GB/T 28181 devices that carry
   * one; the standard makes the upper send Date, many devices send theirs too). The device wrote it
   * just before sending: offset = its time − ours on arrival, late by the one-way transit (LAN:
   * milliseconds), plus half the resolution of a whole-second Date.
   */
  private noteClock(sipId: string, req: SipRequest, via: 'REGISTER' | 'Keepalive'): void {
    const text = req.headers.get('Date') ?? undefined;
    const now = this.clock.nowMs();
    const o = clockOffsetOf(text, now, now);
    if (o) this.clocks.set(sipId, { offsetMs: o.offsetMs, accuracyMs: o.accuracyMs, atMs: now, via });
  }

  /** This node's clock as the registry reads it (answer Dates are bounded by it). */
  nowMs(): number {
    return this.clock.nowMs();
  }

  /**
   * The Date of an answer to a request we sent (MESSAGE query, INVITE), written by the lower between
   * `sentAtMs` and `receivedAtMs` (this node's clock): kept to bound its clock (answer-clock.ts).
   */
  noteAnswer(sipId: string, res: SipResponse, sentAtMs: number, receivedAtMs: number): void {
    if (res.status >= 300) return;
    if (this.answerClocks.note(sipId, res.headers.get('Date') ?? undefined, sentAtMs, receivedAtMs)) this.log.debug({ sipId, roundTripMs: receivedAtMs - sentAtMs }, 'lower clock sampled from a dated answer');
  }

  /**
   * The lower's (device's) clock: from the Dates of its answers to our requests when one came in
   * the last 10 minutes (bounded on both sides: offset ± half the narrowest round trip), else from
   * its last dated REGISTER/keepalive; undefined when it never sent a Date.
   */
  clockOf(sipId: string): LowerClock | undefined {
    const a = this.answerClocks.of(sipId);
    if (a && this.clock.nowMs() - a.atMs <= ANSWER_CLOCK_FRESH_MS) return { offsetMs: a.offsetMs, accuracyMs: a.uncertaintyMs, atMs: a.atMs, via: '200 OK', samples: a.samples };
    return this.clocks.get(sipId);
  }

  /** Writes the keepalives received since the last flush (lower id → time) in one go. */
  async flushKeepalives(): Promise<void> {
    clearTimeout(this.keepaliveFlush);
    this.keepaliveFlush = undefined;
    if (this.keepalivesDue.size === 0) return;
    const entries = [...this.keepalivesDue].map(([id, atMs]) => ({ id, atMs }));
    this.keepalivesDue.clear();
    await repos(this.store.db).cascade.touchKeepalives(entries, this.clock.nowMs()).catch((err: unknown) => this.log.error({ err, lowers: entries.length }, 'keepalive update failed'));
  }

  private async checkLiveness(): Promise<void> {
    const now = this.clock.nowMs();
    const limit = 3 * this.opts.lowerKeepaliveS * 1000;
    for (const l of [...this.live.values()]) {
      if (now - l.lastKeepaliveMs > limit) await this.goOffline(l.id, l.sipId, `no keepalive for ${Math.round((now - l.lastKeepaliveMs) / 1000)} s (3 missed)`);
      else if (now > l.expiresAtMs) await this.goOffline(l.id, l.sipId, 'registration expired');
    }
  }

  /**
   * An administrator disabled the lower: it is offline from now on (its MESSAGEs get 403, its next
   * REGISTER too) without a fault alarm — nothing failed, it was switched off on purpose.
   */
  async disable(lowerId: number): Promise<void> {
    const l = this.live.get(lowerId);
    this.live.delete(lowerId);
    if (l) this.bySip.delete(l.sipId);
    this.onlineSince.delete(lowerId);
    await repos(this.store.db).cascade.setStatus(lowerId, { online: 0 }, this.clock.nowMs());
    if (l) this.emit('offline', { lowerId, sipId: l.sipId, reason: 'disabled' });
  }

  private async goOffline(lowerId: number, sipId: string, reason: string, opts: { fault: boolean } = { fault: true }): Promise<void> {
    const was = this.live.delete(lowerId);
    this.bySip.delete(sipId);
    this.onlineSince.delete(lowerId);
    const now = this.clock.nowMs();
    const r = repos(this.store.db).cascade;
    await r.setStatus(lowerId, { online: 0 }, now);
    if (!was) return;
    if (!opts.fault) {
      this.log.info({ lower: sipId, reason }, 'lower platform offline (unregistered)');
      this.emit('offline', { lowerId, sipId, reason });
      return;
    }
    this.log.warn({ lower: sipId, reason }, 'lower platform offline');
    // The upper's own record of the fault (R-FLT-1): the lower cannot report its own silence.
    const alarmId = await r.insertAlarm({ lower_id: lowerId, device_id: sipId, priority: 1, method: 6, alarm_type: null, alarm_at_ms: now, description: `下级平台离线 lower platform offline: ${reason}`, received_at_ms: now });
    this.emit('offline', { lowerId, sipId, reason });
    this.emit('alarm', { alarmId, lowerId, lowerSipId: sipId, deviceId: sipId, priority: 1, method: 6, description: reason, alarmAtMs: now, receivedAtMs: now });
    // Our upper learns it too: the lower platform is a device in the catalog we give it.
    this.emit('alarm-received', { lowerId, lowerSipId: sipId, alarm: { kind: 'alarm', sn: 0, deviceId: sipId, alarmPriority: 1, alarmMethod: 6, alarmTime: formatGbTime(now), alarmDescription: `下级平台离线 lower platform offline: ${reason}`.slice(0, 120) } });
  }
}

/** SIP Date as GB/T 28181-2016 §9.10 writes it: Beijing local time with milliseconds. */
function sipDateOf(ms: number): string {
  return `${formatGbTime(ms)}.${String(ms % 1000).padStart(3, '0')}`;
}

function expiresOf(req: SipRequest): number {
  const h = req.headers.get('Expires');
  if (h !== undefined && /^\d+$/.test(h.trim())) return Math.min(86400, Number(h.trim()));
  try {
    const c = parseNameAddr(req.headers.get('Contact') ?? '');
    if (c.params.expires !== undefined && /^\d+$/.test(c.params.expires)) return Math.min(86400, Number(c.params.expires));
  } catch {
    // no usable Contact: default below
  }
  return 3600;
}
