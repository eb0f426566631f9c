// Readiness campaigns, their contacts, per-camera probe results and signed reference snapshots
// (issue 17, docs/design/readiness.md). A campaign covers the subtree of its org node; a user sees
// a campaign when that subtree and their scope meet (a site user sees the province's campaign, for
// their site only), and every camera, result and contact is filtered by the user's scope here.
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, ReadinessCampaignTable, ReadinessChecks, ReadinessReferenceTable, ReadinessResultTable, RoomKind } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type CampaignRow = Selectable<ReadinessCampaignTable> & { node_path: string; node_name: string; node_kind: string };
export type ResultRow = Selectable<ReadinessResultTable>;
export type ReferenceRow = Selectable<ReadinessReferenceTable>;
export interface ContactRow { org_node_id: number; node_name: string; node_path: string; name: string; phone: string }

/** A camera a campaign checks, with where it is. */
export interface ProbeCameraRow {
  id: number;
  name: string;
  gb_code: string;
  updated_at_ms: number;
  room_id: number;
  room_name: string;
  room_kind: RoomKind;
  site_id: number;
  site_name: string;
  site_path: string;
  /** rtsp, gb28181 (a channel of a lower platform, probed through the cascade), … */
  source_kind: string;
}

export class ReadinessRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private campaigns(scope: Scope) {
    let q = this.db
      .selectFrom('readiness_campaign')
      .innerJoin('org_node', 'org_node.id', 'readiness_campaign.org_node_id')
      .selectAll('readiness_campaign')
      .select(['org_node.path as node_path', 'org_node.name as node_name', 'org_node.kind as node_kind']);
    const prefix = scopePrefix(scope);
    // Below the scope, or above it (the campaign's subtree holds the scope's root).
    if (prefix && scope.kind === 'subtree') q = q.where((eb) => eb.or([eb('org_node.path', 'like', prefix), eb(sql<string>`${scope.path}`, 'like', sql<string>`org_node.path || '%'`)]));
    return q;
  }

  listCampaigns(scope: Scope): Promise<CampaignRow[]> {
    return this.campaigns(scope).orderBy('readiness_campaign.deadline_ms', 'desc').orderBy('readiness_campaign.id', 'desc').execute();
  }

  getCampaign(scope: Scope, id: number): Promise<CampaignRow | undefined> {
    return this.campaigns(scope).where('readiness_campaign.id', '=', id).executeTakeFirst();
  }

  async insertCampaign(v: Omit<Insertable<ReadinessCampaignTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('readiness_campaign').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async timetableCampaignExists(examId: number, checks: ReadinessChecks): Promise<boolean> {
    const row = await this.db.selectFrom('readiness_campaign').select('id').where('exam_id', '=', examId).where('checks', '=', checks).where('origin', '=', 'timetable').executeTakeFirst();
    return Boolean(row);
  }

  async setState(id: number, state: 'open' | 'closed', nowMs: number): Promise<void> {
    await this.db.updateTable('readiness_campaign').set({ state, updated_at_ms: nowMs }).where('id', '=', id).execute();
  }

  /** Exams whose first session starts in [fromMs, toMs), with their owner node. */
  async examsStartingBetween(fromMs: number, toMs: number): Promise<Array<{ exam_id: number; name: string; owner_node_id: number; first_start_ms: number }>> {
    const rows = await this.db
      .selectFrom('exam_session')
      .innerJoin('exam', 'exam.id', 'exam_session.exam_id')
      .select(['exam.id as exam_id', 'exam.name as name', 'exam.owner_node_id as owner_node_id'])
      .select((eb) => eb.fn.min<number>('exam_session.start_ms').as('first_start_ms'))
      .groupBy(['exam.id', 'exam.name', 'exam.owner_node_id'])
      .execute();
    return rows.map((r) => ({ ...r, first_start_ms: Number(r.first_start_ms) })).filter((r) => r.first_start_ms >= fromMs && r.first_start_ms < toMs);
  }

  async contacts(scope: Scope, campaignId: number): Promise<ContactRow[]> {
    let q = this.db
      .selectFrom('readiness_contact')
      .innerJoin('org_node', 'org_node.id', 'readiness_contact.org_node_id')
      .select(['readiness_contact.org_node_id as org_node_id', 'org_node.name as node_name', 'org_node.path as node_path', 'readiness_contact.name as name', 'readiness_contact.phone as phone'])
      .where('readiness_contact.campaign_id', '=', campaignId);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.orderBy('org_node.path').execute();
  }

  async setContact(campaignId: number, orgNodeId: number, name: string, phone: string): Promise<void> {
    await this.db.deleteFrom('readiness_contact').where('campaign_id', '=', campaignId).where('org_node_id', '=', orgNodeId).execute();
    await this.db.insertInto('readiness_contact').values({ campaign_id: campaignId, org_node_id: orgNodeId, name, phone }).execute();
  }

  /** Cameras below `withinPath` (the campaign's node) and inside `scope`, optionally some rooms or cameras only. */
  async cameras(scope: Scope, withinPath: string, only?: { cameraIds?: readonly number[]; roomIds?: readonly number[] }): Promise<ProbeCameraRow[]> {
    let q = this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select(['camera.id as id', 'camera.name as name', 'camera.gb_code as gb_code', 'camera.updated_at_ms as updated_at_ms', 'room.id as room_id', 'room.name as room_name', 'room.kind as room_kind', 'org_node.id as site_id', 'org_node.name as site_name', 'org_node.path as site_path', 'camera.source_kind as source_kind'])
      .where('org_node.path', 'like', `${withinPath}%`);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (only?.cameraIds) q = only.cameraIds.length ? q.where('camera.id', 'in', [...only.cameraIds]) : q.where(sql<boolean>`1 = 0`);
    if (only?.roomIds) q = only.roomIds.length ? q.where('room.id', 'in', [...only.roomIds]) : q.where(sql<boolean>`1 = 0`);
    const rows = await q.orderBy('camera.id').execute();
    return rows.map((r) => ({ ...r, updated_at_ms: Number(r.updated_at_ms) }));
  }

  /** The latest result per probe replaces the previous one. */
  async upsertResult(v: Omit<Insertable<ReadinessResultTable>, 'id'>): Promise<void> {
    await this.db.deleteFrom('readiness_result').where('campaign_id', '=', v.campaign_id).where('camera_id', '=', v.camera_id).where('probe', '=', v.probe).execute();
    await this.db.insertInto('readiness_result').values(v).execute();
  }

  /** Results of a campaign for cameras in `scope` (cameras that still exist). */
  async results(scope: Scope, campaignId: number): Promise<ResultRow[]> {
    let q = this.db
      .selectFrom('readiness_result')
      .innerJoin('camera', 'camera.id', 'readiness_result.camera_id')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('readiness_result')
      .where('readiness_result.campaign_id', '=', campaignId);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    const rows = await q.orderBy('readiness_result.camera_id').orderBy('readiness_result.probe').execute();
    return rows.map((r) => ({ ...r, measured_at_ms: Number(r.measured_at_ms) }));
  }

  /** Uplink capacity (kbit/s) of sites in `scope` (R-PRE-4), by site id. */
  async siteUplinks(scope: Scope, siteIds: readonly number[]): Promise<Map<number, number>> {
    if (siteIds.length === 0) return new Map();
    let q = this.db.selectFrom('readiness_site_uplink').innerJoin('org_node', 'org_node.id', 'readiness_site_uplink.site_id').select(['readiness_site_uplink.site_id as site_id', 'readiness_site_uplink.capacity_kbps as capacity_kbps']).where('readiness_site_uplink.site_id', 'in', [...siteIds]);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return new Map((await q.execute()).map((r) => [r.site_id, Number(r.capacity_kbps)]));
  }

  /** Sets a site's uplink capacity (the caller checked the site is in scope). */
  async setSiteUplink(siteId: number, capacityKbps: number, by: string, nowMs: number): Promise<void> {
    await this.db.deleteFrom('readiness_site_uplink').where('site_id', '=', siteId).execute();
    await this.db.insertInto('readiness_site_uplink').values({ site_id: siteId, capacity_kbps: capacityKbps, updated_by: by, updated_at_ms: nowMs }).execute();
  }

  async references(cameraIds: readonly number[]): Promise<ReferenceRow[]> {
    if (cameraIds.length === 0) return [];
    const rows = await this.db.selectFrom('readiness_reference').selectAll().where('camera_id', 'in', [...cameraIds]).execute();
    return rows.map((r) => ({ ...r, signed_at_ms: Number(r.signed_at_ms), camera_updated_at_ms: Number(r.camera_updated_at_ms) }));
  }

  async setReference(v: Omit<Insertable<ReadinessReferenceTable>, 'id'>): Promise<void> {
    await this.db.deleteFrom('readiness_reference').where('camera_id', '=', v.camera_id).execute();
    await this.db.insertInto('readiness_reference').values(v).execute();
  }
}

/** The clock offset the recorder last measured for a camera (open run first, else the latest). */
export async function lastRunClockOffset(db: Kysely<Database>, cameraId: number): Promise<{ offsetMs: number; atMs: number } | undefined> {
  const row = await db
    .selectFrom('recording_run')
    .select(['clock_offset_ms', 'started_at_ms', 'ended_at_ms'])
    .where('camera_id', '=', cameraId)
    .where('clock_offset_ms', 'is not', null)
    .orderBy('started_at_ms', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row || row.clock_offset_ms === null) return undefined;
  return { offsetMs: Number(row.clock_offset_ms), atMs: Number(row.ended_at_ms ?? row.started_at_ms) };
}
