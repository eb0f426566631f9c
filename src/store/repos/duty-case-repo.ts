// Remote-view requests (an approved request is the grant), incidents, their handling at the upper,
// patrol notes and approved PTZ presets (issue 18, docs/design/duty.md; R-DIS-2, R-DIS-3, R-FN-2).
// Every read a user drives filters by the actor's scope (org path prefix).
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, DutyIncidentHandlingTable, DutyIncidentTable, DutyPatrolNoteTable, DutyPtzPresetTable, DutyViewRequestTable, ViewRequestState } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type ViewRequestRow = Selectable<DutyViewRequestTable> & { node_path: string };
export type IncidentRow = Selectable<DutyIncidentTable> & { site_path: string; site_name: string };
export type HandlingRow = Selectable<DutyIncidentHandlingTable>;
export type PatrolNoteRow = Selectable<DutyPatrolNoteTable>;
export type PtzPresetRow = Selectable<DutyPtzPresetTable>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class DutyCaseRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insertViewRequest(v: Omit<Insertable<DutyViewRequestTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_view_request').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async viewRequests(scope: Scope, f: { id?: number; requesterId?: number; state?: ViewRequestState; activeAtMs?: number } = {}): Promise<ViewRequestRow[]> {
    let q = this.db.selectFrom('duty_view_request').innerJoin('org_node', 'org_node.id', 'duty_view_request.org_node_id').selectAll('duty_view_request').select('org_node.path as node_path');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (f.id !== undefined) q = q.where('duty_view_request.id', '=', f.id);
    if (f.requesterId !== undefined) q = q.where('duty_view_request.requester_id', '=', f.requesterId);
    if (f.state) q = q.where('duty_view_request.state', '=', f.state);
    if (f.activeAtMs !== undefined) q = q.where('duty_view_request.from_ms', '<=', f.activeAtMs).where('duty_view_request.to_ms', '>', f.activeAtMs);
    const rows = await q.orderBy('duty_view_request.created_at_ms', 'desc').orderBy('duty_view_request.id', 'desc').execute();
    return rows.map((r) => ({ ...r, from_ms: num(r.from_ms), to_ms: num(r.to_ms), created_at_ms: num(r.created_at_ms), decided_at_ms: numOrNull(r.decided_at_ms), cancelled_at_ms: numOrNull(r.cancelled_at_ms) }));
  }

  /**
   * The requester withdraws a request that was `from` (pending, or approved and not yet over at
   * `atMs`); false when it changed meanwhile (decided, cancelled, or ended). The decided_* columns stay.
   */
  async cancelViewRequest(id: number, requesterId: number, from: 'pending' | 'approved', atMs: number): Promise<boolean> {
    const r = await this.db
      .updateTable('duty_view_request')
      .set({ state: 'cancelled', cancelled_at_ms: atMs })
      .where('id', '=', id)
      .where('requester_id', '=', requesterId)
      .where('state', '=', from)
      .where('to_ms', '>', atMs)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Decides a pending request; false when it was no longer pending (decided twice, or cancelled). */
  async decideViewRequest(id: number, v: { state: Exclude<ViewRequestState, 'pending'>; decidedBy: string; decidedByUserId: number | null; atMs: number; note: string | null }): Promise<boolean> {
    const r = await this.db
      .updateTable('duty_view_request')
      .set({ state: v.state, decided_by: v.decidedBy, decided_by_user_id: v.decidedByUserId, decided_at_ms: v.atMs, decision_note: v.note })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertIncident(v: Omit<Insertable<DutyIncidentTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_incident').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async incidents(scope: Scope, f: { id?: number } = {}): Promise<IncidentRow[]> {
    let q = this.db.selectFrom('duty_incident').innerJoin('org_node', 'org_node.id', 'duty_incident.site_id').selectAll('duty_incident').select(['org_node.path as site_path', 'org_node.name as site_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (f.id !== undefined) q = q.where('duty_incident.id', '=', f.id);
    const rows = await q.orderBy('duty_incident.created_at_ms', 'desc').orderBy('duty_incident.id', 'desc').execute();
    return rows.map((r) => ({ ...r, from_ms: num(r.from_ms), to_ms: num(r.to_ms), created_at_ms: num(r.created_at_ms) }));
  }

  async setIncidentHolds(id: number, holdIds: readonly number[]): Promise<void> {
    await this.db.updateTable('duty_incident').set({ hold_ids_json: JSON.stringify(holdIds) }).where('id', '=', id).execute();
  }

  async insertHandling(v: Omit<Insertable<DutyIncidentHandlingTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_incident_handling').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Handling steps in scope, oldest first; optionally of one received incident. */
  async handling(scope: Scope, f: { originCode?: string; itemKey?: string } = {}): Promise<HandlingRow[]> {
    let q = this.db.selectFrom('duty_incident_handling').selectAll();
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    if (f.originCode !== undefined) q = q.where('origin_code', '=', f.originCode);
    if (f.itemKey !== undefined) q = q.where('item_key', '=', f.itemKey);
    const rows = await q.orderBy('handled_at_ms').orderBy('id').execute();
    return rows.map((r) => ({ ...r, handled_at_ms: num(r.handled_at_ms) }));
  }

  async insertNote(v: Omit<Insertable<DutyPatrolNoteTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_patrol_note').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async notes(scope: Scope, f: { userId?: number; fromMs?: number; toMs?: number } = {}): Promise<PatrolNoteRow[]> {
    let q = this.db.selectFrom('duty_patrol_note').innerJoin('org_node', 'org_node.id', 'duty_patrol_note.site_id').selectAll('duty_patrol_note');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (f.userId !== undefined) q = q.where('duty_patrol_note.user_id', '=', f.userId);
    if (f.fromMs !== undefined) q = q.where('duty_patrol_note.at_ms', '>=', f.fromMs);
    if (f.toMs !== undefined) q = q.where('duty_patrol_note.at_ms', '<', f.toMs);
    const rows = await q.orderBy('duty_patrol_note.at_ms').orderBy('duty_patrol_note.id').execute();
    return rows.map((r) => ({ ...r, at_ms: num(r.at_ms) }));
  }

  async approvedPresets(cameraId: number): Promise<PtzPresetRow[]> {
    const rows = await this.db.selectFrom('duty_ptz_preset').selectAll().where('camera_id', '=', cameraId).orderBy('preset_no').execute();
    return rows.map((r) => ({ ...r, approved_at_ms: num(r.approved_at_ms) }));
  }

  async approvePreset(v: Omit<Insertable<DutyPtzPresetTable>, 'id'>): Promise<void> {
    await this.db.deleteFrom('duty_ptz_preset').where('camera_id', '=', v.camera_id).where('preset_no', '=', v.preset_no).execute();
    await this.db.insertInto('duty_ptz_preset').values(v).execute();
  }
}
