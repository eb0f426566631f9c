// This node as upper platform, subscriber side of GB/T 28181 subscriptions (§9.11, RFC 6665):
// after a lower registers and its catalog has been queried, SUBSCRIBE with Event: Catalog and
// Event: presence (alarms), refreshed inside the dialog at 80 % of the granted Expires, created
// anew when the lower re-registers (new Call-ID: it restarted and forgot them) or a refresh is
// refused, dropped when it goes offline, ended with Expires: 0 when it is removed. NOTIFYs are
// answered 200 (400 for a body we cannot parse, nothing applied): catalog events update
// remote_channel item by item, alarms are stored and emitted like MESSAGE alarms (once).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  buildSubscribe, buildSubscribeRefresh, createUacDialog, encodeManscdp, GB_EVENT_PACKAGES as EVENT, gbSubscriptionKind, MANSCDP_CONTENT_TYPE,
  parseEventHeader, parseManscdp, parseSubscriptionState, tagOf,
} from '../gb28181/index.ts';
import type { CatalogItem, CatalogNotify, CharsetNote, GbSubscriptionKind as Kind, ManscdpMessage, ReplyFn, RequestContext, SipDestination, SipDialog, SipRequest, SipResponse, SubscriptionState } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { applyCatalogEvents } from './catalog-events.ts';
import type { SipNode } from './sip-node.ts';
import type { UpperRegistry } from './upper-registry.ts';

/** Answers meaning "this lower does not do subscriptions": not retried until it registers anew. */
const UNSUPPORTED = new Set([403, 404, 405, 489, 501]);

/** What the registry hands over (its `hooks`): catalog change MESSAGEs are applied like NOTIFYs. */
export interface UpperRegistryHooks {
  catalogNotify(lower: { id: number; sipId: string }, msg: CatalogNotify): void;
  /** A lower with a catalog subscription is not queried again after each alarm. */
  catalogSubscribed(lowerId: number): boolean;
}

export interface UpperSubscriptionStatus {
  lowerId: number;
  sipId: string;
  kind: Kind;
  event: string;
  state: 'subscribing' | 'active' | 'ending';
  callId: string;
  sinceMs: number;
  expiresAtMs?: number;
  refreshes: number;
  notifies: number;
}

interface Sub extends UpperSubscriptionStatus {
  localTag: string;
  dest: SipDestination;
  body: Uint8Array;
  dialog?: SipDialog;
  timer?: NodeJS.Timeout;
}

interface Lower {
  id: number;
  sipId: string;
  subs: Map<Kind, Sub>;
  /** Kinds the lower refused (405/489/501…): it keeps the MESSAGE behaviour. */
  refused: Set<Kind>;
  waiting?: NodeJS.Timeout;
  retry?: NodeJS.Timeout;
  retryMs: number;
  /** Catalog events of one lower are applied one batch after another. */
  applying: Promise<void>;
}

export interface UpperSubscriptionDeps {
  node: SipNode;
  registry: UpperRegistry;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Requested Expires (s), default 3600. */
  expiresS?: number;
  /** Subscribe this long after a registration even if the catalog query never completes (default 15 s). */
  catalogWaitMs?: number;
}

export class UpperSubscriptions extends EventEmitter<{ 'catalog-events': [{ lowerId: number; applied: number }] }> implements UpperRegistryHooks {
  private readonly lowers = new Map<number, Lower>();
  private readonly byCallId = new Map<string, Sub>();
  private stopped = false;

  constructor(private readonly d: UpperSubscriptionDeps) {
    super();
    const { registry } = d;
    registry.on('registered', ({ lowerId, sipId, fresh }) => {
      if (!fresh) return;
      const l = this.reset(lowerId, sipId);
      // After the catalog query (the 'catalog' event), or anyway after catalogWaitMs.
      l.waiting = setTimeout(() => this.subscribeAll(l), d.catalogWaitMs ?? 15_000);
    });
    registry.on('catalog', ({ lowerId }) => {
      const l = this.lowers.get(lowerId);
      if (l?.waiting) this.subscribeAll(l);
    });
    registry.on('offline', ({ lowerId }) => this.drop(lowerId));
  }

  /** Lowers already online when this node starts (it restarted): subscribe again. */
  async start(): Promise<void> {
    for (const l of await repos(this.d.store.db).cascade.onlineLowers()) {
      if (this.d.registry.isOnline(l.id) && !this.lowers.has(l.id)) this.subscribeAll(this.reset(l.id, l.sip_id));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const id of [...this.lowers.keys()]) this.drop(id);
  }

  catalogSubscribed(lowerId: number): boolean {
    return this.lowers.get(lowerId)?.subs.get('catalog')?.state === 'active';
  }

  /** Catalog events that came as MESSAGE (registry hook): applied the same way. */
  catalogNotify(lower: { id: number; sipId: string }, msg: CatalogNotify): void {
    this.applyCatalog(lower, msg.items);
  }

  status(): UpperSubscriptionStatus[] {
    return [...this.lowers.values()].flatMap((l) => [...l.subs.values()]).map(({ lowerId, sipId, kind, event, state, callId, sinceMs, expiresAtMs, refreshes, notifies }) => ({ lowerId, sipId, kind, event, state, callId, sinceMs, expiresAtMs, refreshes, notifies }));
  }

  /** The lower was removed: each subscription ends with Expires: 0 (its final NOTIFY is still answered). */
  async end(lowerId: number): Promise<void> {
    const l = this.lowers.get(lowerId);
    if (!l) return;
    this.lowers.delete(lowerId);
    clearTimeout(l.waiting);
    clearTimeout(l.retry);
    await Promise.all([...l.subs.values()].map(async (sub) => {
      clearTimeout(sub.timer);
      if (!sub.dialog) return this.byCallId.delete(sub.callId);
      sub.state = 'ending';
      await this.d.node.transport.request(buildSubscribeRefresh(sub.dialog, this.subscribeInit(sub, 0)), sub.dialog.destination).catch(() => undefined);
      setTimeout(() => this.byCallId.delete(sub.callId), 5000).unref(); // room for the terminated NOTIFY
    }));
  }

  /** NOTIFY from a lower in one of our subscription dialogs. */
  onNotify(req: SipRequest, reply: ReplyFn, ctx: RequestContext): void {
    const sub = this.byCallId.get(req.headers.get('Call-ID') ?? '');
    if (!sub || tagOf(req.headers.get('To')) !== sub.localTag) {
      this.d.registry.refusals.warn(`notify-481:${ctx.source.host}`, { peer: `${ctx.source.host}:${ctx.source.port}` }, 'NOTIFY for no subscription of ours refused (481)');
      return void reply(481, { reason: 'Subscription Does Not Exist' });
    }
    // Only from where the lower registered (R-SEC-6): a spoofed NOTIFY applies nothing.
    if (sub.state !== 'ending' && !this.d.registry.fromRegisteredSource(sub, ctx.source, 'NOTIFY')) return void reply(403, { reason: 'Source Does Not Match Registration' });
    let state: SubscriptionState | undefined;
    let msg: ManscdpMessage | undefined;
    const note: CharsetNote = {};
    try {
      const ev = parseEventHeader(req.headers.get('Event') ?? '');
      if (gbSubscriptionKind(ev.package) !== sub.kind) return void reply(489, { reason: 'Bad Event' });
      const ss = req.headers.get('Subscription-State');
      state = ss !== undefined ? parseSubscriptionState(ss) : undefined;
      msg = req.body.length > 0 ? parseManscdp(req.body, note) : undefined;
    } catch (err) {
      this.d.registry.refusals.warn(`notify-400:${sub.sipId}`, { err: (err as Error).message, lower: sub.sipId }, 'malformed NOTIFY refused (400)');
      return void reply(400, { reason: 'Bad NOTIFY' });
    }
    reply(200);
    this.d.registry.noteCharset(sub.sipId, note);
    sub.notifies++;
    if (sub.state === 'ending') {
      // The lower is being removed: nothing is applied any more, its final NOTIFY closes the dialog.
      if (state?.state === 'terminated') this.byCallId.delete(sub.callId);
      return;
    }
    const lower = { id: sub.lowerId, sipId: sub.sipId };
    if (sub.kind === 'catalog' && (msg?.kind === 'catalog-notify' || msg?.kind === 'catalog-response')) this.applyCatalog(lower, msg.items);
    else if (sub.kind === 'alarm' && msg?.kind === 'alarm') void this.d.registry.receiveAlarm(lower, msg).catch((err: unknown) => this.d.log.error({ err }, 'storing an alarm failed'));
    if (state?.state === 'terminated') this.onTerminated(sub, state);
  }

  private reset(lowerId: number, sipId: string): Lower {
    this.drop(lowerId);
    const l: Lower = { id: lowerId, sipId, subs: new Map(), refused: new Set(), retryMs: 5000, applying: Promise.resolve() };
    this.lowers.set(lowerId, l);
    return l;
  }

  /** Forgets a lower's subscriptions without telling it (it is offline or restarted). */
  private drop(lowerId: number): void {
    const l = this.lowers.get(lowerId);
    if (!l) return;
    this.lowers.delete(lowerId);
    clearTimeout(l.waiting);
    clearTimeout(l.retry);
    for (const sub of l.subs.values()) this.forget(l, sub);
  }

  private forget(l: Lower, sub: Sub): void {
    clearTimeout(sub.timer);
    if (l.subs.get(sub.kind) === sub) l.subs.delete(sub.kind);
    if (this.byCallId.get(sub.callId) === sub) this.byCallId.delete(sub.callId);
  }

  private subscribeAll(l: Lower): void {
    clearTimeout(l.waiting);
    l.waiting = undefined;
    if (this.stopped || this.lowers.get(l.id) !== l || !this.d.registry.isOnline(l.id)) return;
    for (const kind of ['catalog', 'alarm'] as const) {
      if (!l.refused.has(kind) && !l.subs.has(kind)) void this.subscribe(l, kind).catch((err: unknown) => this.d.log.warn({ err, lower: l.sipId }, 'SUBSCRIBE failed'));
    }
  }

  private subscribeInit(sub: Pick<Sub, 'kind' | 'body' | 'dest'>, expiresS: number) {
    return { contact: this.d.node.contact(sub.dest.transport), event: { package: EVENT[sub.kind] }, expiresS, body: sub.body, contentType: MANSCDP_CONTENT_TYPE };
  }

  private async subscribe(l: Lower, kind: Kind): Promise<void> {
    const row = await repos(this.d.store.db).cascade.getLower({ kind: 'all' }, l.id);
    const dest = row ? this.d.registry.destinationOf(row) : undefined;
    if (!dest || this.lowers.get(l.id) !== l || l.subs.has(kind)) return;
    const sn = this.d.node.nextSn();
    // The alarm query asks for every alarm: priorities 0–0 and AlarmMethod 0 mean "all".
    const body = encodeManscdp(kind === 'catalog' ? { kind: 'catalog-query', sn, deviceId: l.sipId } : { kind: 'alarm-query', sn, deviceId: l.sipId, startAlarmPriority: 0, endAlarmPriority: 0, alarmMethod: '0' });
    const domain = l.sipId.slice(0, 10);
    const expiresS = this.d.expiresS ?? 3600;
    const req = buildSubscribe({ uri: `sip:${l.sipId}@${domain}`, from: `<${this.d.node.fromUri}>`, to: `<sip:${l.sipId}@${domain}>`, ...this.subscribeInit({ kind, body, dest }, expiresS) });
    const sub: Sub = {
      lowerId: l.id, sipId: l.sipId, kind, event: EVENT[kind], state: 'subscribing', callId: req.headers.get('Call-ID') ?? '', sinceMs: this.d.clock.nowMs(),
      refreshes: 0, notifies: 0, localTag: tagOf(req.headers.get('From')) ?? '', dest, body,
    };
    l.subs.set(kind, sub);
    this.byCallId.set(sub.callId, sub); // its first NOTIFY may overtake the 200
    const res = await this.d.node.transport.request(req, dest).catch((e: Error) => e);
    if (l.subs.get(kind) !== sub) return; // dropped meanwhile
    if (!(res instanceof Error) && res.status >= 200 && res.status < 300) {
      sub.dialog = createUacDialog(req, res, dest);
      sub.state = 'active';
      l.retryMs = 5000;
      this.granted(sub, res, expiresS);
      return;
    }
    this.forget(l, sub);
    if (!(res instanceof Error) && UNSUPPORTED.has(res.status)) {
      l.refused.add(kind);
      this.d.log.info({ lower: l.sipId, event: EVENT[kind], status: res.status }, 'lower platform refuses the subscription: MESSAGE notifications only');
      return;
    }
    this.retryLater(l, res instanceof Error ? res.message : `${res.status} ${res.reason}`);
  }

  private retryLater(l: Lower, reason: string, delayMs = l.retryMs): void {
    this.d.log.warn({ lower: l.sipId, retryMs: delayMs, reason }, 'subscription to lower platform failed');
    clearTimeout(l.retry);
    l.retry = setTimeout(() => this.subscribeAll(l), delayMs);
    l.retryMs = Math.min(60_000, l.retryMs * 2);
  }

  /** Expires granted in a 2xx (never more than asked); refreshed at 80 % of it. */
  private granted(sub: Sub, res: SipResponse, askedS: number): void {
    const h = Number(res.headers.get('Expires'));
    const grantedS = Number.isFinite(h) && h > 0 ? Math.min(h, askedS) : askedS;
    sub.expiresAtMs = this.d.clock.nowMs() + grantedS * 1000;
    clearTimeout(sub.timer);
    sub.timer = setTimeout(() => void this.refresh(sub), Math.max(1000, grantedS * 800));
  }

  private async refresh(sub: Sub): Promise<void> {
    const l = this.lowers.get(sub.lowerId);
    if (!l || l.subs.get(sub.kind) !== sub || !sub.dialog) return;
    const expiresS = this.d.expiresS ?? 3600;
    const res = await this.d.node.transport.request(buildSubscribeRefresh(sub.dialog, this.subscribeInit(sub, expiresS)), sub.dialog.destination).catch((e: Error) => e);
    if (l.subs.get(sub.kind) !== sub) return;
    if (!(res instanceof Error) && res.status >= 200 && res.status < 300) {
      sub.refreshes++;
      this.granted(sub, res, expiresS);
      return;
    }
    // 481 (the lower forgot it) or no answer: a new subscription, which brings the whole catalog again.
    this.d.log.info({ lower: sub.sipId, event: sub.event, answer: res instanceof Error ? res.message : res.status }, 'subscription refresh refused: subscribing anew');
    this.forget(l, sub);
    this.subscribeAll(l);
  }

  private onTerminated(sub: Sub, state: SubscriptionState): void {
    const l = this.lowers.get(sub.lowerId);
    if (!l) return void this.byCallId.delete(sub.callId);
    this.forget(l, sub);
    // RFC 6665 §4.1.3: deactivated/timeout → at once; probation/giveup → after retry-after; rejected/noresource → not again.
    if (state.reason === 'rejected' || state.reason === 'noresource') return void l.refused.add(sub.kind);
    if (state.reason === 'probation' || state.reason === 'giveup') return this.retryLater(l, `terminated: ${state.reason}`, (state.retryAfterS ?? 5) * 1000);
    this.subscribeAll(l);
  }

  private applyCatalog(lower: { id: number; sipId: string }, items: CatalogItem[]): void {
    const l = this.lowers.get(lower.id);
    this.d.registry.warnBadInfo(lower.sipId, items);
    const run = async (): Promise<void> => {
      const res = await applyCatalogEvents(this.d.store, lower, items, this.d.clock.nowMs());
      if (res.fullQuery) await this.d.registry.refreshCatalog(lower.id);
      if (res.applied > 0) this.emit('catalog-events', { lowerId: lower.id, applied: res.applied });
    };
    const done = (l?.applying ?? Promise.resolve()).then(run).catch((err: unknown) => this.d.log.warn({ err, lower: lower.sipId }, 'applying catalog events failed'));
    if (l) l.applying = done;
  }
}
