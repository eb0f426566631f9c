// What users ask of recording: camera status, spans and gaps over a time range, recording mode
// and schedules. Scoped and audited like everything else (R-SEC-4, R-ACC-1).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath, outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { CameraStatusEvent } from '../events/bus.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { RecordingMode } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { RecordingManager } from './manager.ts';
import type { Gap, Span } from './timeline.ts';
import { timeline } from './timeline.ts';

export interface CameraTimeline {
  cameraId: number;
  spans: Span[];
  gaps: Gap[];
  recordedMs: number;
}

const MAX_RANGE_MS = 62 * 24 * 3600_000;

/** A recording window of a camera (manual, or `exam:<sessionId>` written by the exam schedule). */
export interface ScheduleView { id: number; cameraId: number; startMs: number; endMs: number; reason: string; createdBy: string }

export class RecordingService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly manager: RecordingManager,
  ) {}

  async statuses(actor: Actor): Promise<Array<CameraStatusEvent & { recordingMode: RecordingMode }>> {
    await requirePermission(this.audit, actor, 'org.read', 'camera.status', 'camera', '*');
    const cams = await repos(this.store.db).cameras.list(actor.scope);
    return cams.map((c) => ({
      ...(this.manager.status(c.id) ?? { cameraId: c.id, state: 'stopped' as const, recording: false, atMs: this.clock.nowMs(), reason: c.source_kind === 'rtsp' ? 'not-configured' : 'unsupported-source' }),
      recordingMode: c.recording_mode,
    }));
  }

  async timelines(actor: Actor, cameraIds: number[], fromMs: number, toMs: number): Promise<CameraTimeline[]> {
    await requirePermission(this.audit, actor, 'video.playback', 'recording.list', 'camera', cameraIds.join(','));
    if (toMs <= fromMs) throw new AppError('invalid_input', '结束时间必须晚于开始时间 (end must be after start)');
    if (toMs - fromMs > MAX_RANGE_MS) throw new AppError('invalid_input', '查询范围最长62天 (range at most 62 days)');
    const r = repos(this.store.db);
    const out: CameraTimeline[] = [];
    for (const id of cameraIds) {
      if (!(await r.cameras.get(actor.scope, id))) {
        await this.audit.record(actor, { action: 'recording.list', objectType: 'camera', objectId: id, outcome: 'denied', scopePath: actor.scope.kind === 'all' ? '/' : actor.scope.path });
        throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
      }
      const [runs, files] = await Promise.all([r.recordings.runsBetween(id, fromMs, toMs), r.recordings.fileExtentsBetween(id, fromMs, toMs)]);
      out.push({ cameraId: id, ...timeline(runs, fromMs, toMs, this.clock.nowMs(), files) });
    }
    return out;
  }

  async setMode(actor: Actor, cameraId: number, mode: RecordingMode): Promise<void> {
    await requirePermission(this.audit, actor, 'recording.manage', 'recording.mode', 'camera', cameraId);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const cam = await repos(trx).cameras.get(actor.scope, cameraId);
      if (!cam) throw outOfScope('recording.mode', 'camera', cameraId);
      await repos(trx).cameras.update(cameraId, { recording_mode: mode, updated_at_ms: this.clock.nowMs() });
      await this.audit.append(trx, actor, { action: 'recording.mode', objectType: 'camera', objectId: cameraId, scopePath: cam.site_path, detail: { before: cam.recording_mode, after: mode } });
    });
    await this.manager.reconcile();
  }

  async addSchedule(actor: Actor, input: { cameraId: number; startMs: number; endMs: number; reason: string }): Promise<number> {
    await requirePermission(this.audit, actor, 'recording.manage', 'recording.schedule.create', 'camera', input.cameraId);
    if (input.endMs <= input.startMs) throw new AppError('invalid_input', '结束时间必须晚于开始时间 (end must be after start)');
    const id = await runAudited(this.store, this.audit, actor, async (trx) => {
      const cam = await repos(trx).cameras.get(actor.scope, input.cameraId);
      if (!cam) throw outOfScope('recording.schedule.create', 'camera', input.cameraId);
      const newId = await repos(trx).recordings.insertSchedule({ camera_id: cam.id, start_ms: input.startMs, end_ms: input.endMs, reason: input.reason, created_by: actor.username, created_at_ms: this.clock.nowMs() });
      await this.audit.append(trx, actor, { action: 'recording.schedule.create', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, detail: { scheduleId: newId, ...input } });
      return newId;
    });
    await this.manager.reconcile();
    return id;
  }

  async schedules(actor: Actor, cameraId: number): Promise<ScheduleView[]> {
    await requirePermission(this.audit, actor, 'org.read', 'recording.schedule.list', 'camera', cameraId);
    const r = repos(this.store.db);
    if (!(await r.cameras.get(actor.scope, cameraId))) {
      // Refusals are audited like every other out-of-scope read (issue 13, Low; R-ACC-1).
      await this.audit.record(actor, { action: 'recording.schedule.list', objectType: 'camera', objectId: cameraId, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
      throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
    }
    return (await r.recordings.schedulesOf(cameraId)).map((s) => ({ id: s.id, cameraId: s.camera_id, startMs: Number(s.start_ms), endMs: Number(s.end_ms), reason: s.reason, createdBy: s.created_by }));
  }

  async deleteSchedule(actor: Actor, cameraId: number, scheduleId: number): Promise<void> {
    await requirePermission(this.audit, actor, 'recording.manage', 'recording.schedule.delete', 'camera', cameraId);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const cam = await repos(trx).cameras.get(actor.scope, cameraId);
      if (!cam) throw outOfScope('recording.schedule.delete', 'camera', cameraId);
      const sched = (await repos(trx).recordings.schedulesOf(cameraId)).find((s) => s.id === scheduleId);
      if (!sched) throw new AppError('not_found', '没有这条录像计划 (no such schedule)');
      if (sched.reason.startsWith('exam:')) throw new AppError('forbidden', '考试录像计划由考试安排生成，不能单独删除 (exam windows are changed through the timetable)');
      await repos(trx).recordings.deleteSchedule(scheduleId);
      await this.audit.append(trx, actor, { action: 'recording.schedule.delete', objectType: 'camera', objectId: cameraId, scopePath: cam.site_path, detail: { scheduleId } });
    });
    await this.manager.reconcile();
  }
}
