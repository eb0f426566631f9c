// Runs ingest and recording for every camera of this node: one supervisor (one connection) and
// one recorder per camera, reconciled with the database every few seconds so that cameras added,
// changed or removed in the console are picked up without a restart.
import type { Logger } from 'pino';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { CameraStatusEvent, EventBus } from '../events/bus.ts';
import type { CameraOpener, StreamSpec } from '../ingest/source.ts';
import type { SupervisorOptions } from '../ingest/supervisor.ts';
import { CameraSupervisor } from '../ingest/supervisor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { ScheduleRow } from '../store/repos/recording-repo.ts';
import type { RecordingMode } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { CameraRecorder, DEFAULT_RECORDER_OPTIONS } from './camera-recorder.ts';
import type { RecorderOptions } from './camera-recorder.ts';
import { streamSpecOf } from './camera-spec.ts';
import type { FileStore } from './file-store.ts';
import { IndexWriter } from './index-writer.ts';

interface Entry {
  spec: StreamSpec;
  mode: RecordingMode;
  supervisor: CameraSupervisor;
  recorder: CameraRecorder;
}

export interface ManagerDeps {
  store: Store;
  box: SecretBox;
  files: FileStore;
  opener: CameraOpener;
  clock: Clock;
  events: EventBus;
  log: Logger;
  recorder?: Partial<RecorderOptions>;
  supervisor?: SupervisorOptions;
  reconcileIntervalMs?: number;
  indexFlushMs?: number;
}

export class RecordingManager {
  readonly index: IndexWriter;
  private readonly cameras = new Map<number, Entry>();
  private schedules: ScheduleRow[] = [];
  private timer?: NodeJS.Timeout;
  private tick?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  /** Set while retention holds off unscheduled recording (see setUnscheduledVeto). */
  private veto?: string;

  constructor(private readonly deps: ManagerDeps) {
    this.index = new IndexWriter(deps.store, deps.log, deps.indexFlushMs ?? 1000);
  }

  async start(): Promise<void> {
    this.index.start();
    await this.reconcile();
    this.timer = setInterval(() => void this.reconcile().catch((err: unknown) => this.deps.log.error({ err }, 'camera reconcile failed')), this.deps.reconcileIntervalMs ?? 5000);
    this.tick = setInterval(() => this.applySchedules(), 1000);
  }

  /** The camera's supervisor, for other consumers of the same connection (live, cascade, checks). */
  supervisor(cameraId: number): CameraSupervisor | undefined {
    return this.cameras.get(cameraId)?.supervisor;
  }

  status(cameraId: number): CameraStatusEvent | undefined {
    const e = this.cameras.get(cameraId);
    return e ? this.statusOf(cameraId, e) : undefined;
  }

  /** Re-reads cameras and schedules now (also runs every few seconds). */
  reconcile(): Promise<void> {
    this.reconciling ??= this.doReconcile().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  private async doReconcile(): Promise<void> {
    const r = repos(this.deps.store.db);
    const rows = await r.cameras.list({ kind: 'all' });
    this.schedules = await r.recordings.schedulesActiveOrAfter(this.deps.clock.nowMs());
    const seen = new Set<number>();
    for (const cam of rows) {
      const spec = streamSpecOf(cam, this.deps.box);
      if (!spec) continue;
      seen.add(cam.id);
      const current = this.cameras.get(cam.id);
      if (current && current.spec.url === spec.url && current.spec.username === spec.username && current.spec.password === spec.password) {
        current.mode = cam.recording_mode;
        continue;
      }
      if (current) await this.remove(cam.id, 'reconfigured');
      this.add(spec, cam.recording_mode);
    }
    for (const id of [...this.cameras.keys()]) if (!seen.has(id)) await this.remove(id, 'removed');
    this.applySchedules();
  }

  private add(spec: StreamSpec, mode: RecordingMode): void {
    const { files, clock, events, log, opener } = this.deps;
    const supervisor = new CameraSupervisor(spec, opener, clock, { log, ...this.deps.supervisor });
    const recorder = new CameraRecorder(spec.cameraId, { files, index: this.index, clock, events, log }, { ...DEFAULT_RECORDER_OPTIONS, ...this.deps.recorder });
    const entry: Entry = { spec, mode, supervisor, recorder };
    supervisor.on('session-start', (source) => recorder.sessionStarted({ video: source.video, audio: source.audio }));
    supervisor.on('frame', (frame, note) => recorder.push(frame, note));
    supervisor.on('clockOffset', (ms) => recorder.clockOffset(ms));
    supervisor.on('session-end', (end) => recorder.sessionEnded(end.code, end.message));
    supervisor.on('status', () => events.emit('camera.status', this.statusOf(spec.cameraId, entry)));
    this.cameras.set(spec.cameraId, entry);
    recorder.setWanted(this.wanted(spec.cameraId, mode), mode === 'continuous' ? (this.veto ?? 'schedule') : 'schedule');
    supervisor.start();
  }

  private async remove(cameraId: number, reason: string): Promise<void> {
    const e = this.cameras.get(cameraId);
    if (!e) return;
    this.cameras.delete(cameraId);
    await e.supervisor.stop();
    await e.recorder.close(reason);
  }

  /**
   * Holds off recording that no schedule requires (continuous cameras outside every window), with
   * `reason` as the end reason of the runs it stops: retention under disk pressure
   * (docs/design/retention.md). Undefined lifts it.
   */
  setUnscheduledVeto(reason: string | undefined): void {
    this.veto = reason;
    this.applySchedules();
  }

  private wanted(cameraId: number, mode: RecordingMode): boolean {
    const now = this.deps.clock.nowMs();
    const scheduled = this.schedules.some((s) => s.camera_id === cameraId && s.start_ms <= now && now < s.end_ms);
    return scheduled || (mode === 'continuous' && this.veto === undefined);
  }

  private applySchedules(): void {
    for (const [id, e] of this.cameras) e.recorder.setWanted(this.wanted(id, e.mode), e.mode === 'continuous' ? (this.veto ?? 'schedule') : 'schedule');
  }

  private statusOf(cameraId: number, e: Entry): CameraStatusEvent {
    const s = e.supervisor.status;
    const now = this.deps.clock.nowMs();
    const held = s.state === 'online' ? e.recorder.held : undefined;
    return {
      cameraId, state: s.state, recording: e.recorder.recording, reason: e.recorder.error ?? s.reason, detail: s.detail, atMs: s.sinceMs,
      ...(s.state === 'error' && s.retryAtMs !== undefined ? { retryAtMs: s.retryAtMs, retryInMs: Math.max(0, s.retryAtMs - now) } : {}),
      ...(held ? { recordingHeld: held, ...(held === 'disk-full' || held === 'write-error' ? { recordingHeldDetail: e.recorder.error } : {}) } : {}),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.tick);
    await this.reconciling;
    // In parallel: each stop may wait for an unresponsive camera's TEARDOWN.
    await Promise.all([...this.cameras.keys()].map((id) => this.remove(id, 'stopped')));
    await this.index.close();
  }
}
