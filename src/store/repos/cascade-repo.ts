// Cascade tables: lower platforms (scoped through the org node they hang under), their remote
// channels and the alarms they sent. The SIP layer writes with the system's own rights.
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { CascadeAlarmTable, Database, LowerPlatformTable, RemoteChannelTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type LowerRow = Selectable<LowerPlatformTable> & { node_path: string };
export type RemoteChannelRow = Selectable<RemoteChannelTable>;
export type CascadeAlarmRow = Selectable<CascadeAlarmTable>;
export type LowerStatusPatch = Partial<Pick<LowerPlatformTable, 'online' | 'registered_at_ms' | 'expires_at_ms' | 'last_keepalive_ms' | 'contact_host' | 'contact_port' | 'transport' | 'catalog_at_ms' | 'channel_count' | 'gb_version' | 'auth_algorithm'>>;

/** Rows per multi-row INSERT: keeps statements under SQLite's and PostgreSQL's parameter limits. */
const BATCH = 400;

/** Chunk lengths the keepalive UPDATE is written for (see padToShape). */
const KEEPALIVE_SHAPES = [8, 32, 128, BATCH];

/**
 * Repeats the last entry up to the next of a few fixed lengths: the UPDATE's SQL text then takes
 * one of four shapes, so its prepared statement is reused (sqlite-statements.ts) instead of
 * prepared anew for every flush — that prepare was the upper's top cost in `bench:sip`. A repeated
 * id is harmless: the IN list and the CASE give it the same value.
 */
export function padToShape<T>(chunk: T[]): T[] {
  const size = KEEPALIVE_SHAPES.find((n) => n >= chunk.length) ?? chunk.length;
  const out = chunk.slice();
  while (out.length < size) out.push(chunk[chunk.length - 1]);
  return out;
}

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

  /**
   * Many lowers' last keepalive (ms) in one UPDATE per chunk: the upper's keepalive flush (issue 15
   * "a quieter upper"), instead of one statement and commit per keepalive.
   */
  async touchKeepalives(entries: ReadonlyArray<{ id: number; atMs: number }>, nowMs: number): Promise<void> {
    for (let i = 0; i < entries.length; i += BATCH) {
      const chunk = padToShape(entries.slice(i, i + BATCH));
      // cast: PostgreSQL would type bare parameters in CASE as text.
      const atMs = sql<number>`case id ${sql.join(chunk.map((e) => sql`when ${e.id} then cast(${e.atMs} as bigint)`), sql` `)} end`;
      await this.db.updateTable('lower_platform').set({ last_keepalive_ms: atMs, updated_at_ms: nowMs }).where('id', 'in', chunk.map((e) => e.id)).execute();
    }
  }

  async deleteLower(id: number): Promise<void> {
    await this.db.deleteFrom('remote_channel').where('lower_id', '=', id).execute();
    await this.db.deleteFrom('lower_platform').where('id', '=', id).execute();
  }

  /** Lowers marked online: the liveness sweep checks their keepalives and expiry. */
  onlineLowers(): Promise<Array<Pick<LowerRow, 'id' | 'sip_id' | 'last_keepalive_ms' | 'expires_at_ms' | 'registered_at_ms' | 'contact_host' | 'contact_port' | 'transport'>>> {
    return this.db.selectFrom('lower_platform').select(['id', 'sip_id', 'last_keepalive_ms', 'expires_at_ms', 'registered_at_ms', 'contact_host', 'contact_port', 'transport']).where('online', '=', 1).execute();
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

  /** One catalog item added or updated by a catalog notification (ADD/UPDATE events). */
  async upsertChannel(lowerId: number, row: Omit<Insertable<RemoteChannelTable>, 'lower_id'>): Promise<void> {
    const { device_id: _id, ...changes } = row;
    await this.db.insertInto('remote_channel').values({ ...row, lower_id: lowerId }).onConflict((oc) => oc.columns(['lower_id', 'device_id']).doUpdateSet(changes)).execute();
  }

  /** One catalog item removed by a catalog notification (DEL event); true when it existed. */
  async deleteChannel(lowerId: number, deviceId: string): Promise<boolean> {
    const res = await this.db.deleteFrom('remote_channel').where('lower_id', '=', lowerId).where('device_id', '=', deviceId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /** Playable channels (item_kind 'channel') a lower currently has: lower_platform.channel_count. */
  async countChannels(lowerId: number): Promise<number> {
    const row = await this.db.selectFrom('remote_channel').select((eb) => eb.fn.countAll().as('n')).where('lower_id', '=', lowerId).where('item_kind', '=', 'channel').executeTakeFirst();
    return Number(row?.n ?? 0);
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

  /** Closes the open alarms naming these devices of a lower (they are reported ON again); how many. */
  async clearAlarms(lowerId: number, deviceIds: string[], nowMs: number): Promise<number> {
    if (deviceIds.length === 0) return 0;
    let n = 0;
    for (let i = 0; i < deviceIds.length; i += 500) {
      const res = await this.db.updateTable('cascade_alarm').set({ cleared_at_ms: nowMs })
        .where('lower_id', '=', lowerId).where('device_id', 'in', deviceIds.slice(i, i + 500)).where('cleared_at_ms', 'is', null).executeTakeFirst();
      n += Number(res.numUpdatedRows);
    }
    return n;
  }

  /** Alarms of the given lowers, newest first. */
  alarms(lowerIds: number[], limit: number): Promise<CascadeAlarmRow[]> {
    if (lowerIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('cascade_alarm').selectAll().where('lower_id', 'in', lowerIds).orderBy('received_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  // The console's 级联 page (docs/design/cascade.md). Callers pass lower ids taken from
  // listLowers(actor.scope), so these stay inside the actor's scope like alarms() above.

  /** Camera channels per lower and status ('ON' | 'OFF' | other | null) with their count. */
  async channelStatusCounts(lowerIds: number[]): Promise<Array<{ lower_id: number; status: string | null; n: number }>> {
    if (lowerIds.length === 0) return [];
    const rows = await this.db.selectFrom('remote_channel').select(['lower_id', 'status', (eb) => eb.fn.countAll().as('n')])
      .where('lower_id', 'in', lowerIds).where('item_kind', '=', 'channel').groupBy(['lower_id', 'status']).execute();
    return rows.map((r) => ({ lower_id: r.lower_id, status: r.status, n: Number(r.n) }));
  }

  /**
   * Each lower's latest "went offline" record: the alarm the upper writes itself (AlarmMethod 6,
   * DeviceID = the lower's own SIP id) when keepalives stop or the registration expires.
   */
  async lastOfflineAlarms(lowerIds: number[]): Promise<CascadeAlarmRow[]> {
    if (lowerIds.length === 0) return [];
    const latest = await this.db.selectFrom('cascade_alarm').innerJoin('lower_platform', (j) => j.onRef('lower_platform.id', '=', 'cascade_alarm.lower_id').onRef('lower_platform.sip_id', '=', 'cascade_alarm.device_id'))
      .select(['cascade_alarm.lower_id', (eb) => eb.fn.max('cascade_alarm.id').as('id')])
      .where('cascade_alarm.lower_id', 'in', lowerIds).where('cascade_alarm.method', '=', 6).groupBy('cascade_alarm.lower_id').execute();
    const ids = latest.map((r) => Number(r.id));
    if (ids.length === 0) return [];
    return this.db.selectFrom('cascade_alarm').selectAll().where('id', 'in', ids).execute();
  }

  /** Names of the given lowers' remote items, by lower id and device id (for alarm lists). */
  async channelNames(lowerIds: number[], deviceIds: string[]): Promise<Array<{ lower_id: number; device_id: string; name: string }>> {
    if (lowerIds.length === 0 || deviceIds.length === 0) return [];
    return this.db.selectFrom('remote_channel').select(['lower_id', 'device_id', 'name']).where('lower_id', 'in', lowerIds).where('device_id', 'in', [...new Set(deviceIds)]).execute();
  }
}
