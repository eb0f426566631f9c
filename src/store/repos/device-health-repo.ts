// Device health history (issue 19 item 2, migration 0031; R-SEC-2). Minute rows from the sampler,
// folded into hour rows after the raw retention; reads are scoped through the device's org node.
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, DeviceHealthSampleTable, ReadinessResultTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type HealthSampleRow = Selectable<DeviceHealthSampleTable>;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

export class DeviceHealthRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(rows: ReadonlyArray<Omit<Insertable<DeviceHealthSampleTable>, 'id'>>): Promise<void> {
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 500) await this.db.insertInto('device_health_sample').values(rows.slice(i, i + 500)).execute();
  }

  /** A device's rows from `fromMs` on, oldest first, only when the device is in the scope. */
  async list(scope: Scope, deviceId: number, fromMs: number): Promise<HealthSampleRow[]> {
    let q = this.db
      .selectFrom('device_health_sample')
      .innerJoin('ledger_device', 'ledger_device.id', 'device_health_sample.device_id')
      .innerJoin('org_node', 'org_node.id', 'ledger_device.org_node_id')
      .selectAll('device_health_sample')
      .where('device_health_sample.device_id', '=', deviceId)
      .where('device_health_sample.at_ms', '>=', fromMs);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    const rows = await q.orderBy('device_health_sample.at_ms').execute();
    return rows.map(num);
  }

  /**
   * Folds raw (sub-hour) rows older than `beforeMs` (a whole hour) into one hour row per device and hour:
   * averages of what was measured (nulls ignored), the latest clock offset; then deletes them.
   * Returns the minute rows folded.
   */
  async foldMinutes(beforeMs: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const hour = sql<number>`(device_health_sample.at_ms / ${sql.lit(HOUR_MS)}) * ${sql.lit(HOUR_MS)}`; // literals: PostgreSQL matches the GROUP BY expression textually
      const groups = await trx
        .selectFrom('device_health_sample')
        .select([
          'device_id', hour.as('hour_ms'),
          sql<number>`count(*)`.as('n'),
          sql<number>`avg(online_permille)`.as('online'),
          sql<number>`avg(recording_permille)`.as('recording'),
          sql<number | null>`avg(bitrate_kbps)`.as('bitrate'),
          sql<number | null>`avg(fps_x100)`.as('fps'),
          sql<number | null>`sum(lost_packets)`.as('loss'),
          sql<number | null>`max(case when clock_offset_ms is null then null else at_ms end)`.as('clock_at'),
        ])
        .where('span_ms', '<', HOUR_MS)
        .where('at_ms', '<', beforeMs)
        .groupBy(['device_id', hour])
        .execute();
      if (groups.length === 0) return 0;
      const rows = [];
      let folded = 0;
      for (const g of groups) {
        const clockAt = g.clock_at === null ? null : Number(g.clock_at);
        const clock = clockAt === null ? undefined : await trx.selectFrom('device_health_sample').select('clock_offset_ms').where('device_id', '=', g.device_id).where('at_ms', '=', clockAt).where('span_ms', '<', HOUR_MS).executeTakeFirst();
        const round = (v: number | string | null) => (v === null ? null : Math.round(Number(v)));
        folded += Number(g.n);
        rows.push({ device_id: g.device_id, at_ms: Number(g.hour_ms), span_ms: HOUR_MS, samples: Number(g.n), online_permille: round(g.online)!, recording_permille: round(g.recording)!, bitrate_kbps: round(g.bitrate), fps_x100: round(g.fps), lost_packets: round(g.loss), clock_offset_ms: clock?.clock_offset_ms ?? null });
      }
      for (let i = 0; i < rows.length; i += 500) await trx.insertInto('device_health_sample').values(rows.slice(i, i + 500)).execute();
      await trx.deleteFrom('device_health_sample').where('span_ms', '<', HOUR_MS).where('at_ms', '<', beforeMs).execute();
      return folded;
    });
  }

  /**
   * Per org node, over the camera devices placed there: the measured camera-time with rows starting
   * in [fromMs, toMs) and how much of it was online and recording, ms (the period averages of the
   * health reports). Time no row covers (node down) is not measured and not counted either way.
   */
  async sumCamerasByNode(scope: Scope, fromMs: number, toMs: number): Promise<Array<{ orgNodeId: number; cameras: number; measuredMs: number; onlineMs: number; recordingMs: number }>> {
    let q = this.db
      .selectFrom('device_health_sample')
      .innerJoin('ledger_device', 'ledger_device.id', 'device_health_sample.device_id')
      .innerJoin('org_node', 'org_node.id', 'ledger_device.org_node_id')
      .select([
        'ledger_device.org_node_id as node',
        sql<number>`count(distinct device_health_sample.device_id)`.as('cameras'),
        sql<number>`sum(device_health_sample.span_ms)`.as('measured'),
        sql<number>`sum(device_health_sample.online_permille * device_health_sample.span_ms)`.as('online'),
        sql<number>`sum(device_health_sample.recording_permille * device_health_sample.span_ms)`.as('recording'),
      ])
      .where('ledger_device.camera_id', 'is not', null)
      .where('device_health_sample.at_ms', '>=', fromMs)
      .where('device_health_sample.at_ms', '<', toMs);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    const rows = await q.groupBy('ledger_device.org_node_id').execute();
    // permille × ms summed in SQL (bigint on PostgreSQL, hence Number), divided back here.
    return rows.map((r) => ({ orgNodeId: Number(r.node), cameras: Number(r.cameras), measuredMs: Number(r.measured), onlineMs: Math.round(Number(r.online) / 1000), recordingMs: Math.round(Number(r.recording) / 1000) }));
  }

  /** Deletes hour rows older than `beforeMs`. */
  async pruneHours(beforeMs: number): Promise<void> {
    await this.db.deleteFrom('device_health_sample').where('span_ms', '=', HOUR_MS).where('at_ms', '<', beforeMs).execute();
  }

  /** The latest readiness result of each probe of a camera, over every campaign (system read; the caller checked the device's scope). */
  async lastReadiness(cameraId: number): Promise<Array<Selectable<ReadinessResultTable>>> {
    const rows = await this.db.selectFrom('readiness_result').selectAll().where('camera_id', '=', cameraId).orderBy('measured_at_ms', 'desc').limit(200).execute();
    const seen = new Map<string, Selectable<ReadinessResultTable>>();
    for (const r of rows) if (!seen.has(r.probe)) seen.set(r.probe, { ...r, measured_at_ms: Number(r.measured_at_ms) });
    return [...seen.values()];
  }
}

function num(r: HealthSampleRow): HealthSampleRow {
  return { ...r, at_ms: Number(r.at_ms) };
}
