// Monitoring-room workstations, the duty roster and check-ins (issue 18, docs/design/duty.md;
// R-DIS-1). Every query that a user's request drives filters by the actor's scope through the
// room's site path; the credential lookup is the one unscoped read (it is how a request proves it
// comes from a workstation — the caller then checks the room against the actor's scope).
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { CheckoutReason, Database, PresenceVia, RoomWindowKind, DutyCheckinTable, DutyRosterTable, DutyWorkstationTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type WorkstationRow = Selectable<DutyWorkstationTable> & { room_name: string; site_id: number; site_path: string };
export type RosterRow = Selectable<DutyRosterTable> & { user_name: string };
export type CheckinRow = Selectable<DutyCheckinTable>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function wsRow(r: WorkstationRow): WorkstationRow {
  return { ...r, enrolled_at_ms: num(r.enrolled_at_ms), last_seen_at_ms: numOrNull(r.last_seen_at_ms), revoked_at_ms: numOrNull(r.revoked_at_ms) };
}
function checkinRow(r: CheckinRow): CheckinRow {
  return { ...r, checked_in_at_ms: num(r.checked_in_at_ms), checked_out_at_ms: numOrNull(r.checked_out_at_ms), last_present_at_ms: numOrNull(r.last_present_at_ms), last_confirmed_at_ms: numOrNull(r.last_confirmed_at_ms) };
}

export class DutyRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private workstations() {
    return this.db
      .selectFrom('duty_workstation')
      .innerJoin('room', 'room.id', 'duty_workstation.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('duty_workstation')
      .select(['room.name as room_name', 'room.site_id as site_id', 'org_node.path as site_path']);
  }

  async listWorkstations(scope: Scope, roomId?: number): Promise<WorkstationRow[]> {
    let q = this.workstations();
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (roomId !== undefined) q = q.where('duty_workstation.room_id', '=', roomId);
    return (await q.orderBy('duty_workstation.id').execute()).map(wsRow);
  }

  /** The enrolled (not revoked) workstation whose credential hashes to `sha256`, unscoped: see the file comment. */
  async workstationByCredential(sha256: string): Promise<WorkstationRow | undefined> {
    const r = await this.workstations().where('duty_workstation.credential_sha256', '=', sha256).where('duty_workstation.revoked_at_ms', 'is', null).executeTakeFirst();
    return r && wsRow(r);
  }

  async insertWorkstation(v: Omit<Insertable<DutyWorkstationTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_workstation').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async revokeWorkstation(id: number, atMs: number): Promise<void> {
    await this.db.updateTable('duty_workstation').set({ revoked_at_ms: atMs }).where('id', '=', id).where('revoked_at_ms', 'is', null).execute();
  }

  /** Replaces the credential of a workstation never seen (enrollment by link); false when it was used or changed meanwhile. */
  async rotateUnusedCredential(id: number, oldSha256: string, newSha256: string, atMs: number): Promise<boolean> {
    const r = await this.db.updateTable('duty_workstation').set({ credential_sha256: newSha256, last_seen_at_ms: atMs })
      .where('id', '=', id).where('credential_sha256', '=', oldSha256).where('last_seen_at_ms', 'is', null).where('revoked_at_ms', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touchWorkstation(id: number, atMs: number): Promise<void> {
    await this.db.updateTable('duty_workstation').set({ last_seen_at_ms: atMs }).where('id', '=', id).execute();
  }

  async insertRoster(v: Omit<Insertable<DutyRosterTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_roster').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async deleteRoster(scope: Scope, id: number): Promise<boolean> {
    const row = (await this.roster(scope, {})).find((r) => r.id === id);
    if (!row) return false;
    await this.db.deleteFrom('duty_roster').where('id', '=', id).execute();
    return true;
  }

  /** Roster entries in scope; `atMs` keeps those whose period holds that instant. */
  async roster(scope: Scope, f: { roomId?: number; atMs?: number; sessionId?: number }): Promise<RosterRow[]> {
    let q = this.db
      .selectFrom('duty_roster')
      .innerJoin('room', 'room.id', 'duty_roster.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .leftJoin('app_user', 'app_user.id', 'duty_roster.user_id')
      .selectAll('duty_roster')
      .select('app_user.display_name as user_name');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (f.roomId !== undefined) q = q.where('duty_roster.room_id', '=', f.roomId);
    if (f.sessionId !== undefined) q = q.where('duty_roster.session_id', '=', f.sessionId);
    if (f.atMs !== undefined) q = q.where('duty_roster.from_ms', '<=', f.atMs).where('duty_roster.to_ms', '>', f.atMs);
    const rows = await q.orderBy('duty_roster.from_ms').orderBy('duty_roster.id').execute();
    return rows.map((r) => ({ ...r, user_name: r.user_name ?? `#${r.user_id}`, from_ms: num(r.from_ms), to_ms: num(r.to_ms), created_at_ms: num(r.created_at_ms) }));
  }

  async insertCheckin(v: Omit<Insertable<DutyCheckinTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('duty_checkin').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Open check-ins (in scope), optionally of one room or one user. */
  async openCheckins(scope: Scope, f: { roomId?: number; userId?: number } = {}): Promise<CheckinRow[]> {
    return this.checkins(scope, { ...f, openOnly: true });
  }

  /** Check-ins in scope overlapping [fromMs, toMs) (open ones count as lasting). */
  async checkins(scope: Scope, f: { roomId?: number; userId?: number; openOnly?: boolean; fromMs?: number; toMs?: number }): Promise<CheckinRow[]> {
    let q = this.db
      .selectFrom('duty_checkin')
      .innerJoin('room', 'room.id', 'duty_checkin.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('duty_checkin');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (f.roomId !== undefined) q = q.where('duty_checkin.room_id', '=', f.roomId);
    if (f.userId !== undefined) q = q.where('duty_checkin.user_id', '=', f.userId);
    if (f.openOnly) q = q.where('duty_checkin.checked_out_at_ms', 'is', null);
    if (f.toMs !== undefined) q = q.where('duty_checkin.checked_in_at_ms', '<', f.toMs);
    const from = f.fromMs;
    if (from !== undefined) q = q.where((eb) => eb.or([eb('duty_checkin.checked_out_at_ms', 'is', null), eb('duty_checkin.checked_out_at_ms', '>', from)]));
    return (await q.orderBy('duty_checkin.checked_in_at_ms').orderBy('duty_checkin.id').execute()).map(checkinRow);
  }

  /** Records that the person of open check-in `id` showed presence at `atMs`; false when it is closed. */
  async notePresence(id: number, atMs: number, via: PresenceVia): Promise<boolean> {
    // Only the person's own 确认在岗 counts for the periodic confirmation (migration 0035); activity does not.
    const r = await this.db.updateTable('duty_checkin').set(via === 'confirm' ? { last_present_at_ms: atMs, last_present_via: via, last_confirmed_at_ms: atMs } : { last_present_at_ms: atMs, last_present_via: via }).where('id', '=', id).where('checked_out_at_ms', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Closes an open check-in; false when it was already closed (a second check-out changes nothing). */
  async checkout(id: number, atMs: number, reason: CheckoutReason): Promise<boolean> {
    const r = await this.db.updateTable('duty_checkin').set({ checked_out_at_ms: atMs, out_reason: reason }).where('id', '=', id).where('checked_out_at_ms', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Exam and custody windows of `roomIds` that hold `atMs` (start ≤ at < end), unscoped: the caller resolved the rooms in scope. */
  async windowsAt(roomIds: readonly number[], atMs: number): Promise<Array<{ room_id: number; kind: RoomWindowKind; session_id: number; start_ms: number; end_ms: number }>> {
    if (roomIds.length === 0) return [];
    const rows = await this.db.selectFrom('room_window').select(['room_id', 'kind', 'session_id', 'start_ms', 'end_ms']).where('room_id', 'in', [...roomIds]).where('start_ms', '<=', atMs).where('end_ms', '>', atMs).execute();
    return rows.map((r) => ({ ...r, start_ms: num(r.start_ms), end_ms: num(r.end_ms) }));
  }

  /** Monitoring rooms that have an open check-in (for the idle/one-person sweep), unscoped. */
  async roomsWithOpenCheckins(): Promise<Array<{ room_id: number; site_id: number; site_path: string; room_name: string }>> {
    return this.db
      .selectFrom('duty_checkin')
      .innerJoin('room', 'room.id', 'duty_checkin.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select(['duty_checkin.room_id as room_id', 'room.site_id as site_id', 'org_node.path as site_path', 'room.name as room_name'])
      .where('duty_checkin.checked_out_at_ms', 'is', null)
      .distinct()
      .execute();
  }

  /** Body of this node's own uplink item (topic, key), unscoped: the duty alarm's previous state. */
  async ownUplinkBody(topic: string, key: string): Promise<string | null> {
    const r = await this.db.selectFrom('uplink_item').select('body').where('via_lower_id', 'is', null).where('topic', '=', topic).where('item_key', '=', key).executeTakeFirst();
    return r?.body ?? null;
  }
}
