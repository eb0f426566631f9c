// The recording index: runs, files, schedules, garbage. Scope-filtered reads join through the
// camera's room and site; the recorder writes with the system's own rights.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, RecordingFileTable, RecordingRunTable, RecordingScheduleTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type RunRow = Selectable<RecordingRunTable>;
export type FileRow = Selectable<RecordingFileTable>;
export type ScheduleRow = Selectable<RecordingScheduleTable>;
export type FileMeta = Pick<FileRow, 'id' | 'camera_id' | 'rel_path' | 'start_ms' | 'end_ms' | 'bytes'>;

export class RecordingRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insertRun(v: Insertable<RecordingRunTable>): Promise<number> {
    return (await this.db.insertInto('recording_run').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateRun(id: number, v: Partial<Pick<RecordingRunTable, 'started_at_ms' | 'duration_90k' | 'ended_at_ms' | 'end_reason' | 'end_detail' | 'clock_offset_ms' | 'frame_count'>>): Promise<void> {
    await this.db.updateTable('recording_run').set(v).where('id', '=', id).execute();
  }

  async insertFile(v: Insertable<RecordingFileTable>): Promise<number> {
    return (await this.db.insertInto('recording_file').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateFile(id: number, v: Partial<Pick<RecordingFileTable, 'start_ms' | 'end_ms' | 'duration_90k' | 'bytes' | 'frame_count' | 'fragment_index' | 'status'>>): Promise<void> {
    await this.db.updateTable('recording_file').set(v).where('id', '=', id).execute();
  }

  openFiles(): Promise<FileRow[]> {
    return this.db.selectFrom('recording_file').selectAll().where('status', '=', 'open').execute();
  }

  openRuns(): Promise<RunRow[]> {
    return this.db.selectFrom('recording_run').selectAll().where('ended_at_ms', 'is', null).execute();
  }

  allFilePaths(): Promise<Array<{ id: number; rel_path: string }>> {
    return this.db.selectFrom('recording_file').select(['id', 'rel_path']).execute();
  }

  /** Every file row's committed length and state (start-up recovery compares them with the disk). */
  allFileLengths(): Promise<Array<Pick<FileRow, 'id' | 'rel_path' | 'bytes' | 'status'>>> {
    return this.db.selectFrom('recording_file').select(['id', 'rel_path', 'bytes', 'status']).execute();
  }

  fileById(id: number): Promise<FileRow | undefined> {
    return this.db.selectFrom('recording_file').selectAll().where('id', '=', id).executeTakeFirst();
  }

  runById(id: number): Promise<RunRow | undefined> {
    return this.db.selectFrom('recording_run').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The run whose files are named `<nameMs>-<seq>.mp4`: the run's first anchor, which its start may
   * since have moved back from (a late first keyframe, docs/design/recording.md) — so first by a
   * file of the same name, else a run that started at that instant.
   */
  async runNamed(cameraId: number, nameMs: number): Promise<RunRow | undefined> {
    const f = await this.db.selectFrom('recording_file').select('run_id').where('camera_id', '=', cameraId).where('rel_path', 'like', `%/${nameMs}-%`).orderBy('id', 'desc').executeTakeFirst();
    return f ? this.runById(f.run_id) : this.runStartedAt(cameraId, nameMs);
  }

  /** The run of a camera that started at this instant. */
  runStartedAt(cameraId: number, startedAtMs: number): Promise<RunRow | undefined> {
    return this.db.selectFrom('recording_run').selectAll().where('camera_id', '=', cameraId).where('started_at_ms', '=', startedAtMs).orderBy('id', 'desc').executeTakeFirst();
  }

  /** Frame size of the camera's latest main-stream recording run (GB/T 28181 DeviceInfo Resolution while it is offline). */
  async latestVideoSize(cameraId: number): Promise<{ width: number; height: number } | undefined> {
    const r = await this.db.selectFrom('recording_run').select(['width', 'height']).where('camera_id', '=', cameraId).where('stream', '=', 'main').orderBy('id', 'desc').executeTakeFirst();
    return r && r.width > 0 && r.height > 0 ? { width: Number(r.width), height: Number(r.height) } : undefined;
  }

  /** Frame size of each camera's latest main-stream run (catalog 2022 Info Resolution), by camera id. */
  async latestVideoSizes(): Promise<Map<number, { width: number; height: number }>> {
    const rows = await this.db
      .selectFrom('recording_run')
      .select(['camera_id', 'width', 'height'])
      .where('id', 'in', (eb) => eb.selectFrom('recording_run').select((e) => e.fn.max('id').as('id')).where('stream', '=', 'main').groupBy('camera_id'))
      .execute();
    return new Map(rows.filter((r) => r.width > 0 && r.height > 0).map((r) => [Number(r.camera_id), { width: Number(r.width), height: Number(r.height) }]));
  }

  filesOfRun(runId: number): Promise<Array<Pick<FileRow, 'id' | 'start_90k' | 'duration_90k'>>> {
    return this.db.selectFrom('recording_file').select(['id', 'start_90k', 'duration_90k']).where('run_id', '=', runId).execute();
  }

  async deleteFile(id: number): Promise<void> {
    await this.db.deleteFrom('recording_file').where('id', '=', id).execute();
  }

  /** Runs of one camera overlapping [fromMs, toMs), in time order. Open runs count as reaching now. */
  runsBetween(cameraId: number, fromMs: number, toMs: number): Promise<RunRow[]> {
    return this.db
      .selectFrom('recording_run')
      .selectAll()
      .where('camera_id', '=', cameraId)
      .where('started_at_ms', '<', toMs)
      .where((eb) => eb.or([eb('ended_at_ms', 'is', null), eb('ended_at_ms', '>', fromMs)]))
      .orderBy('started_at_ms')
      .execute();
  }

  /** Files of one camera overlapping [fromMs, toMs), in time order. */
  filesBetween(cameraId: number, fromMs: number, toMs: number): Promise<FileRow[]> {
    return this.db
      .selectFrom('recording_file')
      .selectAll()
      .where('camera_id', '=', cameraId)
      .where('start_ms', '<', toMs)
      .where('end_ms', '>', fromMs)
      .orderBy('start_ms')
      .execute();
  }

  /** Extents of one camera's files overlapping [fromMs, toMs), for timelines (no index blobs). */
  fileExtentsBetween(cameraId: number, fromMs: number, toMs: number): Promise<Array<Pick<FileRow, 'run_id' | 'start_ms' | 'end_ms'>>> {
    return this.db
      .selectFrom('recording_file')
      .select(['run_id', 'start_ms', 'end_ms'])
      .where('camera_id', '=', cameraId)
      .where('start_ms', '<', toMs)
      .where('end_ms', '>=', fromMs)
      .orderBy('start_ms')
      .execute();
  }

  /** How many files a camera still has and when the newest ends (camera deletion refuses while any remain). */
  async fileSummaryOfCamera(cameraId: number): Promise<{ files: number; lastEndMs: number | null }> {
    const row = await this.db
      .selectFrom('recording_file')
      .select((eb) => [eb.fn.countAll<number>().as('files'), eb.fn.max<number | null>('end_ms').as('last')])
      .where('camera_id', '=', cameraId)
      .executeTakeFirstOrThrow();
    return { files: Number(row.files), lastEndMs: row.last === null ? null : Number(row.last) };
  }

  /** Removes a camera's schedules and its runs (history of recordings whose files are all gone). */
  async deleteCameraHistory(cameraId: number): Promise<void> {
    await this.db.deleteFrom('recording_schedule').where('camera_id', '=', cameraId).execute();
    await this.db.deleteFrom('recording_run').where('camera_id', '=', cameraId).execute();
  }

  /** Every camera id that has a run or a file (cameras deleted since included). */
  async cameraIdsWithRecordings(): Promise<number[]> {
    const rows = await this.db.selectFrom('recording_run').select('camera_id').union(this.db.selectFrom('recording_file').select('camera_id')).execute();
    return [...new Set(rows.map((r) => Number(r.camera_id)))].sort((a, b) => a - b);
  }

  /**
   * Closed files in (start_ms, id) order after the keyset `after`, optionally only those ending
   * before `endBeforeMs`: retention scans the index in pages with this.
   */
  closedFilesPage(limit: number, after?: { startMs: number; id: number }, endBeforeMs?: number): Promise<FileMeta[]> {
    let q = this.db.selectFrom('recording_file').select(['id', 'camera_id', 'rel_path', 'start_ms', 'end_ms', 'bytes']).where('status', '=', 'closed');
    if (endBeforeMs !== undefined) q = q.where('end_ms', '<', endBeforeMs);
    if (after) q = q.where((eb) => eb.or([eb('start_ms', '>', after.startMs), eb.and([eb('start_ms', '=', after.startMs), eb('id', '>', after.id)])]));
    return q.orderBy('start_ms').orderBy('id').limit(limit).execute();
  }

  /**
   * Step one of a deletion: the rows go and their paths enter the garbage list, together. Call on
   * repositories bound to a transaction; then unlink each file and `removeGarbage` it.
   */
  async moveFilesToGarbage(files: ReadonlyArray<{ id: number; rel_path: string }>, nowMs: number): Promise<void> {
    if (files.length === 0) return;
    await this.db.deleteFrom('recording_file').where('id', 'in', files.map((f) => f.id)).execute();
    await this.db.insertInto('garbage').values(files.map((f) => ({ rel_path: f.rel_path, created_at_ms: nowMs }))).execute();
  }

  /** Per camera: bytes and media duration (90 kHz) of files overlapping [fromMs, toMs). */
  fileStatsBetween(fromMs: number, toMs: number): Promise<Array<{ camera_id: number; bytes: number; duration_90k: number; files: number }>> {
    return this.db
      .selectFrom('recording_file')
      .select((eb) => ['camera_id', eb.fn.sum<number>('bytes').as('bytes'), eb.fn.sum<number>('duration_90k').as('duration_90k'), eb.fn.countAll<number>().as('files')])
      .where('start_ms', '<', toMs)
      .where('end_ms', '>', fromMs)
      .groupBy('camera_id')
      .execute();
  }

  /** Camera ids visible in a scope (for recording queries by users). */
  async cameraInScope(scope: Scope, cameraId: number): Promise<boolean> {
    let q = this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select('camera.id')
      .where('camera.id', '=', cameraId);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return Boolean(await q.executeTakeFirst());
  }

  async insertSchedule(v: Insertable<RecordingScheduleTable>): Promise<number> {
    return (await this.db.insertInto('recording_schedule').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  schedulesActiveOrAfter(nowMs: number): Promise<ScheduleRow[]> {
    return this.db.selectFrom('recording_schedule').selectAll().where('end_ms', '>', nowMs).orderBy('start_ms').execute();
  }

  schedulesOf(cameraId: number): Promise<ScheduleRow[]> {
    return this.db.selectFrom('recording_schedule').selectAll().where('camera_id', '=', cameraId).orderBy('start_ms').execute();
  }

  async deleteSchedule(id: number): Promise<void> {
    await this.db.deleteFrom('recording_schedule').where('id', '=', id).execute();
  }

  async addGarbage(relPath: string, nowMs: number): Promise<void> {
    await this.db.insertInto('garbage').values({ rel_path: relPath, created_at_ms: nowMs }).execute();
  }

  garbage(): Promise<Array<{ id: number; rel_path: string }>> {
    return this.db.selectFrom('garbage').select(['id', 'rel_path']).execute();
  }

  async removeGarbagePath(relPath: string): Promise<void> {
    await this.db.deleteFrom('garbage').where('rel_path', '=', relPath).execute();
  }

  async removeGarbage(id: number): Promise<void> {
    await this.db.deleteFrom('garbage').where('id', '=', id).execute();
  }
}
