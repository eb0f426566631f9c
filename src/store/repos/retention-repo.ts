// Retention and backup rows: evidence holds, retention alarms, backups and their items, and the
// window lookups they need (docs/design/retention.md). Scope-filtered reads join through the
// camera's room and site, or use the backup's own scope_path.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { BackupItemTable, BackupTable, Database, EvidenceHoldTable, RetentionAlarmTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type HoldRow = Selectable<EvidenceHoldTable> & { site_path: string | null };
export type RetentionAlarmRow = Selectable<RetentionAlarmTable>;
export type BackupRow = Selectable<BackupTable>;
export type BackupItemRow = Selectable<BackupItemTable>;
export interface WindowSpan {
  camera_id: number;
  session_id: number;
  start_ms: number;
  end_ms: number;
}

const DAY_MS = 86_400_000;

export class RetentionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insertHold(v: Insertable<EvidenceHoldTable>): Promise<number> {
    return (await this.db.insertInto('evidence_hold').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  private holdsQuery(scope: Scope) {
    let q = this.db
      .selectFrom('evidence_hold')
      .leftJoin('camera', 'camera.id', 'evidence_hold.camera_id')
      .leftJoin('room', 'room.id', 'camera.room_id')
      .leftJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('evidence_hold')
      .select('org_node.path as site_path');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  getHold(scope: Scope, id: number): Promise<HoldRow | undefined> {
    return this.holdsQuery(scope).where('evidence_hold.id', '=', id).executeTakeFirst();
  }

  listHolds(scope: Scope, activeOnly: boolean): Promise<HoldRow[]> {
    let q = this.holdsQuery(scope);
    if (activeOnly) q = q.where('evidence_hold.released_at_ms', 'is', null);
    return q.orderBy('evidence_hold.id', 'desc').limit(1000).execute();
  }

  activeHolds(): Promise<Array<Selectable<EvidenceHoldTable>>> {
    return this.db.selectFrom('evidence_hold').selectAll().where('released_at_ms', 'is', null).execute();
  }

  async releaseHold(id: number, by: string, atMs: number, reason: string): Promise<void> {
    await this.db.updateTable('evidence_hold').set({ released_by: by, released_at_ms: atMs, release_reason: reason }).where('id', '=', id).execute();
  }

  /**
   * The second lock check, inside the deleting transaction: which of `files` overlap an unreleased
   * evidence hold, or an exam window (± marginMs) whose keep-until date has not passed.
   */
  async lockedFileIds(files: ReadonlyArray<{ id: number; camera_id: number; start_ms: number; end_ms: number }>, nowMs: number, marginMs: number): Promise<Set<number>> {
    const locked = new Set<number>();
    const byCamera = new Map<number, typeof files>();
    for (const f of files) byCamera.set(f.camera_id, [...(byCamera.get(f.camera_id) ?? []), f]);
    for (const [cameraId, list] of byCamera) {
      const lo = Math.min(...list.map((f) => Number(f.start_ms)));
      const hi = Math.max(...list.map((f) => Number(f.end_ms)));
      const holds = await this.db.selectFrom('evidence_hold').select(['from_ms', 'to_ms']).where('camera_id', '=', cameraId).where('released_at_ms', 'is', null).where('from_ms', '<', hi).where('to_ms', '>', lo).execute();
      const windows = await this.db
        .selectFrom('room_window')
        .innerJoin('camera', 'camera.room_id', 'room_window.room_id')
        .innerJoin('exam_session', 'exam_session.id', 'room_window.session_id')
        .innerJoin('exam', 'exam.id', 'exam_session.exam_id')
        .select(['room_window.start_ms', 'room_window.end_ms', 'exam.retention_days'])
        .where('camera.id', '=', cameraId)
        .where('room_window.start_ms', '<', hi + marginMs)
        .where('room_window.end_ms', '>', lo - marginMs)
        .execute();
      const spans = [
        ...holds.map((h) => [Number(h.from_ms), Number(h.to_ms)]),
        ...windows.filter((w) => Number(w.end_ms) + w.retention_days * DAY_MS > nowMs).map((w) => [Number(w.start_ms) - marginMs, Number(w.end_ms) + marginMs]),
      ];
      for (const f of list) if (spans.some(([a, b]) => a < Number(f.end_ms) && b > Number(f.start_ms))) locked.add(f.id);
    }
    return locked;
  }

  /** Required windows of a session, or of every session of an exam, per camera of the room. */
  windowSpans(by: { sessionId?: number; examId?: number }): Promise<WindowSpan[]> {
    let q = this.db
      .selectFrom('room_window')
      .innerJoin('camera', 'camera.room_id', 'room_window.room_id')
      .innerJoin('exam_session', 'exam_session.id', 'room_window.session_id')
      .select(['camera.id as camera_id', 'room_window.session_id', 'room_window.start_ms', 'room_window.end_ms']);
    if (by.sessionId !== undefined) q = q.where('room_window.session_id', '=', by.sessionId);
    if (by.examId !== undefined) q = q.where('exam_session.exam_id', '=', by.examId);
    return q.execute();
  }

  /** Sessions whose last window ended in (sinceMs, beforeMs] and that have no backup yet. */
  async sessionsToBackUp(sinceMs: number, beforeMs: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('room_window')
      .select((eb) => ['session_id', eb.fn.max('end_ms').as('last_end')])
      .groupBy('session_id')
      .having((eb) => eb.fn.max('end_ms'), '<=', beforeMs)
      .having((eb) => eb.fn.max('end_ms'), '>', sinceMs)
      .execute();
    const done = new Set((await this.db.selectFrom('backup').select('session_id').where('session_id', 'is not', null).execute()).map((r) => r.session_id));
    return rows.map((r) => r.session_id).filter((id) => !done.has(id));
  }

  /** Site paths of cameras (scope checks and the backup's scope_path). */
  async cameraPaths(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select(['camera.id', 'org_node.path'])
      .where('camera.id', 'in', [...ids])
      .execute();
    return new Map(rows.map((r) => [r.id, r.path]));
  }

  openAlarm(kind: string): Promise<RetentionAlarmRow | undefined> {
    return this.db.selectFrom('retention_alarm').selectAll().where('kind', '=', kind).where('cleared_at_ms', 'is', null).executeTakeFirst();
  }

  async insertAlarm(v: Insertable<RetentionAlarmTable>): Promise<number> {
    return (await this.db.insertInto('retention_alarm').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async clearAlarm(id: number, atMs: number): Promise<void> {
    await this.db.updateTable('retention_alarm').set({ cleared_at_ms: atMs }).where('id', '=', id).execute();
  }

  /** Alarms not cleared yet (disk full, disk pressure): a node-wide state, at most one per kind. */
  openAlarms(): Promise<RetentionAlarmRow[]> {
    return this.db.selectFrom('retention_alarm').selectAll().where('cleared_at_ms', 'is', null).orderBy('id', 'desc').execute();
  }

  listAlarms(limit = 100): Promise<RetentionAlarmRow[]> {
    return this.db.selectFrom('retention_alarm').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  async insertBackup(v: Insertable<BackupTable>): Promise<number> {
    return (await this.db.insertInto('backup').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  getBackup(scope: Scope, id: number): Promise<BackupRow | undefined> {
    let q = this.db.selectFrom('backup').selectAll().where('id', '=', id);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    return q.executeTakeFirst();
  }

  listBackups(scope: Scope, limit = 200): Promise<BackupRow[]> {
    let q = this.db.selectFrom('backup').selectAll();
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }

  runningBackupIds(): Promise<number[]> {
    return this.db.selectFrom('backup').select('id').where('state', '=', 'running').orderBy('id').execute().then((r) => r.map((x) => x.id));
  }

  async updateBackup(id: number, v: Updateable<BackupTable>): Promise<void> {
    await this.db.updateTable('backup').set(v).where('id', '=', id).execute();
  }

  async insertItems(items: Array<Insertable<BackupItemTable>>): Promise<void> {
    for (let i = 0; i < items.length; i += 200) await this.db.insertInto('backup_item').values(items.slice(i, i + 200)).execute();
  }

  items(backupId: number): Promise<BackupItemRow[]> {
    return this.db.selectFrom('backup_item').selectAll().where('backup_id', '=', backupId).orderBy('id').execute();
  }

  async updateItem(id: number, v: Updateable<BackupItemTable>): Promise<void> {
    await this.db.updateTable('backup_item').set(v).where('id', '=', id).execute();
  }
}
