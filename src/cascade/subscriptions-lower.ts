// This node as lower platform, notifier side of GB/T 28181 subscriptions (§9.11, RFC 6665): the
// upper SUBSCRIBEs with Event: Catalog and Event: presence (alarms); we answer 200 with a Result
// body, send the whole catalog at once (2016/2022: NOTIFY with ADD items), keep each dialog until
// it expires or the upper sends Expires: 0 (a terminated NOTIFY ends it either way), and then
// send catalog changes and alarms as NOTIFYs in those dialogs. Without a subscription (older
// uppers) both go as MESSAGE, as before. Soft state: a restart forgets it, the upper re-subscribes.
import type { Logger } from 'pino';
import {
  alarmMatchesQuery, buildNotify, createUasDialog, encodeManscdp, encodeResultResponse, gbSubscriptionKind, matchesDialog, MANSCDP_CONTENT_TYPE,
  parseEventHeader, parseManscdp, splitCatalogNotify, UDP_BODY_BUDGET_BYTES, subscribeExpiresOf, tagOf,
} from '../gb28181/index.ts';
import type { AlarmNotify, AlarmQuery, CatalogItem, EventHeader, GbSubscriptionKind, ManscdpMessage, ReplyFn, SipDialog, SipRequest } from '../gb28181/index.ts';
import type { Clock } from '../util/clock.ts';
import type { CatalogWatcher } from './catalog-watch.ts';
import type { LowerLink } from './lower-link.ts';
import type { SipNode } from './sip-node.ts';

export type SubscriptionKind = GbSubscriptionKind;

/** Expires when the SUBSCRIBE has none (RFC 6665 §7.2: the package's default) and the most we grant. */
const DEFAULT_EXPIRES_S = 3600;
const MAX_EXPIRES_S = 86_400;

export interface LowerSubscriptionStatus {
  kind: SubscriptionKind;
  /** Event package as the upper wrote it ('Catalog', 'presence'). */
  event: string;
  callId: string;
  sinceMs: number;
  expiresAtMs: number;
  refreshes: number;
  notifies: number;
}

interface Sub extends LowerSubscriptionStatus {
  dialog: SipDialog;
  eventHeader: { package: string; id?: string };
  /** Alarm subscriptions: which alarms the upper asked for. */
  query?: AlarmQuery;
  timer?: NodeJS.Timeout;
  chain: Promise<void>;
  ended: boolean;
}

export interface LowerSubscriptionDeps {
  node: SipNode;
  link: LowerLink;
  clock: Clock;
  log: Logger;
  watcher: CatalogWatcher;
  /** Items per catalog NOTIFY/MESSAGE (default 20, as catalog answers). */
  perMessage?: number;
}

/** Which subscription an Event package and body ask for; undefined for what we do not offer (e.g. presence + MobilePosition). */
function kindOf(event: EventHeader, body: ManscdpMessage | undefined): SubscriptionKind | undefined {
  const kind = gbSubscriptionKind(event.package);
  const wanted = kind === 'catalog' ? 'catalog-query' : 'alarm-query';
  return kind !== undefined && (body === undefined || body.kind === wanted) ? kind : undefined;
}

export class LowerSubscriptions {
  private readonly subs = new Map<SubscriptionKind, Sub>();

  constructor(private readonly d: LowerSubscriptionDeps) {}

  /** SUBSCRIBE from our upper: a new subscription, a refresh, or (Expires: 0) its end. */
  onSubscribe(req: SipRequest, reply: ReplyFn): void {
    let event: EventHeader;
    let expiresS: number;
    let body: ManscdpMessage | undefined;
    try {
      const h = req.headers.get('Event');
      if (h === undefined) return void reply(400, { reason: 'Missing Event header' });
      event = parseEventHeader(h);
      expiresS = Math.min(MAX_EXPIRES_S, subscribeExpiresOf(req, DEFAULT_EXPIRES_S));
      body = req.body.length > 0 ? parseManscdp(req.body) : undefined;
    } catch (err) {
      this.d.log.warn({ err }, 'bad SUBSCRIBE from the upper');
      return void reply(400, { reason: 'Bad SUBSCRIBE' });
    }
    const kind = kindOf(event, body);
    if (!kind) return void reply(489, { reason: 'Bad Event', headers: { 'Allow-Events': 'Catalog, presence' } });
    if (tagOf(req.headers.get('To')) !== undefined) return this.refresh(req, reply, expiresS);
    const { node, link } = this.d;
    const res = reply(200, {
      headers: { Expires: String(expiresS), Contact: node.contact(link.upper.transport), 'Content-Type': MANSCDP_CONTENT_TYPE },
      body: encodeResultResponse(kind === 'catalog' ? 'Catalog' : 'Alarm', body?.sn ?? 0, node.identity.id, 'OK'),
    });
    const dialog = createUasDialog(req, res, link.destination);
    if (!req.headers.has('Contact')) dialog.remoteTarget = `sip:${link.upper.id}@${link.upper.host}:${link.upper.port}`;
    const old = this.subs.get(kind);
    if (old) this.forget(old); // the upper subscribed anew (it restarted): the old dialog is dead
    const now = this.d.clock.nowMs();
    const sub: Sub = {
      kind, event: event.package, callId: dialog.callId, sinceMs: now, expiresAtMs: now + expiresS * 1000, refreshes: 0, notifies: 0,
      dialog, eventHeader: { package: event.package, ...(event.id !== undefined ? { id: event.id } : {}) },
      ...(body?.kind === 'alarm-query' ? { query: body } : {}), chain: Promise.resolve(), ended: false,
    };
    this.subs.set(kind, sub);
    if (expiresS === 0) return this.end(sub, 'timeout'); // a one-off fetch: nothing to keep
    this.arm(sub);
    if (kind === 'alarm') this.enqueue(sub, async () => void (await this.send(sub)));
    else this.enqueue(sub, () => this.sendCatalog(sub, undefined, 'ADD'));
  }

  private refresh(req: SipRequest, reply: ReplyFn, expiresS: number): void {
    const sub = [...this.subs.values()].find((s) => matchesDialog(s.dialog, req));
    if (!sub) return void reply(481, { reason: 'Subscription Does Not Exist' });
    reply(200, { headers: { Expires: String(expiresS), Contact: this.d.node.contact(this.d.link.upper.transport) } });
    if (expiresS === 0) return this.end(sub, 'timeout');
    sub.refreshes++;
    sub.expiresAtMs = this.d.clock.nowMs() + expiresS * 1000;
    this.arm(sub);
    // RFC 6665 §4.2.2 asks for a NOTIFY after each refresh; the state itself went as events already.
    this.enqueue(sub, async () => void (await this.send(sub)));
  }

  /** An alarm for the upper: NOTIFY to its alarm subscription if it wants this one, else MESSAGE (older uppers). */
  publishAlarm(build: () => AlarmNotify): void {
    const sub = this.subs.get('alarm');
    if (!sub || !this.d.link.registered) return this.d.link.notify(build); // queued until registered
    const msg = build();
    if (sub.query && !alarmMatchesQuery(sub.query, msg)) return;
    // Runs even if the subscription ends meanwhile: send() then fails and the MESSAGE goes instead.
    this.enqueue(sub, async () => {
      if (!(await this.send(sub, encodeManscdp(msg)))) this.d.link.notify(() => msg);
    }, true);
  }

  /**
   * Catalog events for the upper: NOTIFYs in its catalog subscription, and nothing without one
   * (GB/T 28181-2016 §9.11.2: catalog changes go to subscribers; issue 15 defect 7). An upper
   * that subscribes later gets the whole catalog then; one that never does queries it.
   */
  publishCatalog(items: CatalogItem[]): void {
    const sub = this.subs.get('catalog');
    if (!sub) return void this.d.log.debug({ events: items.length }, 'catalog changed; the upper holds no catalog subscription: not notified');
    this.enqueue(sub, () => this.sendCatalog(sub, items), true);
  }

  status(): LowerSubscriptionStatus[] {
    return [...this.subs.values()].map(({ kind, event, callId, sinceMs, expiresAtMs, refreshes, notifies }) => ({ kind, event, callId, sinceMs, expiresAtMs, refreshes, notifies }));
  }

  /** The dialog of the upper's subscription of that kind (status views and tests). */
  dialogOf(kind: SubscriptionKind): SipDialog | undefined {
    return this.subs.get(kind)?.dialog;
  }

  /** Shutting down: each subscription ends with a terminated NOTIFY (waited for at most `waitMs`). */
  async stop(waitMs = 1000): Promise<void> {
    const subs = [...this.subs.values()];
    for (const s of subs) this.end(s, 'noresource');
    await Promise.race([Promise.all(subs.map((s) => s.chain)), new Promise((r) => setTimeout(r, waitMs).unref())]);
  }

  /** `items` undefined: the whole catalog (a new subscription) with `event` on every item. */
  private async sendCatalog(sub: Sub, items: CatalogItem[] | undefined, event?: 'ADD'): Promise<void> {
    if (sub.ended) return; // the upper subscribes again and gets the whole catalog
    const all = items ?? (await this.d.watcher.full()).map((it) => ({ ...it, event }));
    const parts = splitCatalogNotify(all, this.d.perMessage ?? 20, { sn: this.d.node.nextSn(), deviceId: this.d.node.identity.id }, this.bodyBudget());
    if (parts.length === 0) return void (await this.send(sub)); // an empty catalog: the NOTIFY still confirms the subscription
    for (let i = 0; i < parts.length; i++) {
      if (await this.send(sub, encodeManscdp(parts[i]))) continue;
      return; // the subscription is dropped: a whole catalog is sent again when the upper subscribes anew
    }
  }

  /** Byte budget of a NOTIFY body: under the path MTU over UDP (issue 15 defect 5), none over TCP. */
  private bodyBudget(): number | undefined {
    return this.d.link.upper.transport === 'udp' ? UDP_BODY_BUDGET_BYTES : undefined;
  }

  /** One NOTIFY; false (and the subscription dropped) when the upper does not take it. */
  private async send(sub: Sub, body?: Uint8Array, ending?: string): Promise<boolean> {
    if (sub.ended && !ending) return false;
    const remainingS = Math.max(0, Math.round((sub.expiresAtMs - this.d.clock.nowMs()) / 1000));
    const req = buildNotify(sub.dialog, {
      contact: this.d.node.contact(this.d.link.upper.transport), event: sub.eventHeader,
      state: ending ? { state: 'terminated', reason: ending } : { state: 'active', expiresS: remainingS },
      ...(body ? { body, contentType: MANSCDP_CONTENT_TYPE } : {}),
    });
    const res = await this.d.node.transport.request(req, sub.dialog.destination).catch((e: Error) => e);
    if (!(res instanceof Error) && res.status >= 200 && res.status < 300) {
      sub.notifies++;
      return true;
    }
    if (!ending) {
      // 481: the upper forgot it; a timeout: it is gone. Either way it subscribes again when it can.
      this.d.log.warn({ kind: sub.kind, answer: res instanceof Error ? res.message : res.status }, 'NOTIFY to the upper failed: subscription dropped');
      this.forget(sub);
    }
    return false;
  }

  /** Ends a subscription: forgotten now, told with a terminated NOTIFY (after what is queued). */
  private end(sub: Sub, reason: string): void {
    if (sub.ended) return;
    this.forget(sub);
    this.enqueue(sub, async () => void (await this.send(sub, undefined, reason)), true);
  }

  private forget(sub: Sub): void {
    sub.ended = true;
    clearTimeout(sub.timer);
    if (this.subs.get(sub.kind) === sub) this.subs.delete(sub.kind);
  }

  private arm(sub: Sub): void {
    clearTimeout(sub.timer);
    sub.timer = setTimeout(() => this.end(sub, 'timeout'), Math.max(0, sub.expiresAtMs - this.d.clock.nowMs()));
  }

  /** NOTIFYs of one subscription go one after another, in order (OFF must not overtake ON). */
  private enqueue(sub: Sub, task: () => Promise<void>, evenIfEnded = false): void {
    sub.chain = sub.chain.then(async () => {
      if (sub.ended && !evenIfEnded) return;
      await task();
    }).catch((err: unknown) => this.d.log.error({ err, kind: sub.kind }, 'NOTIFY failed'));
  }
}
