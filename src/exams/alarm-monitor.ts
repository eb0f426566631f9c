// Gap alarms (R-REC-4) and readiness alarms (R-REC-1). Listens to the event bus: a run ending
// inside a required window raises a `recording_gap` alarm at once, the next run starting closes
// it; every 10 s cameras whose room has a window active or starting within 60 minutes and whose
// last status is not 'online' get a `camera_not_ready` alarm. A camera in error because its stream
// is not video (`garbage`, `codec-mismatch`: it never records, so no run ever ends) gets a
// `recording_gap` alarm with that reason inside an active window too (issue 12), on the status
// event and on every readiness pass. Alarms notify; reports never read them.
// A handler that fails because the data disk is full (the recordings filled it; retention frees the
// database reserve within seconds) is not dropped: it waits in that camera's backlog and is retried
// every second, in order, with the time of its event (issue 12: one gap alarm per camera, not none).
import { EventEmitter } from 'node:events';
import type { CameraStatusEvent, EventBus, RunEndedEvent, RunStartedEvent } from '../events/bus.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { AlarmView } from './views.ts';
import { alarmView } from './views.ts';

export interface AlarmEventMap {
  'alarm.raised': [AlarmView];
  'alarm.cleared': [AlarmView];
  /** A handler failed (database down…): logged by whoever listens. */
  'alarm.error': [Error];
}

export class AlarmEmitter extends EventEmitter<AlarmEventMap> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

export interface Timer {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTimer: Timer = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export const READINESS_CHECK_MS = 10_000;
export const READINESS_LEAD_MS = 60 * 60_000;
/** How often handlers that failed on a full disk are retried. */
export const DISK_FULL_RETRY_MS = 1000;

/** SQLite SQLITE_FULL, PostgreSQL 53100 disk_full, or a plain ENOSPC: worth retrying once space is back. */
export function isDiskFullError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC';
}
/** Status reasons meaning "the camera answers but what it sends is not recordable video". */
export const UNRECORDABLE_REASONS: ReadonlySet<string> = new Set(['garbage', 'codec-mismatch']);

export class ExamAlarmMonitor {
  private readonly status = new Map<number, CameraStatusEvent['state']>();
  private readonly unrecordable = new Map<number, { reason: string; detail?: string }>();
  /** Handlers run one after another, in event order: a run-started never overtakes its run-ended. */
  private chain: Promise<void> = Promise.resolve();
  private handle: unknown;
  private retryHandle: unknown;
  /** Per camera, handlers that failed on a full disk and those queued behind them, oldest first. */
  private readonly backlog = new Map<number, Array<() => Promise<void>>>();
  // The clock is read when the event arrives, not when its queued handler runs.
  private readonly onEnded = (e: RunEndedEvent) => {
    const at = this.clock.nowMs();
    this.trackCamera(e.cameraId, () => this.runEnded(e, at));
  };
  private readonly onStarted = (e: RunStartedEvent) => {
    const at = this.clock.nowMs();
    this.trackCamera(e.cameraId, () => this.clear(e.cameraId, 'recording_gap', at, { gap_end_ms: e.startedAtMs }));
  };
  private readonly onStatus = (e: CameraStatusEvent) => {
    this.status.set(e.cameraId, e.state);
    const at = this.clock.nowMs();
    if (e.state === 'online') this.trackCamera(e.cameraId, () => this.clear(e.cameraId, 'camera_not_ready', at, {}));
    if (e.state === 'error' && e.reason && UNRECORDABLE_REASONS.has(e.reason)) {
      const u = { reason: e.reason, detail: e.detail };
      this.unrecordable.set(e.cameraId, u);
      this.trackCamera(e.cameraId, () => this.unrecordableGap(e.cameraId, u, at));
    } else if (e.state !== 'error') this.unrecordable.delete(e.cameraId);
  };

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    readonly alarms: AlarmEmitter,
    private readonly timer: Timer = systemTimer,
  ) {}

  start(): void {
    if (this.handle !== undefined) return;
    this.bus.on('recording.run-ended', this.onEnded);
    this.bus.on('recording.run-started', this.onStarted);
    this.bus.on('camera.status', this.onStatus);
    this.handle = this.timer.setInterval(() => void this.checkReadiness(), READINESS_CHECK_MS);
    this.retryHandle = this.timer.setInterval(() => {
      if (this.backlog.size > 0) this.track(() => this.retryBacklog());
    }, DISK_FULL_RETRY_MS);
  }

  async stop(): Promise<void> {
    if (this.handle === undefined) return;
    this.bus.off('recording.run-ended', this.onEnded);
    this.bus.off('recording.run-started', this.onStarted);
    this.bus.off('camera.status', this.onStatus);
    this.timer.clearInterval(this.handle);
    this.timer.clearInterval(this.retryHandle);
    this.handle = this.retryHandle = undefined;
    await this.idle();
  }

  /** Resolves when every handler started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.chain;
      await last;
    } while (last !== this.chain);
  }

  private track(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((err: unknown) => void this.alarms.emit('alarm.error', err instanceof Error ? err : new Error(String(err))));
  }

  /**
   * A handler about one camera. Behind a backlog it queues (a run-started must not clear before its
   * gap alarm exists); failing on a full disk it starts one.
   */
  private trackCamera(cameraId: number, fn: () => Promise<void>): void {
    this.track(async () => {
      const queued = this.backlog.get(cameraId);
      if (queued) {
        queued.push(fn);
        return this.drain(cameraId);
      }
      try {
        await fn();
      } catch (err) {
        if (!isDiskFullError(err)) throw err;
        this.backlog.set(cameraId, [fn]);
        throw err;
      }
    });
  }

  private async retryBacklog(): Promise<void> {
    for (const cameraId of [...this.backlog.keys()]) await this.drain(cameraId);
  }

  /** Runs a camera's backlog in order; stops (keeping the rest) at the first disk-full failure. */
  private async drain(cameraId: number): Promise<void> {
    const queued = this.backlog.get(cameraId);
    while (queued && queued.length > 0) {
      try {
        await queued[0]();
      } catch (err) {
        if (isDiskFullError(err)) return;
        queued.shift();
        throw err;
      }
      queued.shift();
    }
    this.backlog.delete(cameraId);
  }

  private async runEnded(e: RunEndedEvent, now: number): Promise<void> {
    const r = repos(this.store.db);
    const windows = [...(await r.exams.activeWindowsForCamera(e.cameraId, e.endedAtMs)), ...(await r.exams.activeWindowsForCamera(e.cameraId, now))];
    await this.raiseGap(e.cameraId, windows, now, e.endedAtMs, e.reason, e.detail);
  }

  /** A camera sending no recordable video inside an active window: a gap from the window start (or now). */
  private async unrecordableGap(cameraId: number, u: { reason: string; detail?: string }, now: number): Promise<void> {
    const windows = await repos(this.store.db).exams.activeWindowsForCamera(cameraId, now);
    const startMs = Math.min(now, ...windows.map((w) => Number(w.start_ms)));
    await this.raiseGap(cameraId, windows, now, startMs, u.reason, u.detail);
  }

  private async raiseGap(cameraId: number, windows: Array<{ session_id: number; room_id: number; site_id: number }>, now: number, gapStartMs: number, reason: string, detail: string | undefined): Promise<void> {
    const r = repos(this.store.db);
    if (windows.length === 0 || (await r.exams.openAlarm(cameraId, 'recording_gap'))) return;
    const e = { cameraId, endedAtMs: gapStartMs, reason, detail };
    const w = windows[0];
    const row = await r.exams.insertAlarm({
      kind: 'recording_gap',
      camera_id: e.cameraId,
      room_id: w.room_id,
      site_id: w.site_id,
      session_id: w.session_id,
      raised_at_ms: now,
      gap_start_ms: e.endedAtMs,
      gap_end_ms: null,
      cleared_at_ms: null,
      reason: e.reason.slice(0, 64),
      detail: e.detail?.slice(0, 512) ?? null,
      acknowledged_by: null,
      acknowledged_at_ms: null,
    });
    this.alarms.emit('alarm.raised', alarmView(row));
  }

  private async clear(cameraId: number, kind: 'recording_gap' | 'camera_not_ready', now: number, extra: { gap_end_ms?: number }): Promise<void> {
    const r = repos(this.store.db);
    const open = await r.exams.openAlarm(cameraId, kind);
    if (!open) return;
    const row = await r.exams.closeAlarm(open.id, { cleared_at_ms: now, ...extra });
    this.alarms.emit('alarm.cleared', alarmView(row));
  }

  /** One readiness pass, queued behind pending events; the timer runs it every 10 s. */
  async checkReadiness(): Promise<void> {
    const at = this.clock.nowMs();
    this.track(() => this.readiness(at));
    await this.idle();
  }

  private async readiness(now: number): Promise<void> {
    const r = repos(this.store.db);
    for (const [cameraId, u] of this.unrecordable) await this.unrecordableGap(cameraId, u, now);
    const seen = new Set<number>();
    for (const c of await r.exams.camerasWithWindows(now, now + READINESS_LEAD_MS)) {
      if (seen.has(c.camera_id)) continue;
      seen.add(c.camera_id);
      const state = this.status.get(c.camera_id);
      if (state === 'online' || (await r.exams.openAlarm(c.camera_id, 'camera_not_ready'))) continue;
      const row = await r.exams.insertAlarm({
        kind: 'camera_not_ready',
        camera_id: c.camera_id,
        room_id: c.room_id,
        site_id: c.site_id,
        session_id: c.session_id,
        raised_at_ms: now,
        gap_start_ms: null,
        gap_end_ms: null,
        cleared_at_ms: null,
        reason: state ?? 'unknown',
        detail: c.start_ms > now ? `window starts ${c.start_ms}` : 'window active',
        acknowledged_by: null,
        acknowledged_at_ms: null,
      });
      this.alarms.emit('alarm.raised', alarmView(row));
    }
  }
}
