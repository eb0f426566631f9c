// Cascade tables: lower platforms (scoped through the org node they hang under), their remote
// channels and the alarms they sent. The SIP layer writes with the system's own rights.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { CascadeAlarmTable, Database, LowerPlatformTable, RemoteChannelTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type LowerRow = Selectable<LowerPlatformTable> & { node_path: string };
export type RemoteChannelRow = Selectable<RemoteChannelTable>;
export type CascadeAlarmRow = Selectable<CascadeAlarmTable>;
export type LowerStatusPatch = Partial<Pick<LowerPlatformTable, 'online' | 'registered_at_ms' | 'expires_at_ms' | 'last_keepalive_ms' | 'contact_host' | 'contact_port' | 'transport' | 'catalog_at_ms' | 'channel_count'>>;

/** Rows per multi-row INSERT: keeps statements under SQLite's and PostgreSQL's parameter limits. */
const BATCH = 400;

export class CascadeRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private lowers(scope: Scope) {
    let q = this.db.selectFrom('lower_platform').innerJoin('org_node', 'org_node.id', 'lower_platform.org_node_id').selectAll('lower_platform').select('org_node.path as node_path');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  listLowers(scope: Scope): Promise<LowerRow[]> {
    return this.lowers(scope).orderBy('lower_platform.sip_id').execute();
  }

  getLower(scope: Scope, id: number): Promise<LowerRow | undefined> {
    return this.lowers(scope).where('lower_platform.id', '=', id).executeTakeFirst();
  }

  lowerBySipId(sipId: string): Promise<LowerRow | undefined> {
    return this.lowers({ kind: 'all' }).where('lower_platform.sip_id', '=', sipId).executeTakeFirst();
  }

  async insertLower(v: Insertable<LowerPlatformTable>): Promise<number> {
    return (await this.db.insertInto('lower_platform').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateLower(id: number, v: Updateable<LowerPlatformTable>): Promise<void> {
    await this.db.updateTable('lower_platform').set(v).where('id', '=', id).execute();
  }

  async setStatus(id: number, v: LowerStatusPatch, nowMs: number): Promise<void> {
    await this.db.updateTable('lower_platform').set({ ...v, updated_at_ms: nowMs }).where('id', '=', id).execute();
  }

  async deleteLower(id: number): Promise<void> {
    await this.db.deleteFrom('remote_channel').where('lower_id', '=', id).execute();
    await this.db.deleteFrom('lower_platform').where('id', '=', id).execute();
  }

  /** Lowers marked online: the liveness sweep checks their keepalives and expiry. */
  onlineLowers(): Promise<Array<Pick<LowerRow, 'id' | 'sip_id' | 'last_keepalive_ms' | 'expires_at_ms' | 'registered_at_ms'>>> {
    return this.db.selectFrom('lower_platform').select(['id', 'sip_id', 'last_keepalive_ms', 'expires_at_ms', 'registered_at_ms']).where('online', '=', 1).execute();
  }

  /** Replaces a lower's catalog (call inside a transaction). */
  async replaceChannels(lowerId: number, rows: Array<Omit<Insertable<RemoteChannelTable>, 'lower_id'>>): Promise<void> {
    await this.db.deleteFrom('remote_channel').where('lower_id', '=', lowerId).execute();
    for (let i = 0; i < rows.length; i += BATCH) {
      await this.db.insertInto('remote_channel').values(rows.slice(i, i + BATCH).map((r) => ({ ...r, lower_id: lowerId }))).execute();
    }
  }

  channels(lowerId: number): Promise<RemoteChannelRow[]> {
    return this.db.selectFrom('remote_channel').selectAll().where('lower_id', '=', lowerId).orderBy('id').execute();
  }

  allChannels(): Promise<RemoteChannelRow[]> {
    return this.db.selectFrom('remote_channel').selectAll().orderBy('lower_id').orderBy('id').execute();
  }

  /** The lower owning a channel id (first match when two lowers report the same id). */
  channelByDeviceId(deviceId: string): Promise<RemoteChannelRow | undefined> {
    return this.db.selectFrom('remote_channel').selectAll().where('device_id', '=', deviceId).orderBy('lower_id').executeTakeFirst();
  }

  async setChannelStatus(lowerId: number, deviceId: string, status: string, nowMs: number): Promise<void> {
    await this.db.updateTable('remote_channel').set({ status, updated_at_ms: nowMs }).where('lower_id', '=', lowerId).where('device_id', '=', deviceId).execute();
  }

  /**
   * A recording window with reason `exam:*` covering `nowMs` on any camera of the camera's room
   * (R-DIS-2: PTZ is locked for the whole room while it is inside a required window).
   */
  examWindowCovering(cameraId: number, nowMs: number): Promise<{ id: number; reason: string; end_ms: number } | undefined> {
    return this.db
      .selectFrom('recording_schedule')
      .innerJoin('camera as c', 'c.id', 'recording_schedule.camera_id')
      .innerJoin('camera as target', 'target.room_id', 'c.room_id')
      .select(['recording_schedule.id', 'recording_schedule.reason', 'recording_schedule.end_ms'])
      .where('target.id', '=', cameraId)
      .where('recording_schedule.reason', 'like', 'exam:%')
      .where('recording_schedule.start_ms', '<=', nowMs)
      .where('recording_schedule.end_ms', '>', nowMs)
      .orderBy('recording_schedule.end_ms', 'desc')
      .executeTakeFirst();
  }

  async insertAlarm(v: Insertable<CascadeAlarmTable>): Promise<number> {
    return (await this.db.insertInto('cascade_alarm').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Alarms of the given lowers, newest first. */
  alarms(lowerIds: number[], limit: number): Promise<CascadeAlarmRow[]> {
    if (lowerIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('cascade_alarm').selectAll().where('lower_id', 'in', lowerIds).orderBy('received_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }
}
