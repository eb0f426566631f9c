// One supervisor per camera stream: keeps one connection open for every consumer (recorder,
// live viewers, cascade, checks), reconnects with backoff and never gives up, detects stalls
// (socket open, no frames), and says why each session ended (R-REC-4).
import { EventEmitter } from 'node:events';
import type { MediaFrame } from '../media/types.ts';
import type { Clock } from '../util/clock.ts';
import type { CameraOpener, FrameSource, SessionEnd, StreamSpec } from './source.ts';

export interface SupervisorOptions {
  /** No frame for this long ends the session as 'stall'. */
  stallTimeoutMs?: number;
  /** First retry delay; doubles up to backoffMaxMs. Short so that gaps stay short. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export interface SupervisorStatus {
  state: 'connecting' | 'online' | 'error' | 'stopped';
  reason?: string;
  detail?: string;
  sinceMs: number;
  lastFrameAtMs?: number;
  sessions: number;
}

export interface SupervisorEvents {
  /** A session delivers frames; `source` has the stream parameters. */
  'session-start': [FrameSource];
  frame: [MediaFrame];
  clockOffset: [number];
  'session-end': [SessionEnd];
  status: [SupervisorStatus];
}

export class CameraSupervisor extends EventEmitter<SupervisorEvents> {
  private source?: FrameSource;
  private stopped = true;
  private retryTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  private backoffMs: number;
  private droppedAtLastFrame = 0;
  private readonly stallTimeoutMs: number;
  private readonly backoffMinMs: number;
  private readonly backoffMaxMs: number;
  status: SupervisorStatus;

  constructor(
    readonly spec: StreamSpec,
    private readonly opener: CameraOpener,
    private readonly clock: Clock,
    opts: SupervisorOptions = {},
  ) {
    super();
    this.stallTimeoutMs = opts.stallTimeoutMs ?? 5000;
    this.backoffMinMs = opts.backoffMinMs ?? 100;
    this.backoffMaxMs = opts.backoffMaxMs ?? 1000;
    this.backoffMs = this.backoffMinMs;
    this.status = { state: 'stopped', sinceMs: clock.nowMs(), sessions: 0 };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.setStatus({ state: 'connecting', reason: undefined, detail: undefined });
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.stallTimer);
    const s = this.source;
    this.source = undefined;
    if (s) await s.stop();
    this.setStatus({ state: 'stopped', reason: undefined, detail: undefined });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let source: FrameSource;
    try {
      source = await this.opener.open(this.spec);
    } catch (err) {
      const e = err as Partial<SessionEnd> & Error;
      this.failed({ code: e.code ?? 'network', message: e.message });
      return;
    }
    if (this.stopped) {
      await source.stop();
      return;
    }
    this.source = source;
    this.status.sessions++;
    let started = false;
    this.droppedAtLastFrame = source.droppedPackets;
    source.on('frame', (frame) => {
      // A session that ended (stall) may still be parsing what it had read: its frames carry the
      // old session's timestamps and must not reach consumers of the next session.
      if (this.source !== source) return;
      const now = this.clock.nowMs();
      if (!started) {
        started = true;
        this.backoffMs = this.backoffMinMs;
        this.setStatus({ state: 'online', reason: undefined, detail: undefined });
        this.emit('session-start', source);
      }
      this.status.lastFrameAtMs = now;
      this.droppedAtLastFrame = source.droppedPackets;
      this.emit('frame', frame);
    });
    source.on('clockOffset', (ms) => {
      if (this.source === source) this.emit('clockOffset', ms);
    });
    source.once('close', (end) => {
      if (this.source !== source) return;
      this.source = undefined;
      clearInterval(this.stallTimer);
      if (started) this.emit('session-end', end);
      if (!this.stopped) this.failed(end);
    });
    const openedAt = this.clock.nowMs();
    this.stallTimer = setInterval(() => {
      const last = this.status.lastFrameAtMs !== undefined && started ? this.status.lastFrameAtMs : openedAt;
      if (this.clock.nowMs() - last < this.stallTimeoutMs) return;
      const garbage = source.droppedPackets - this.droppedAtLastFrame;
      const end: SessionEnd =
        garbage > 0
          ? { code: 'garbage', message: `${garbage} malformed packets and no usable frame for ${this.stallTimeoutMs} ms` }
          : { code: 'stall', message: `no frame for ${this.stallTimeoutMs} ms` };
      clearInterval(this.stallTimer);
      this.source = undefined;
      if (started) this.emit('session-end', end);
      void source.stop();
      this.failed(end);
    }, Math.min(500, this.stallTimeoutMs));
  }

  private failed(end: SessionEnd): void {
    this.setStatus({ state: 'error', reason: end.code, detail: end.message });
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMaxMs, this.backoffMs * 2);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private setStatus(patch: Partial<SupervisorStatus>): void {
    this.status = { ...this.status, ...patch, sinceMs: this.clock.nowMs() };
    this.emit('status', this.status);
  }
}
