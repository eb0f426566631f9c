// Cascade rules for the API: who may see and manage lower platforms (scope through the org node
// they hang under), RecordInfo and PTZ passthrough (audited). Routes stay thin.
import type { Actor } from '../auth/actor.ts';
import { inScope } from '../auth/actor.ts';
import { actorPath, outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import { computeHa1, formatGbTime } from '../gb28181/index.ts';
import type { CatalogInfo, RecordItem } from '../gb28181/index.ts';
import { storedCatalogInfo } from './catalog.ts';
import { repos } from '../store/repos/index.ts';
import type { CascadeAlarmRow, LowerRow, RemoteChannelRow } from '../store/repos/cascade-repo.ts';
import type { LowerPlatformKind } from '../store/schema.ts';
import { AppError } from '../util/errors.ts';
import type { CascadeModule, CascadeStatus } from './index.ts';

export interface LowerView {
  id: number; sipId: string; name: string; kind: LowerPlatformKind; orgNodeId: number; enabled: boolean; online: boolean;
  registeredAtMs: number | null; expiresAtMs: number | null; lastKeepaliveMs: number | null; contact: string | null; catalogAtMs: number | null; channelCount: number;
  /** X-GB-Ver it declared when it last registered ("3.0" = GB/T 28181-2022, "2.0" = 2016); null when none. */
  gbVersion: string | null;
  /** Digest algorithm of its last registration ('MD5' | 'SM3'); null before the first. */
  authAlgorithm: string | null;
  /** An SM3 HA1 is stored (password set since migration 0006): SM3 is offered when it declares 2022. */
  sm3Ready: boolean;
}
export interface RemoteChannelView {
  deviceId: string; parentId: string | null; name: string; kind: string; status: string | null; civilCode: string | null; manufacturer: string | null; model: string | null;
  /** BusinessGroupID (215) as the lower sent it; catalog <Info> fields as sent (well-formed ones; migration 0037), or null. */
  businessGroupId?: string | null; info?: CatalogInfo | null;
}
export interface CascadeAlarmView { id: number; lowerId: number; deviceId: string; priority: number; method: number; alarmType: number | null; alarmAtMs: number | null; description: string | null; receivedAtMs: number; clearedAtMs: number | null }
/** A lower as the console's 级联 page lists it: LowerView plus channel states and since-when. */
export interface LowerDetailView extends LowerView {
  /** Camera channels last reported ON / OFF (the last known state while the lower is offline). */
  channelsOnline: number; channelsOffline: number;
  /** Online without interruption since (ms); null when offline. */
  onlineSinceMs: number | null;
  /** Offline since (ms, when the upper noticed); null when online or never registered. */
  offlineSinceMs: number | null;
  /** Why it went offline (Chinese first), while offline. */
  lastError: string | null;
}
export interface CascadeAlarmDetailView extends CascadeAlarmView { lowerName: string | null; channelName: string | null }
/** Where this node registers upward (configuration, no password). */
export interface UpperAddress { host: string; port: number; transport: 'udp' | 'tcp'; keepaliveS: number; expiresS: number }

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));
export const lowerView = (l: LowerRow): LowerView => ({
  id: l.id, sipId: l.sip_id, name: l.name, kind: l.kind, orgNodeId: l.org_node_id, enabled: Boolean(l.enabled), online: Boolean(l.online),
  registeredAtMs: num(l.registered_at_ms), expiresAtMs: num(l.expires_at_ms), lastKeepaliveMs: num(l.last_keepalive_ms),
  contact: l.contact_host ? `${l.contact_host}:${l.contact_port ?? ''}/${l.transport ?? 'udp'}` : null, catalogAtMs: num(l.catalog_at_ms), channelCount: Number(l.channel_count),
  gbVersion: l.gb_version, authAlgorithm: l.auth_algorithm, sm3Ready: l.ha1_sm3 !== null,
});
const channelView = (c: RemoteChannelRow): RemoteChannelView => ({
  deviceId: c.device_id, parentId: c.parent_id, name: c.name, kind: c.item_kind, status: c.status, civilCode: c.civil_code, manufacturer: c.manufacturer, model: c.model,
  businessGroupId: c.business_group_id, info: c.info_json ? storedCatalogInfo(c.info_json) : null,
});
const alarmView = (a: CascadeAlarmRow): CascadeAlarmView => ({ id: a.id, lowerId: a.lower_id, deviceId: a.device_id, priority: a.priority, method: a.method, alarmType: a.alarm_type, alarmAtMs: num(a.alarm_at_ms), description: a.description, receivedAtMs: Number(a.received_at_ms), clearedAtMs: num(a.cleared_at_ms) });

export class CascadeService {
  constructor(private readonly m: CascadeModule) {}

  private get app() {
    return this.m.app;
  }

  async status(actor: Actor): Promise<CascadeStatus & { lowers: number; lowersOnline: number; upperAddress?: UpperAddress }> {
    await requirePermission(this.app.audit, actor, 'org.read', 'cascade.read', 'cascade', '*');
    const lowers = await repos(this.app.store.db).cascade.listLowers(actor.scope);
    const up = this.m.link?.upper;
    const upperAddress = up ? { host: up.host, port: up.port, transport: up.transport, keepaliveS: up.keepaliveS, expiresS: up.expiresS } : undefined;
    const status = this.m.status();
    // A voice leg names a room: only those inside the caller's scope (R-CITY-2).
    const voiceLegs = status.voiceLegs.filter((l) => inScope(actor.scope, l.scopePath));
    return { ...status, voiceLegs, lowers: lowers.length, lowersOnline: lowers.filter((l) => l.online).length, ...(upperAddress ? { upperAddress } : {}) };
  }

  async listLowers(actor: Actor): Promise<LowerDetailView[]> {
    await requirePermission(this.app.audit, actor, 'org.read', 'cascade.read', 'lower_platform', '*');
    const r = repos(this.app.store.db).cascade;
    const lowers = await r.listLowers(actor.scope);
    const ids = lowers.map((l) => l.id);
    const [counts, offline] = await Promise.all([r.channelStatusCounts(ids), r.lastOfflineAlarms(ids)]);
    const offlineBy = new Map(offline.map((a) => [a.lower_id, a]));
    return lowers.map((l) => {
      const v = lowerView(l);
      const count = (status: string) => counts.filter((c) => c.lower_id === l.id && c.status === status).reduce((n, c) => n + c.n, 0);
      const off = v.online ? undefined : offlineBy.get(l.id);
      return {
        ...v, channelsOnline: count('ON'), channelsOffline: count('OFF'),
        onlineSinceMs: v.online ? (this.m.registry?.onlineSinceMs(l.id) ?? v.registeredAtMs) : null,
        offlineSinceMs: off ? Number(off.received_at_ms) : null, lastError: off?.description ?? null,
      };
    });
  }

  /** Both HA1s (MD5 for 2016 lowers, SM3 for 2022 ones) from the given or the configured default password. */
  private ha1(sipId: string, password: string | undefined): { ha1: string; ha1_sm3: string } {
    const s = this.m.settings;
    if (!s) throw new AppError('invalid_input', '本节点未配置国标级联 (gb28181 is not configured on this node)');
    const pw = password ?? s.password;
    if (!pw) throw new AppError('invalid_input', '需要注册密码 (a registration password is required)', { field: 'password' });
    return { ha1: computeHa1(sipId, s.domain, pw, 'MD5'), ha1_sm3: computeHa1(sipId, s.domain, pw, 'SM3') };
  }

  async createLower(actor: Actor, input: { sipId: string; name: string; kind: LowerPlatformKind; password?: string; orgNodeId?: number }): Promise<LowerView> {
    await requirePermission(this.app.audit, actor, 'org.write', 'cascade.lower.create', 'lower_platform', input.sipId);
    const hashes = this.ha1(input.sipId, input.password);
    return runAudited(this.app.store, this.app.audit, actor, async (trx) => {
      const r = repos(trx);
      const nodes = await r.org.list(actor.scope);
      const node = input.orgNodeId !== undefined ? nodes.find((n) => n.id === input.orgNodeId) : nodes[0];
      if (!node) throw outOfScope('cascade.lower.create', 'org_node', input.orgNodeId ?? '*');
      if (await r.cascade.lowerBySipId(input.sipId)) throw new AppError('conflict', `国标编号 ${input.sipId} 已登记 (SIP id already registered)`, { field: 'sipId' });
      const now = this.app.clock.nowMs();
      const id = await r.cascade.insertLower({ sip_id: input.sipId, name: input.name.trim(), kind: input.kind, org_node_id: node.id, ...hashes, enabled: 1, online: 0, channel_count: 0, created_at_ms: now, updated_at_ms: now });
      await this.app.audit.append(trx, actor, { action: 'cascade.lower.create', objectType: 'lower_platform', objectId: id, scopePath: node.path, detail: { sipId: input.sipId, name: input.name, kind: input.kind, orgNodeId: node.id } });
      return lowerView((await r.cascade.getLower({ kind: 'all' }, id))!);
    }).then((v) => this.changed(v.id, 'created', v));
  }

  async updateLower(actor: Actor, id: number, input: { name?: string; password?: string; enabled?: boolean }): Promise<LowerView> {
    await requirePermission(this.app.audit, actor, 'org.write', 'cascade.lower.update', 'lower_platform', id);
    const view = await runAudited(this.app.store, this.app.audit, actor, async (trx) => {
      const r = repos(trx).cascade;
      const l = await r.getLower(actor.scope, id);
      if (!l) throw outOfScope('cascade.lower.update', 'lower_platform', id);
      const now = this.app.clock.nowMs();
      await r.updateLower(id, {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}), ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
        ...(input.password !== undefined ? this.ha1(l.sip_id, input.password) : {}), updated_at_ms: now,
      });
      await this.app.audit.append(trx, actor, { action: 'cascade.lower.update', objectType: 'lower_platform', objectId: id, scopePath: l.node_path, detail: { name: input.name, enabled: input.enabled, passwordChanged: input.password !== undefined } });
      return lowerView((await r.getLower({ kind: 'all' }, id))!);
    }).then((v) => this.changed(id, 'updated', v));
    if (input.enabled === false) {
      // Switched off: its subscriptions end (Expires: 0, while it still listens) and it goes offline.
      await this.m.upperSubs?.end(id).catch((err: unknown) => this.app.log.warn({ err }, 'ending subscriptions failed'));
      await this.m.registry?.disable(id);
      return lowerView((await repos(this.app.store.db).cascade.getLower({ kind: 'all' }, id))!);
    }
    return view;
  }

  async deleteLower(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.app.audit, actor, 'org.write', 'cascade.lower.delete', 'lower_platform', id);
    await runAudited(this.app.store, this.app.audit, actor, async (trx) => {
      const r = repos(trx).cascade;
      const l = await r.getLower(actor.scope, id);
      if (!l) throw outOfScope('cascade.lower.delete', 'lower_platform', id);
      await r.deleteLower(id);
      await this.app.audit.append(trx, actor, { action: 'cascade.lower.delete', objectType: 'lower_platform', objectId: id, scopePath: l.node_path, detail: { sipId: l.sip_id, name: l.name } });
    });
    this.changed(id, 'deleted', undefined);
    // Its catalog and alarm subscriptions end (SUBSCRIBE Expires: 0); not awaited: it may be unreachable.
    void this.m.upperSubs?.end(id).catch((err: unknown) => this.app.log.warn({ err }, 'ending subscriptions failed'));
  }

  /** After the commit: our own upper's catalog lists our lowers and their channels (catalog-watch.ts). */
  private changed<T>(id: number, change: 'created' | 'updated' | 'deleted', result: T): T {
    this.app.events.emit('org.changed', { kind: 'lower', id, change });
    return result;
  }

  private async lowerInScope(actor: Actor, id: number, action: string): Promise<LowerRow> {
    const l = await repos(this.app.store.db).cascade.getLower(actor.scope, id);
    if (!l) {
      await this.app.audit.record(actor, { action, objectType: 'lower_platform', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
      throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
    }
    return l;
  }

  /** A lower's remote tree; `cameraId`: the camera of the actor's scope that pulls the channel (source gb28181), so the console can watch it. */
  async channels(actor: Actor, lowerId: number): Promise<{ lower: LowerView; channels: Array<RemoteChannelView & { cameraId: number | null }> }> {
    await requirePermission(this.app.audit, actor, 'org.read', 'cascade.read', 'lower_platform', lowerId);
    const l = await this.lowerInScope(actor, lowerId, 'cascade.read');
    const r = repos(this.app.store.db);
    const [rows, cameras] = await Promise.all([r.cascade.channels(l.id), r.cameras.list(actor.scope)]);
    const cameraOf = new Map(cameras.filter((c) => c.source_kind === 'gb28181').map((c) => [c.main_stream, c.id]));
    return { lower: lowerView(l), channels: rows.map((c) => ({ ...channelView(c), cameraId: cameraOf.get(c.device_id) ?? null })) };
  }

  async refreshCatalog(actor: Actor, lowerId: number): Promise<number> {
    await requirePermission(this.app.audit, actor, 'org.write', 'cascade.catalog', 'lower_platform', lowerId);
    const l = await this.lowerInScope(actor, lowerId, 'cascade.catalog');
    if (!this.m.registry) throw new AppError('invalid_input', '本节点未配置国标级联 (gb28181 is not configured on this node)');
    const n = await this.m.registry.refreshCatalog(l.id);
    await this.app.audit.record(actor, { action: 'cascade.catalog', objectType: 'lower_platform', objectId: l.id, scopePath: l.node_path, detail: { items: n } });
    return n;
  }

  async alarms(actor: Actor, opts: { lowerId?: number; limit: number }): Promise<CascadeAlarmDetailView[]> {
    await requirePermission(this.app.audit, actor, 'org.read', 'cascade.read', 'cascade_alarm', '*');
    const r = repos(this.app.store.db).cascade;
    // A lowerId outside the scope is refused like any out-of-scope object: 404, audited (issue 13, Low).
    if (opts.lowerId !== undefined) await this.lowerInScope(actor, opts.lowerId, 'cascade.read');
    const lowers = (await r.listLowers(actor.scope)).filter((l) => opts.lowerId === undefined || l.id === opts.lowerId);
    const ids = lowers.map((l) => l.id);
    const rows = await r.alarms(ids, opts.limit);
    const names = new Map((await r.channelNames(ids, rows.map((a) => a.device_id))).map((c) => [`${c.lower_id}/${c.device_id}`, c.name]));
    const lowerName = new Map(lowers.map((l) => [l.id, l.name]));
    return rows.map((a) => ({ ...alarmView(a), lowerName: lowerName.get(a.lower_id) ?? null, channelName: names.get(`${a.lower_id}/${a.device_id}`) ?? null }));
  }

  /** The channel's lower platform, if the actor's scope holds it; else a 404 (audited). */
  private async channelOwner(actor: Actor, channelId: string, action: string): Promise<LowerRow> {
    const owner = await this.m.calls?.ownerOf(channelId);
    if (owner) return this.lowerInScope(actor, owner.id, action);
    await this.app.audit.record(actor, { action, objectType: 'remote_channel', objectId: channelId, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
    throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
  }

  async recordInfo(actor: Actor, channelId: string, fromMs: number, toMs: number): Promise<RecordItem[]> {
    await requirePermission(this.app.audit, actor, 'video.playback', 'cascade.record-info', 'remote_channel', channelId);
    const l = await this.channelOwner(actor, channelId, 'cascade.record-info');
    const items = await this.m.calls!.recordInfo(channelId, formatGbTime(fromMs), formatGbTime(toMs));
    await this.app.audit.record(actor, { action: 'cascade.record-info', objectType: 'remote_channel', objectId: channelId, scopePath: l.node_path, detail: { fromMs, toMs, items: items.length } });
    return items;
  }

  async ptz(actor: Actor, channelId: string, ptzCmd: string): Promise<string> {
    await requirePermission(this.app.audit, actor, 'video.live', 'cascade.ptz', 'remote_channel', channelId);
    const l = await this.channelOwner(actor, channelId, 'cascade.ptz');
    const result = await this.m.calls!.ptz(channelId, ptzCmd);
    await this.app.audit.record(actor, { action: 'cascade.ptz', objectType: 'remote_channel', objectId: channelId, outcome: result === 'OK' ? 'ok' : 'denied', scopePath: l.node_path, detail: { ptzCmd, result } });
    return result;
  }
}
