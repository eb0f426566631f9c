// Exams, sessions, participation, required room windows, per-site defaults and alarms (issue 5).
// An exam is visible in a scope holding its owner node or one of its participating sites; windows
// and alarms are scoped by their room's site path. See docs/design/exams.md.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { AlarmKind, AlarmTable, Database, ExamSessionTable, ExamSiteSettingTable, ExamTable, RoomKind, RoomWindowTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type ExamRow = Selectable<ExamTable> & { owner_path: string; owner_name: string };
export type ExamSessionRow = Selectable<ExamSessionTable>;
export type RoomWindowRow = Selectable<RoomWindowTable>;
export type WindowDetailRow = RoomWindowRow & { room_name: string; room_kind: RoomKind; site_id: number; site_path: string; site_name: string; subject: string; exam_id: number };
export type AlarmRow = Selectable<AlarmTable>;
export type SiteSettingRow = Selectable<ExamSiteSettingTable>;
export interface ActiveWindowRow { window_id: number; session_id: number; room_id: number; site_id: number; start_ms: number; end_ms: number; exam_kind: ExamTable['kind'] }
/** Names of the alarm's site, room and camera (null when deleted since). */
/** Names joined to an alarm; `acknowledged_by_name` is the acknowledging user's display name (null: no such user any more). */
export interface AlarmNames { site_path: string; site_name: string; room_name: string | null; camera_name: string | null; acknowledged_by_name: string | null }

export interface AlarmFilter {
  open?: boolean;
  sessionId?: number;
  kind?: AlarmKind;
  /** raised_at_ms within [fromMs, toMs) (epoch ms). */
  fromMs?: number;
  toMs?: number;
  siteId?: number;
  /** acknowledged (true) or not yet (false). */
  acked?: boolean;
  limit?: number;
  offset?: number;
}

export class ExamRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private exams(scope: Scope) {
    let q = this.db
      .selectFrom('exam')
      .innerJoin('org_node as owner', 'owner.id', 'exam.owner_node_id')
      .selectAll('exam')
      .select(['owner.path as owner_path', 'owner.name as owner_name']);
    const prefix = scopePrefix(scope);
    if (prefix) {
      q = q.where((eb) =>
        eb.or([
          eb('owner.path', 'like', prefix),
          eb.exists(eb.selectFrom('exam_site').innerJoin('org_node as s', 's.id', 'exam_site.site_id').select('exam_site.site_id').whereRef('exam_site.exam_id', '=', 'exam.id').where('s.path', 'like', prefix)),
        ]),
      );
    }
    return q;
  }

  listExams(scope: Scope): Promise<ExamRow[]> {
    return this.exams(scope).orderBy('exam.created_at_ms', 'desc').orderBy('exam.id', 'desc').execute();
  }

  getExam(scope: Scope, id: number): Promise<ExamRow | undefined> {
    return this.exams(scope).where('exam.id', '=', id).executeTakeFirst();
  }

  async insertExam(v: Insertable<ExamTable>): Promise<number> {
    return (await this.db.insertInto('exam').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateExam(id: number, v: Updateable<ExamTable>): Promise<void> {
    await this.db.updateTable('exam').set(v).where('id', '=', id).execute();
  }

  async deleteExam(id: number): Promise<void> {
    for (const s of await this.sessionsOf(id)) await this.deleteSession(s.id);
    await this.db.deleteFrom('exam_site').where('exam_id', '=', id).execute();
    await this.db.deleteFrom('exam_room').where('exam_id', '=', id).execute();
    await this.db.deleteFrom('exam').where('id', '=', id).execute();
  }

  sitesOf(examId: number): Promise<Array<{ site_id: number; path: string; name: string }>> {
    return this.db
      .selectFrom('exam_site')
      .innerJoin('org_node', 'org_node.id', 'exam_site.site_id')
      .select(['exam_site.site_id', 'org_node.path', 'org_node.name'])
      .where('exam_site.exam_id', '=', examId)
      .orderBy('org_node.path')
      .execute();
  }

  async setSites(examId: number, siteIds: readonly number[], roomIds: readonly number[]): Promise<void> {
    await this.db.deleteFrom('exam_site').where('exam_id', '=', examId).execute();
    await this.db.deleteFrom('exam_room').where('exam_id', '=', examId).execute();
    if (siteIds.length) await this.db.insertInto('exam_site').values(siteIds.map((site_id) => ({ exam_id: examId, site_id }))).execute();
    if (roomIds.length) await this.db.insertInto('exam_room').values(roomIds.map((room_id) => ({ exam_id: examId, room_id }))).execute();
  }

  async selectedRoomsOf(examId: number): Promise<number[]> {
    return (await this.db.selectFrom('exam_room').select('room_id').where('exam_id', '=', examId).execute()).map((r) => r.room_id);
  }

  /** Rooms of these sites that can take part in an exam (exam, lab, affairs, secrecy). */
  roomsOfSites(siteIds: readonly number[]): Promise<Array<{ id: number; site_id: number; kind: RoomKind }>> {
    if (siteIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('room').select(['id', 'site_id', 'kind']).where('site_id', 'in', [...siteIds]).where('kind', 'in', ['exam', 'lab', 'affairs', 'secrecy']).orderBy('id').execute();
  }

  camerasOfRooms(roomIds: readonly number[]): Promise<Array<{ id: number; room_id: number; name: string }>> {
    if (roomIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('camera').select(['id', 'room_id', 'name']).where('room_id', 'in', [...roomIds]).orderBy('room_id').orderBy('name').execute();
  }

  sessionsOf(examId: number): Promise<ExamSessionRow[]> {
    return this.db.selectFrom('exam_session').selectAll().where('exam_id', '=', examId).orderBy('start_ms').orderBy('id').execute();
  }

  getSession(id: number): Promise<ExamSessionRow | undefined> {
    return this.db.selectFrom('exam_session').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertSession(v: Insertable<ExamSessionTable>): Promise<number> {
    return (await this.db.insertInto('exam_session').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateSession(id: number, v: Updateable<ExamSessionTable>): Promise<void> {
    await this.db.updateTable('exam_session').set(v).where('id', '=', id).execute();
  }

  async deleteSession(id: number): Promise<void> {
    await this.deleteSchedulesByReason(`exam:${id}`);
    await this.db.deleteFrom('room_window').where('session_id', '=', id).execute();
    await this.db.deleteFrom('exam_session').where('id', '=', id).execute();
  }

  private windows(scope: Scope) {
    let q = this.db
      .selectFrom('room_window')
      .innerJoin('room', 'room.id', 'room_window.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .innerJoin('exam_session', 'exam_session.id', 'room_window.session_id')
      .selectAll('room_window')
      .select(['room.name as room_name', 'room.kind as room_kind', 'room.site_id as site_id', 'org_node.path as site_path', 'org_node.name as site_name', 'exam_session.subject as subject', 'exam_session.exam_id as exam_id']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  /** Windows of an exam (optionally one session or site) whose room is in scope. */
  windowsOf(scope: Scope, f: { examId?: number; sessionId?: number; siteId?: number }): Promise<WindowDetailRow[]> {
    let q = this.windows(scope);
    if (f.examId !== undefined) q = q.where('exam_session.exam_id', '=', f.examId);
    if (f.sessionId !== undefined) q = q.where('room_window.session_id', '=', f.sessionId);
    if (f.siteId !== undefined) q = q.where('room.site_id', '=', f.siteId);
    return q.orderBy('exam_session.start_ms').orderBy('org_node.path').orderBy('room.name').execute();
  }

  /** Windows (any exam) whose room is in scope and that overlap [fromMs, toMs), in start order. */
  windowsOverlapping(scope: Scope, fromMs: number, toMs: number): Promise<WindowDetailRow[]> {
    return this.windows(scope).where('room_window.start_ms', '<', toMs).where('room_window.end_ms', '>', fromMs).orderBy('room_window.start_ms').orderBy('room_window.id').execute();
  }

  getWindow(scope: Scope, id: number): Promise<WindowDetailRow | undefined> {
    return this.windows(scope).where('room_window.id', '=', id).executeTakeFirst();
  }

  windowOf(scope: Scope, sessionId: number, roomId: number): Promise<WindowDetailRow | undefined> {
    return this.windows(scope).where('room_window.session_id', '=', sessionId).where('room_window.room_id', '=', roomId).executeTakeFirst();
  }

  rawWindowsOfSession(sessionId: number): Promise<RoomWindowRow[]> {
    return this.db.selectFrom('room_window').selectAll().where('session_id', '=', sessionId).execute();
  }

  async insertWindow(v: Insertable<RoomWindowTable>): Promise<void> {
    await this.db.insertInto('room_window').values(v).execute();
  }

  async updateWindow(id: number, v: Updateable<RoomWindowTable>): Promise<void> {
    await this.db.updateTable('room_window').set(v).where('id', '=', id).execute();
  }

  async deleteWindows(ids: readonly number[]): Promise<void> {
    if (ids.length) await this.db.deleteFrom('room_window').where('id', 'in', [...ids]).execute();
  }

  /** Windows of the camera's room holding `atMs`, with the exam's kind (R-FN-4, alarms). */
  activeWindowsForCamera(cameraId: number, atMs: number): Promise<ActiveWindowRow[]> {
    return this.db
      .selectFrom('camera')
      .innerJoin('room_window', 'room_window.room_id', 'camera.room_id')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('exam_session', 'exam_session.id', 'room_window.session_id')
      .innerJoin('exam', 'exam.id', 'exam_session.exam_id')
      .select(['room_window.id as window_id', 'room_window.session_id', 'room_window.room_id', 'room.site_id', 'room_window.start_ms', 'room_window.end_ms', 'exam.kind as exam_kind'])
      .where('camera.id', '=', cameraId)
      .where('room_window.start_ms', '<=', atMs)
      .where('room_window.end_ms', '>', atMs)
      .orderBy('room_window.start_ms')
      .execute();
  }

  /** Cameras whose room has a window overlapping [fromMs, toMs). */
  camerasWithWindows(fromMs: number, toMs: number): Promise<Array<{ camera_id: number; room_id: number; site_id: number; session_id: number; start_ms: number }>> {
    return this.db
      .selectFrom('room_window')
      .innerJoin('camera', 'camera.room_id', 'room_window.room_id')
      .innerJoin('room', 'room.id', 'room_window.room_id')
      .select(['camera.id as camera_id', 'room_window.room_id', 'room.site_id', 'room_window.session_id', 'room_window.start_ms'])
      .where('room_window.start_ms', '<', toMs)
      .where('room_window.end_ms', '>', fromMs)
      .orderBy('room_window.start_ms')
      .execute();
  }

  /** Windows of these cameras' rooms overlapping [fromMs, toMs), in scope, for timelines. */
  windowBandsOf(scope: Scope, cameraIds: readonly number[], fromMs: number, toMs: number) {
    if (cameraIds.length === 0) return Promise.resolve([]);
    return this.windows(scope)
      .innerJoin('camera', 'camera.room_id', 'room_window.room_id')
      .innerJoin('exam', 'exam.id', 'exam_session.exam_id')
      .select(['camera.id as camera_id', 'exam.name as exam_name'])
      .where('camera.id', 'in', [...cameraIds])
      .where('room_window.start_ms', '<', toMs)
      .where('room_window.end_ms', '>', fromMs)
      .orderBy('room_window.start_ms')
      .execute();
  }

  /** Alarms of these cameras overlapping [fromMs, toMs), in scope: events on the playback timeline. */
  alarmEventsOf(scope: Scope, cameraIds: readonly number[], fromMs: number, toMs: number) {
    if (cameraIds.length === 0) return Promise.resolve([]);
    let q = this.db
      .selectFrom('alarm')
      .innerJoin('org_node', 'org_node.id', 'alarm.site_id')
      .select(['alarm.camera_id', 'alarm.kind', 'alarm.reason', 'alarm.raised_at_ms', 'alarm.gap_start_ms', 'alarm.gap_end_ms', 'alarm.cleared_at_ms'])
      .where('alarm.camera_id', 'in', [...cameraIds])
      .where('alarm.raised_at_ms', '<', toMs)
      .where((eb) => eb.or([eb('alarm.cleared_at_ms', 'is', null), eb('alarm.cleared_at_ms', '>', fromMs)]));
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.orderBy('alarm.raised_at_ms').execute();
  }

  /** Every camera × window with its exam's retention (R-RET-1 holds). */
  retentionRows(): Promise<Array<{ camera_id: number; exam_id: number; exam_kind: ExamTable['kind']; retention_days: number; start_ms: number; end_ms: number }>> {
    return this.db
      .selectFrom('room_window')
      .innerJoin('camera', 'camera.room_id', 'room_window.room_id')
      .innerJoin('exam_session', 'exam_session.id', 'room_window.session_id')
      .innerJoin('exam', 'exam.id', 'exam_session.exam_id')
      .select(['camera.id as camera_id', 'exam.id as exam_id', 'exam.kind as exam_kind', 'exam.retention_days', 'room_window.start_ms', 'room_window.end_ms'])
      .execute();
  }

  getSetting(siteId: number): Promise<SiteSettingRow | undefined> {
    return this.db.selectFrom('exam_site_setting').selectAll().where('site_id', '=', siteId).executeTakeFirst();
  }

  async putSetting(v: SiteSettingRow): Promise<void> {
    await this.db.deleteFrom('exam_site_setting').where('site_id', '=', v.site_id).execute();
    await this.db.insertInto('exam_site_setting').values(v).execute();
  }

  /** Ids of the sessions of every exam the site takes part in (recomputed when its defaults change). */
  /** Sessions whose end is still ahead (their windows follow rooms and cameras added to their sites). */
  async sessionIdsEndingAfter(nowMs: number): Promise<number[]> {
    return (await this.db.selectFrom('exam_session').select('id').where('end_ms', '>', nowMs).orderBy('id').execute()).map((r) => r.id);
  }

  async sessionIdsOfSite(siteId: number): Promise<number[]> {
    const rows = await this.db.selectFrom('exam_session').innerJoin('exam_site', 'exam_site.exam_id', 'exam_session.exam_id').select('exam_session.id').where('exam_site.site_id', '=', siteId).execute();
    return rows.map((r) => r.id);
  }

  async deleteSchedulesByReason(reason: string): Promise<void> {
    await this.db.deleteFrom('recording_schedule').where('reason', '=', reason).execute();
  }

  async insertAlarm(v: Insertable<AlarmTable>): Promise<AlarmRow> {
    return this.db.insertInto('alarm').values(v).returningAll().executeTakeFirstOrThrow();
  }

  openAlarm(cameraId: number, kind: AlarmKind): Promise<AlarmRow | undefined> {
    return this.db.selectFrom('alarm').selectAll().where('camera_id', '=', cameraId).where('kind', '=', kind).where('cleared_at_ms', 'is', null).orderBy('id', 'desc').executeTakeFirst();
  }

  async closeAlarm(id: number, v: { cleared_at_ms: number; gap_end_ms?: number }): Promise<AlarmRow> {
    return this.db.updateTable('alarm').set(v).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  private alarms(scope: Scope) {
    let q = this.db
      .selectFrom('alarm')
      .innerJoin('org_node', 'org_node.id', 'alarm.site_id')
      .leftJoin('room', 'room.id', 'alarm.room_id')
      .leftJoin('camera', 'camera.id', 'alarm.camera_id')
      .leftJoin('app_user', 'app_user.username', 'alarm.acknowledged_by')
      .selectAll('alarm')
      .select(['org_node.path as site_path', 'org_node.name as site_name', 'room.name as room_name', 'camera.name as camera_name', 'app_user.display_name as acknowledged_by_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  listAlarms(scope: Scope, f: AlarmFilter): Promise<Array<AlarmRow & AlarmNames>> {
    let q = this.alarms(scope);
    if (f.open) q = q.where('alarm.cleared_at_ms', 'is', null);
    if (f.sessionId !== undefined) q = q.where('alarm.session_id', '=', f.sessionId);
    if (f.kind) q = q.where('alarm.kind', '=', f.kind);
    if (f.fromMs !== undefined) q = q.where('alarm.raised_at_ms', '>=', f.fromMs);
    if (f.toMs !== undefined) q = q.where('alarm.raised_at_ms', '<', f.toMs);
    if (f.siteId !== undefined) q = q.where('alarm.site_id', '=', f.siteId);
    if (f.acked === true) q = q.where('alarm.acknowledged_by', 'is not', null);
    if (f.acked === false) q = q.where('alarm.acknowledged_by', 'is', null);
    return q.orderBy('alarm.id', 'desc').limit(f.limit ?? 100).offset(f.offset ?? 0).execute();
  }

  getAlarm(scope: Scope, id: number): Promise<(AlarmRow & AlarmNames) | undefined> {
    return this.alarms(scope).where('alarm.id', '=', id).executeTakeFirst();
  }

  async ackAlarm(id: number, by: string, atMs: number, disposition: string | null = null): Promise<void> {
    await this.db.updateTable('alarm').set({ acknowledged_by: by, acknowledged_at_ms: atMs, disposition }).where('id', '=', id).execute();
  }
}
