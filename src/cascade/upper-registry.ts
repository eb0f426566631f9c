// This node as upper platform: lower platforms and GB devices REGISTER with digest against the
// HA1 stored for them, stay online through keepalives (offline after 3 missed or expiry), send
// alarms (stored + emitted, R-FLT-1) and are asked for their catalog after each registration,
// which is merged into remote_channel (R-FN-3).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createSipChallenge, formatGbTime, parseGbTime, parseManscdp, parseNameAddr, verifySipAuthorization } from '../gb28181/index.ts';
import type { CatalogItem, ManscdpMessage, RequestContext, ReplyFn, SipDestination, SipRequest } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { LowerRow } from '../store/repos/cascade-repo.ts';
import type { Clock } from '../util/clock.ts';
import { itemKind } from './catalog.ts';
import type { SipNode } from './sip-node.ts';
import { userOf } from './sip-node.ts';

export type { CascadeAlarmEvent } from '../events/bus.ts';
import type { CascadeAlarmEvent } from '../events/bus.ts';

export interface UpperRegistryEvents {
  alarm: [CascadeAlarmEvent];
  online: [{ lowerId: number; sipId: string }];
  offline: [{ lowerId: number; sipId: string; reason: string }];
  catalog: [{ lowerId: number; items: number; channels: number; ms: number }];
}

interface Live {
  id: number;
  sipId: string;
  lastKeepaliveMs: number;
  expiresAtMs: number;
}

const NONCE_TTL_MS = 5 * 60_000;

export class UpperRegistry extends EventEmitter<UpperRegistryEvents> {
  private readonly nonces = new Map<string, { nonce: string; header: string; issuedMs: number }>();
  private readonly live = new Map<number, Live>();
  private readonly bySip = new Map<string, Live>();
  private readonly catalogTimers = new Map<number, NodeJS.Timeout>();
  private sweep?: NodeJS.Timeout;

  constructor(
    private readonly node: SipNode,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: { lowerKeepaliveS: number; catalogIdleMs?: number },
  ) {
    super();
  }

  async start(): Promise<void> {
    const now = this.clock.nowMs();
    for (const l of await repos(this.store.db).cascade.onlineLowers()) {
      this.track({ id: l.id, sipId: l.sip_id, lastKeepaliveMs: Number(l.last_keepalive_ms ?? l.registered_at_ms ?? now), expiresAtMs: Number(l.expires_at_ms ?? now) });
    }
    this.sweep = setInterval(() => void this.checkLiveness(), Math.min(5000, this.opts.lowerKeepaliveS * 500));
  }

  stop(): void {
    clearInterval(this.sweep);
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
    const r = repos(this.store.db).cascade;
    const lower = sipId ? await r.lowerBySipId(sipId) : undefined;
    if (!lower || !lower.enabled) {
      this.log.warn({ sipId, from: ctx.source.host }, 'REGISTER from an unknown or disabled lower platform');
      reply(403);
      return;
    }
    const realm = this.node.identity.domain;
    const now = this.clock.nowMs();
    let issued = this.nonces.get(sipId);
    if (issued && now - issued.issuedMs > NONCE_TTL_MS) issued = undefined;
    const v = issued ? verifySipAuthorization(req.headers.get('Authorization'), { method: 'REGISTER', realm, nonce: issued.nonce, lookupHa1: (u) => (u === sipId ? lower.ha1 : undefined), algorithm: 'MD5' }) : undefined;
    if (!v?.ok) {
      if (v && v.reason !== 'missing' && v.reason !== 'nonce') this.log.warn({ sipId, reason: v.reason }, 'REGISTER digest refused');
      const c = createSipChallenge({ realm });
      this.nonces.set(sipId, { nonce: c.nonce, header: c.header, issuedMs: now });
      reply(401, { headers: { 'WWW-Authenticate': c.header } });
      return;
    }
    const expires = expiresOf(req);
    const ms = now % 1000;
    reply(200, { headers: { Date: `${formatGbTime(now)}.${String(ms).padStart(3, '0')}`, Expires: String(expires), Contact: req.headers.get('Contact') ?? '' } });
    if (expires === 0) {
      await this.goOffline(lower.id, sipId, 'unregistered (Expires: 0)');
      return;
    }
    const wasOnline = this.live.has(lower.id);
    this.track({ id: lower.id, sipId, lastKeepaliveMs: now, expiresAtMs: now + expires * 1000 });
    await r.setStatus(lower.id, { online: 1, registered_at_ms: now, expires_at_ms: now + expires * 1000, last_keepalive_ms: now, contact_host: ctx.source.host, contact_port: ctx.source.port, transport: ctx.source.transport }, now);
    if (!wasOnline) {
      this.emit('online', { lowerId: lower.id, sipId });
      this.scheduleCatalog(lower.id, 100);
    }
  }

  /** MESSAGE from a lower (answers are routed to waiting queries by the module before this). */
  onMessage(req: SipRequest, reply: ReplyFn, ctx: RequestContext): void {
    const sipId = userOf(req.headers.get('From'));
    const entry = this.bySip.get(sipId);
    let msg: ManscdpMessage;
    try {
      msg = parseManscdp(req.body);
    } catch {
      reply(400, { reason: 'Bad MANSCDP' });
      return;
    }
    if (!entry) {
      reply(403); // not registered: the lower registers again
      return;
    }
    reply(200);
    if (msg.kind.endsWith('-response')) {
      this.node.deliver(msg);
      return;
    }
    const now = this.clock.nowMs();
    entry.lastKeepaliveMs = now;
    if (msg.kind === 'keepalive') {
      void repos(this.store.db).cascade.setStatus(entry.id, { last_keepalive_ms: now }, now).catch((err: unknown) => this.log.error({ err }, 'keepalive update failed'));
    } else if (msg.kind === 'alarm') {
      void this.onAlarm(entry, msg, ctx).catch((err: unknown) => this.log.error({ err }, 'storing an alarm failed'));
    } else if (msg.kind === 'other' && msg.root === 'Notify' && msg.cmdType === 'Catalog') {
      this.scheduleCatalog(entry.id, 500); // channel status changed at the lower
    }
  }

  private async onAlarm(entry: Live, msg: Extract<ManscdpMessage, { kind: 'alarm' }>, ctx: RequestContext): Promise<void> {
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
    const ack = `<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>Alarm</CmdType>\r\n<SN>${msg.sn}</SN>\r\n<DeviceID>${msg.deviceId}</DeviceID>\r\n<Result>OK</Result>\r\n</Response>\r\n`;
    await this.node.message(ctx.source, entry.sipId, ack).catch(() => undefined);
    this.scheduleCatalog(entry.id, 1000);
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
    const rows = [...unique.values()].map((it) => ({
      device_id: it.deviceId.slice(0, 20), parent_id: it.parentId?.split('/').pop()?.slice(0, 20) ?? null, name: (it.name ?? it.deviceId).slice(0, 128),
      item_kind: itemKind(it), status: it.status ? normaliseStatus(it.status) : null, civil_code: it.civilCode?.slice(0, 12) ?? null,
      manufacturer: it.manufacturer?.slice(0, 64) ?? null, model: it.model?.slice(0, 64) ?? null, parental: it.parental ?? 0, updated_at_ms: now,
    }));
    const channels = rows.filter((x) => x.item_kind === 'channel').length;
    await this.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).cascade;
      await r.replaceChannels(lowerId, rows);
      await r.setStatus(lowerId, { catalog_at_ms: now, channel_count: channels }, now);
    });
    this.emit('catalog', { lowerId, items: rows.length, channels, ms: Date.now() - t0 });
    return rows.length;
  }

  /** Sends a MANSCDP query to a lower and waits for its complete answer. */
  async query(lower: Pick<LowerRow, 'sip_id' | 'contact_host' | 'contact_port' | 'transport'>, msg: ManscdpMessage, idleMs = this.opts.catalogIdleMs ?? 10_000): Promise<ManscdpMessage[]> {
    const dest = this.destinationOf(lower);
    if (!dest) throw new Error(`lower platform ${lower.sip_id} has never registered`);
    const wait = this.node.expect(msg.sn, idleMs);
    wait.catch(() => undefined); // handled by the caller's await; not unhandled while MESSAGE is in flight
    try {
      const res = await this.node.message(dest, lower.sip_id, msg);
      if (res.status >= 300) throw new Error(`lower platform ${lower.sip_id} answered ${res.status} ${res.reason}`);
    } catch (err) {
      this.node.cancel(msg.sn);
      throw err;
    }
    return wait;
  }

  private async checkLiveness(): Promise<void> {
    const now = this.clock.nowMs();
    const limit = 3 * this.opts.lowerKeepaliveS * 1000;
    for (const l of [...this.live.values()]) {
      if (now - l.lastKeepaliveMs > limit) await this.goOffline(l.id, l.sipId, `no keepalive for ${Math.round((now - l.lastKeepaliveMs) / 1000)} s (3 missed)`);
      else if (now > l.expiresAtMs) await this.goOffline(l.id, l.sipId, 'registration expired');
    }
  }

  private async goOffline(lowerId: number, sipId: string, reason: string): Promise<void> {
    const was = this.live.delete(lowerId);
    this.bySip.delete(sipId);
    const now = this.clock.nowMs();
    const r = repos(this.store.db).cascade;
    await r.setStatus(lowerId, { online: 0 }, now);
    if (!was) return;
    // The upper's own record of the fault (R-FLT-1): the lower cannot report its own silence.
    const alarmId = await r.insertAlarm({ lower_id: lowerId, device_id: sipId, priority: 1, method: 6, alarm_type: null, alarm_at_ms: now, description: `下级平台离线 lower platform offline: ${reason}`, received_at_ms: now });
    this.emit('offline', { lowerId, sipId, reason });
    this.emit('alarm', { alarmId, lowerId, lowerSipId: sipId, deviceId: sipId, priority: 1, method: 6, description: reason, alarmAtMs: now, receivedAtMs: now });
  }
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

function normaliseStatus(s: string): string {
  const u = s.trim().toUpperCase();
  return u === 'ONLINE' ? 'ON' : u === 'OFFLINE' ? 'OFF' : u.slice(0, 8);
}
