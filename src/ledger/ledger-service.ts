// The equipment ledger (设备台账, R-SEC-1/2) and administrators' training records (R-PRE-1):
// scope-checked, audited, and every ledger change published upward in its transaction
// (topic `ledger.device`, docs/design/ledger.md). Cameras appear in the ledger by themselves.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { actorPath, outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { DeviceRow } from '../store/repos/ledger-repo.ts';
import type { Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { DeviceBody, DeviceView, TrainingView } from './schemas.ts';
import { deviceView, trainingView } from './schemas.ts';

export const DEVICE_TOPIC = 'ledger.device';
export type Publish = (trx: Kysely<Database>, input: { topic: string; key: string; body: unknown; scopePath: string }) => Promise<unknown>;

export interface LedgerServiceDeps {
  store: Store; audit: AuditService; clock: Clock; log: Logger; publish?: Publish;
  /** A camera row's serial changed by hand: the device was replaced (R-CITY-4, FaultService.recordReplaced). */
  onReplaced?: (trx: Kysely<Database>, deviceId: number, note: string) => Promise<unknown>;
}

export class LedgerService {
  constructor(private readonly d: LedgerServiceDeps) {}

  async list(actor: Actor, nodeId?: number): Promise<DeviceView[]> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.read', 'ledger_device', '*');
    return (await repos(this.d.store.db).ledger.listDevices(actor.scope, nodeId)).map(deviceView);
  }

  async get(actor: Actor, id: number): Promise<DeviceView> {
    await requirePermission(this.d.audit, actor, 'org.read', 'ledger.read', 'ledger_device', id);
    return runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const row = await repos(trx).ledger.getDevice(actor.scope, id);
      if (!row) throw outOfScope('ledger.read', 'ledger_device', id);
      return deviceView(row);
    });
  }

  create(actor: Actor, body: DeviceBody): Promise<DeviceView> {
    return this.save(actor, undefined, body);
  }

  update(actor: Actor, id: number, body: DeviceBody): Promise<DeviceView> {
    return this.save(actor, id, body);
  }

  private async save(actor: Actor, id: number | undefined, body: DeviceBody): Promise<DeviceView> {
    const action = id === undefined ? 'ledger.device.create' : 'ledger.device.update';
    await requirePermission(this.d.audit, actor, 'org.write', action, 'ledger_device', id ?? '-');
    const view = await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const node = await r.org.get(actor.scope, body.orgNodeId);
      if (!node) throw outOfScope(action, 'org_node', body.orgNodeId);
      if (body.roomId !== null) {
        const room = await r.rooms.get(actor.scope, body.roomId);
        if (!room || room.site_id !== body.orgNodeId) throw outOfScope(action, 'room', body.roomId);
      }
      const before = id === undefined ? undefined : await r.ledger.getDevice(actor.scope, id);
      if (id !== undefined && !before) throw outOfScope(action, 'ledger_device', id);
      if (before?.camera_id != null && body.deviceClass !== 'camera') throw new AppError('invalid_input', '摄像机台账的类别不能修改 (a camera row stays a camera)');
      if (await r.ledger.codeTaken(body.orgNodeId, body.code, id)) throw new AppError('conflict', `设备编码已存在 (code ${body.code} already in the ledger)`);
      const now = this.d.clock.nowMs();
      const values = { org_node_id: body.orgNodeId, room_id: body.roomId, device_class: body.deviceClass, code: body.code, name: body.name, model: body.model, serial: body.serial, firmware: body.firmware, installed_on_ms: body.installedOnMs, warranty_until_ms: body.warrantyUntilMs, responsible_name: body.responsibleName, responsible_phone: body.responsiblePhone, updated_at_ms: now, ...(body.probeHost !== undefined && { probe_host: body.probeHost }), ...(body.probeTcpPort !== undefined && { probe_tcp_port: body.probeTcpPort }), ...(body.expectedChannels !== undefined && { expected_channels: body.expectedChannels }) };
      const savedId = id ?? (await r.ledger.insertDevice({ ...values, camera_id: null, created_at_ms: now }));
      if (id !== undefined) await r.ledger.updateDevice(id, values);
      const row = (await r.ledger.getDevice(actor.scope, savedId))!;
      await this.d.audit.append(trx, actor, { action, objectType: 'ledger_device', objectId: savedId, scopePath: row.node_path, detail: { code: row.code, name: row.name, deviceClass: row.device_class } });
      await this.publishDevice(trx, row);
      // R-CITY-4 for every class: a camera waits for its readiness probe, other devices for conformance.ts.
      if (before?.serial && row.serial !== before.serial) await this.d.onReplaced?.(trx, row.id, `设备已更换（序列号 ${before.serial} → ${row.serial || '空'}，${actor.username} 登记），须通过${before.camera_id != null ? '考前检测' : ''}符合性检查后才能验证 (replaced: verified only after the conformance check)`);
      if (before && before.code !== row.code) await this.d.publish?.(trx, { topic: DEVICE_TOPIC, key: before.code, body: null, scopePath: before.node_path });
      return deviceView(row);
    });
    this.d.log.info({ deviceId: view.id, code: view.code }, id === undefined ? '设备台账新增' : '设备台账修改');
    return view;
  }

  async remove(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.d.audit, actor, 'org.write', 'ledger.device.delete', 'ledger_device', id);
    await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const row = await r.ledger.getDevice(actor.scope, id);
      if (!row) throw outOfScope('ledger.device.delete', 'ledger_device', id);
      if (row.camera_id !== null && (await r.cameras.get(actor.scope, row.camera_id))) throw new AppError('conflict', '摄像机仍在使用，请先删除摄像机 (delete the camera first)');
      await r.ledger.deleteDevice(id);
      await this.d.audit.append(trx, actor, { action: 'ledger.device.delete', objectType: 'ledger_device', objectId: id, scopePath: row.node_path, detail: { code: row.code, name: row.name } });
      await this.d.publish?.(trx, { topic: DEVICE_TOPIC, key: row.code, body: null, scopePath: row.node_path });
    });
    this.d.log.info({ deviceId: id }, '设备台账删除');
  }

  /** Adds a ledger row for every camera that has none (cameras appear by themselves). Returns how many. */
  async syncCameras(): Promise<number> {
    const n = await this.d.store.db.transaction().execute(async (trx) => {
      const r = repos(trx);
      const missing = await r.ledger.camerasWithoutDevice(SYSTEM_ACTOR.scope);
      const now = this.d.clock.nowMs();
      for (const c of missing) {
        const code = (await r.ledger.codeTaken(c.site_id, c.gb_code)) ? `${c.gb_code}-${c.camera_id}` : c.gb_code;
        const id = await r.ledger.insertDevice({ org_node_id: c.site_id, room_id: c.room_id, device_class: 'camera', code, name: c.name, model: '', serial: '', firmware: '', responsible_name: '', responsible_phone: '', camera_id: c.camera_id, created_at_ms: now, updated_at_ms: now });
        await this.publishDevice(trx, (await r.ledger.getDevice(SYSTEM_ACTOR.scope, id))!);
      }
      return missing.length;
    });
    if (n > 0) this.d.log.info({ cameras: n }, '摄像机已加入设备台账');
    return n;
  }

  private async publishDevice(trx: Kysely<Database>, row: DeviceRow): Promise<void> {
    await this.d.publish?.(trx, { topic: DEVICE_TOPIC, key: row.code, body: deviceView(row), scopePath: row.node_path });
  }

  async training(actor: Actor, userId: number): Promise<TrainingView[]> {
    await requirePermission(this.d.audit, actor, 'user.read', 'training.read', 'app_user', userId);
    return runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      if (!(await r.users.get(actor.scope, userId))) throw outOfScope('training.read', 'app_user', userId);
      return (await r.ledger.listTraining(actor.scope, userId)).map(trainingView);
    });
  }

  async addTraining(actor: Actor, userId: number, body: { course: string; trainedOnMs: number; certificate: string; certifiedUntilMs: number | null }): Promise<TrainingView> {
    await requirePermission(this.d.audit, actor, 'user.write', 'training.create', 'app_user', userId);
    return runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const user = await r.users.get(actor.scope, userId);
      if (!user) throw outOfScope('training.create', 'app_user', userId);
      const id = await r.ledger.insertTraining({ user_id: userId, course: body.course, trained_on_ms: body.trainedOnMs, certificate: body.certificate, certified_until_ms: body.certifiedUntilMs, recorded_by: actor.username, created_at_ms: this.d.clock.nowMs() });
      const row = (await r.ledger.listTraining(actor.scope, userId)).find((t) => t.id === id)!;
      await this.d.audit.append(trx, actor, { action: 'training.create', objectType: 'training_record', objectId: id, scopePath: actorPath(actor), detail: { userId, course: body.course, certificate: body.certificate } });
      this.d.log.info({ userId, course: body.course }, '培训记录新增');
      return trainingView(row);
    });
  }

  async removeTraining(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.d.audit, actor, 'user.write', 'training.delete', 'training_record', id);
    await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      if (!(await repos(trx).ledger.deleteTraining(actor.scope, id))) throw outOfScope('training.delete', 'training_record', id);
      await this.d.audit.append(trx, actor, { action: 'training.delete', objectType: 'training_record', objectId: id, scopePath: actorPath(actor), detail: {} });
    });
  }
}
