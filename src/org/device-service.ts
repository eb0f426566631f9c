// Rooms and cameras of exam sites (R-ORG-2 device archive, R-SEC-6 network config kept secret).
import type { AuditService } from '../audit/audit-service.ts';
import type { EventBus, OrgChangedEvent } from '../events/bus.ts';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CameraPosition, CameraSourceKind, RoomKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import { AppError } from '../util/errors.ts';
import { resolveGbCode } from './gb-allocator.ts';
import type { NetworkConfig } from './network-config.ts';
import { openNetwork, sealNetwork } from './network-config.ts';
import { extractStreamCredentials } from './stream-url.ts';
import type { CameraView, RoomView } from './views.ts';
import { CAMERA_GB_TYPES, ROOM_GB_TYPES, cameraView, roomView } from './views.ts';

export type { NetworkConfig } from './network-config.ts';

export interface CameraInput {
  roomId: number;
  name: string;
  position: CameraPosition;
  sourceKind: CameraSourceKind;
  gbCode?: string;
  mainStream: string;
  subStream: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  /** ONVIF device service URL ('' removes it); sealed with the network configuration. */
  onvifUrl?: string;
}

/**
 * Credentials typed into a stream URL (rtsp://user:pass@host/…) move into the sealed network
 * configuration; fields given explicitly win (issue 13 item 4, R-SEC-6).
 */
export function withStreamCredentials<T extends Partial<CameraInput>>(input: T): T {
  const c = extractStreamCredentials(input.mainStream, input.subStream);
  if (c.username === undefined && c.password === undefined) return input;
  const out: T = { ...input };
  if (c.mainStream !== undefined) out.mainStream = c.mainStream;
  if (c.subStream !== undefined) out.subStream = c.subStream;
  if (input.username === undefined && c.username !== undefined) out.username = c.username;
  if (input.password === undefined && c.password !== undefined) out.password = c.password;
  return out;
}

export class DeviceService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly events?: EventBus,
  ) {}

  /** Announced after the commit, so listeners (the cascade's catalog) read the new state. */
  private changed<T>(e: OrgChangedEvent, result: T): T {
    this.events?.emit('org.changed', e);
    return result;
  }

  async createRoom(actor: Actor, input: { siteId: number; kind: RoomKind; name: string; seats: number; gbCode?: string }): Promise<RoomView> {
    await requirePermission(this.audit, actor, 'org.write', 'room.create', 'room', input.name);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const site = await r.org.get(actor.scope, input.siteId);
      if (!site) throw outOfScope('room.create', 'org_node', input.siteId);
      if (site.kind !== 'site') throw new AppError('invalid_input', '房间只能建在考点下 (rooms belong to exam sites)', { field: 'siteId' });
      const name = input.name.trim();
      if (await r.rooms.nameTaken(site.id, name)) throw new AppError('conflict', `考点内已有名为“${name}”的房间 (duplicate room name)`, { field: 'name' });
      const gbCode = await resolveGbCode(r, input.gbCode, site.region_code, ROOM_GB_TYPES);
      const id = await r.rooms.insert({ siteId: site.id, kind: input.kind, name, seats: input.seats, gbCode, nowMs: this.clock.nowMs() });
      await this.audit.append(trx, actor, { action: 'room.create', objectType: 'room', objectId: id, scopePath: site.path, detail: { name, kind: input.kind, seats: input.seats, gbCode } });
      return roomView((await r.rooms.get({ kind: 'all' }, id))!, []);
    }).then((v) => this.changed({ kind: 'room', id: v.id, change: 'created' }, v));
  }

  async updateRoom(actor: Actor, id: number, input: { name?: string; kind?: RoomKind; seats?: number; siteId?: number }): Promise<RoomView> {
    await requirePermission(this.audit, actor, 'org.write', 'room.update', 'room', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const room = await r.rooms.get(actor.scope, id);
      if (!room) throw outOfScope('room.update', 'room', id);
      let sitePath = room.site_path;
      if (input.siteId !== undefined && input.siteId !== room.site_id) {
        const site = await r.org.get(actor.scope, input.siteId);
        if (!site) throw outOfScope('room.update', 'org_node', input.siteId);
        if (site.kind !== 'site') throw new AppError('invalid_input', '房间只能建在考点下 (rooms belong to exam sites)', { field: 'siteId' });
        sitePath = site.path;
      }
      const name = input.name?.trim();
      if (name !== undefined && (await r.rooms.nameTaken(input.siteId ?? room.site_id, name, id))) throw new AppError('conflict', `考点内已有名为“${name}”的房间 (duplicate room name)`, { field: 'name' });
      await r.rooms.update(id, { name, kind: input.kind, seats: input.seats, site_id: input.siteId }, this.clock.nowMs());
      await this.audit.append(trx, actor, { action: 'room.update', objectType: 'room', objectId: id, scopePath: sitePath, detail: { before: { name: room.name, kind: room.kind, seats: room.seats, siteId: room.site_id }, after: input } });
      const cams = (await r.cameras.list(actor.scope)).filter((c) => c.room_id === id).map(cameraView);
      return roomView((await r.rooms.get({ kind: 'all' }, id))!, cams);
    }).then((v) => this.changed({ kind: 'room', id, change: 'updated' }, v));
  }

  async deleteRoom(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.audit, actor, 'org.write', 'room.delete', 'room', id);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const room = await r.rooms.get(actor.scope, id);
      if (!room) throw outOfScope('room.delete', 'room', id);
      if (await r.rooms.hasCameras(id)) throw new AppError('conflict', '请先移除房间内的摄像机 (remove its cameras first)');
      await r.rooms.delete(id);
      await this.audit.append(trx, actor, { action: 'room.delete', objectType: 'room', objectId: id, scopePath: room.site_path, detail: { name: room.name, gbCode: room.gb_code } });
    });
    this.changed({ kind: 'room', id, change: 'deleted' }, undefined);
  }

  /**
   * Rows saved before credentials were taken out of URLs: seal them now (run at start). Returns
   * how many cameras were cleaned; each is audited without the values.
   */
  async sealTypedCredentials(): Promise<number> {
    const cams = await repos(this.store.db).cameras.list({ kind: 'all' });
    let n = 0;
    for (const cam of cams) {
      const typed = extractStreamCredentials(cam.main_stream, cam.sub_stream);
      if (typed.username === undefined && typed.password === undefined) continue;
      const current = openNetwork(this.box, cam.network_enc);
      const net = sealNetwork(this.box, { ...current, username: current?.username || typed.username, password: current?.password || typed.password });
      await this.store.db.transaction().execute(async (trx) => {
        await repos(trx).cameras.update(cam.id, { main_stream: typed.mainStream, sub_stream: typed.subStream, ...net, updated_at_ms: this.clock.nowMs() });
        await this.audit.append(trx, SYSTEM_ACTOR, { action: 'camera.update', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, detail: { credentialsMovedFromUrl: true } });
      });
      n++;
    }
    return n;
  }

  async createCamera(actor: Actor, typed: CameraInput): Promise<CameraView> {
    const input = withStreamCredentials(typed);
    await requirePermission(this.audit, actor, 'org.write', 'camera.create', 'camera', input.name);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const room = await r.rooms.get(actor.scope, input.roomId);
      if (!room) throw outOfScope('camera.create', 'room', input.roomId);
      const name = input.name.trim();
      if (await r.cameras.nameTaken(room.id, name)) throw new AppError('conflict', `房间内已有名为“${name}”的摄像机 (duplicate camera name)`, { field: 'name' });
      const site = (await r.org.get({ kind: 'all' }, room.site_id))!;
      const gbCode = await resolveGbCode(r, input.gbCode, site.region_code, CAMERA_GB_TYPES);
      const net = sealNetwork(this.box, input);
      const now = this.clock.nowMs();
      const id = await r.cameras.insert({
        room_id: room.id,
        name,
        position: input.position,
        source_kind: input.sourceKind,
        gb_code: gbCode,
        main_stream: input.mainStream,
        sub_stream: input.subStream,
        ...net,
        created_at_ms: now,
      });
      // The audit detail names what changed, never the secret values.
      await this.audit.append(trx, actor, { action: 'camera.create', objectType: 'camera', objectId: id, scopePath: room.site_path, detail: { name, roomId: room.id, gbCode, sourceKind: input.sourceKind, networkSet: net.network_enc !== null } });
      return cameraView((await r.cameras.get({ kind: 'all' }, id))!);
    }).then((v) => this.changed({ kind: 'camera', id: v.id, change: 'created' }, v));
  }

  async updateCamera(actor: Actor, id: number, typed: Partial<CameraInput>): Promise<CameraView> {
    const input = withStreamCredentials(typed);
    await requirePermission(this.audit, actor, 'org.write', 'camera.update', 'camera', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const cam = await r.cameras.get(actor.scope, id);
      if (!cam) throw outOfScope('camera.update', 'camera', id);
      let roomId = cam.room_id;
      if (input.roomId !== undefined && input.roomId !== cam.room_id) {
        const room = await r.rooms.get(actor.scope, input.roomId);
        if (!room) throw outOfScope('camera.update', 'room', input.roomId);
        roomId = room.id;
      }
      const name = input.name?.trim();
      if (name !== undefined && (await r.cameras.nameTaken(roomId, name, id))) throw new AppError('conflict', `房间内已有名为“${name}”的摄像机 (duplicate camera name)`, { field: 'name' });
      const patch: Parameters<typeof r.cameras.update>[1] = { room_id: roomId, name, position: input.position, source_kind: input.sourceKind, main_stream: input.mainStream, sub_stream: input.subStream, updated_at_ms: this.clock.nowMs() };
      const networkTouched = ['host', 'port', 'username', 'password', 'onvifUrl'].some((k) => k in input);
      if (networkTouched) {
        Object.assign(patch, sealNetwork(this.box, { ...openNetwork(this.box, cam.network_enc), ...input }));
      }
      await r.cameras.update(id, patch);
      const { password: _pw, username: _u, host: _h, port: _p, onvifUrl: _o, ...shown } = input;
      await this.audit.append(trx, actor, { action: 'camera.update', objectType: 'camera', objectId: id, scopePath: cam.site_path, detail: { ...shown, networkChanged: networkTouched } });
      return cameraView((await r.cameras.get({ kind: 'all' }, id))!);
    }).then((v) => this.changed({ kind: 'camera', id, change: 'updated' }, v));
  }

  async deleteCamera(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.audit, actor, 'org.write', 'camera.delete', 'camera', id);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const cam = await r.cameras.get(actor.scope, id);
      if (!cam) throw outOfScope('camera.delete', 'camera', id);
      // Recordings are evidence kept for their retention (R-RET-1): a camera that still has files
      // cannot go; once retention has deleted them all, its run history and schedules go with it.
      const rec = await r.recordings.fileSummaryOfCamera(id);
      if (rec.files > 0) {
        const until = rec.lastEndMs === null ? '' : formatBeijing(rec.lastEndMs);
        throw new AppError(
          'conflict',
          `该摄像机仍有 ${rec.files} 个录像文件（最晚至 ${until}），录像按保存期限保留，不能删除。如不再使用，请停用录像（改为计划录像），录像到期删除后再删除摄像机 (camera still has ${rec.files} recording files, the newest ending ${until}; they are kept for their retention period. To retire it, switch it to scheduled recording so it stops recording, and delete it once retention has removed its recordings)`,
        );
      }
      await r.recordings.deleteCameraHistory(id);
      await r.cameras.delete(id);
      await this.audit.append(trx, actor, { action: 'camera.delete', objectType: 'camera', objectId: id, scopePath: cam.site_path, detail: { name: cam.name, gbCode: cam.gb_code } });
    });
    this.changed({ kind: 'camera', id, change: 'deleted' }, undefined);
  }

  /** Shows a camera's network configuration to an administrator of its scope; always audited (R-SEC-6). */
  async revealNetwork(actor: Actor, id: number): Promise<NetworkConfig & { mainStream: string; subStream: string }> {
    await requirePermission(this.audit, actor, 'device.secret.reveal', 'camera.reveal', 'camera', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const cam = await repos(trx).cameras.get(actor.scope, id);
      if (!cam) throw outOfScope('camera.reveal', 'camera', id);
      const net: NetworkConfig = openNetwork(this.box, cam.network_enc) ?? { host: '', port: 0, username: '', password: '' };
      await this.audit.append(trx, actor, { action: 'camera.reveal', objectType: 'camera', objectId: id, scopePath: cam.site_path });
      return { ...net, mainStream: cam.main_stream, subStream: cam.sub_stream };
    });
  }
}
