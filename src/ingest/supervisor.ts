// One supervisor per camera stream: keeps one connection open for every consumer (recorder,
// live viewers, cascade, checks), reconnects and never gives up, detects stalls (socket open, no
// frames), and says why each session ended (R-REC-4).
// Reconnect policy (docs/design/recording.md): a session that delivered video and then ended
// (stall, eof, garbage…) is reopened at once — the camera may already be answering again; only
// failed opens back off (backoffMin → backoffMax), and a refused password backs off
// exponentially to authBackoffMaxMs, because real cameras lock the account after a few failures.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { MediaFrame } from '../media/types.ts';
import type { Clock } from '../util/clock.ts';
import type { CameraOpener, FrameSource, SessionEnd, StreamSpec } from './source.ts';

export interface SupervisorOptions {
  /** No frame for this long ends the session as 'stall'. */
  stallTimeoutMs?: number;
  /** First retry delay; doubles up to backoffMaxMs. Short so that gaps stay short. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** First retry delay after an authentication refusal; doubles up to authBackoffMaxMs. */
  authBackoffMinMs?: number;
  authBackoffMaxMs?: number;
  /** Connects, failures (with reason) and reconnects are logged at info, repeats at debug. */
  log?: Logger;
}

/** What happened on the wire since the previous video frame (tells a stall from loss or garbage). */
export interface FrameNote {
  /** RTP packets that never arrived. */
  lost: number;
  /** Malformed packets, packets not of the SDP's codec, bytes that are neither RTSP nor RTP. */
  malformed: number;
}

export interface SupervisorStatus {
  state: 'connecting' | 'online' | 'error' | 'stopped';
  reason?: string;
  detail?: string;
  sinceMs: number;
  lastFrameAtMs?: number;
  sessions: number;
  /** In 'error': when the next connection attempt is due (ms since epoch). */
  retryAtMs?: number;
}

export interface SupervisorEvents {
  /** A session delivers frames; `source` has the stream parameters. */
  'session-start': [FrameSource];
  /** The note is always given by the supervisor; optional for consumers that emit frames themselves. */
  frame: [MediaFrame, FrameNote?];
  clockOffset: [number];
  'session-end': [SessionEnd];
  status: [SupervisorStatus];
}

/** Reconnect attempts after a session ended: a new one every HEDGE_MS while none answers. */
const HEDGE_MS = 1000;
const MAX_PARALLEL_OPENS = 3;

const NO_NOTE: FrameNote = Object.freeze({ lost: 0, malformed: 0 });

export class CameraSupervisor extends EventEmitter<SupervisorEvents> {
  private source?: FrameSource;
  /** The current session's audio parameters (readiness sound level); undefined without a session or audio. */
  get audio(): FrameSource['audio'] {
    return this.source?.audio;
  }
  /** The current session's camera clock as its RTSP replies' Date headers state it (readiness clock check). */
  get statedClock(): FrameSource['statedClock'] {
    return this.source?.statedClock;
  }

  /** The current session's video parameters (resolution for GB/T 28181 DeviceInfo); undefined without a session. */
  get video(): FrameSource['video'] {
    return this.source?.video;
  }

  /**
   * Asks the camera of the current session for a keyframe (GB/T 28181 IFameCmd). Returns how
   * (e.g. 'rtcp-tcp'), or undefined when there is no session or it cannot ask.
   */
  requestKeyframe(): string | undefined {
    return this.source?.requestKeyframe?.();
  }

  private stopped = true;
  /** Aborts the connection attempts in progress (stop() must not wait for their timeout). */
  private opening?: AbortController;
  private retryTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  private backoffMs: number;
  private droppedAtLastFrame = 0;
  private lostAtLastFrame = 0;
  private authBackoffMs: number;
  private lastLoggedFailure?: string;
  private endedAtMs?: number;
  private readonly stallTimeoutMs: number;
  private readonly backoffMinMs: number;
  private readonly backoffMaxMs: number;
  private readonly authBackoffMinMs: number;
  private readonly authBackoffMaxMs: number;
  private readonly log?: Logger;
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
    this.authBackoffMinMs = opts.authBackoffMinMs ?? 5000;
    this.authBackoffMaxMs = opts.authBackoffMaxMs ?? 5 * 60_000;
    this.authBackoffMs = this.authBackoffMinMs;
    this.log = opts.log?.child({ cameraId: spec.cameraId, stream: spec.stream });
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
    this.opening?.abort();
    this.opening = undefined;
    clearTimeout(this.retryTimer);
    clearInterval(this.stallTimer);
    const s = this.source;
    this.source = undefined;
    if (s) await s.stop();
    this.setStatus({ state: 'stopped', reason: undefined, detail: undefined });
  }

  private async connect(hedged = false): Promise<void> {
    if (this.stopped) return;
    let source: FrameSource;
    const opening = new AbortController();
    this.opening = opening;
    try {
      source = hedged ? await this.openHedged(opening.signal) : await this.opener.open(this.spec, opening.signal);
    } catch (err) {
      if (opening.signal.aborted) return; // aborted by stop(): its status is 'stopped', not an error
      const e = err as Partial<SessionEnd> & Error;
      this.failed({ code: e.code ?? 'network', message: e.message });
      return;
    }
    if (this.stopped || opening.signal.aborted) {
      await source.stop();
      return;
    }
    this.source = source;
    this.status.sessions++;
    let started = false;
    this.droppedAtLastFrame = source.droppedPackets;
    this.lostAtLastFrame = source.lostPackets ?? 0;
    source.on('frame', (frame) => {
      // A session that ended (stall) may still be parsing what it had read: its frames carry the
      // old session's timestamps and must not reach consumers of the next session.
      if (this.source !== source) return;
      const now = this.clock.nowMs();
      if (!started) {
        started = true;
        this.backoffMs = this.backoffMinMs;
        this.authBackoffMs = this.authBackoffMinMs;
        const away = this.endedAtMs !== undefined ? ` after ${now - this.endedAtMs} ms without video` : '';
        this.log?.info({ url: this.spec.url, sessions: this.status.sessions }, `camera connected${away}`);
        this.lastLoggedFailure = undefined;
        this.endedAtMs = undefined;
        this.setStatus({ state: 'online', reason: undefined, detail: undefined, retryAtMs: undefined });
        this.emit('session-start', source);
      }
      this.status.lastFrameAtMs = now;
      let note = NO_NOTE;
      if (frame.kind === 'video') {
        const dropped = source.droppedPackets;
        const lost = source.lostPackets ?? 0;
        if (dropped !== this.droppedAtLastFrame || lost !== this.lostAtLastFrame) note = { lost: lost - this.lostAtLastFrame, malformed: dropped - this.droppedAtLastFrame };
        this.droppedAtLastFrame = dropped;
        this.lostAtLastFrame = lost;
      }
      this.emit('frame', frame, note);
    });
    source.on('clockOffset', (ms) => {
      if (this.source === source) this.emit('clockOffset', ms);
    });
    source.once('close', (end) => {
      if (this.source !== source) return;
      this.source = undefined;
      clearInterval(this.stallTimer);
      if (started) this.sessionEnded(end);
      if (!this.stopped) this.failed(end, started);
    });
    const openedAt = this.clock.nowMs();
    this.stallTimer = setInterval(() => {
      const last = this.status.lastFrameAtMs !== undefined && started ? this.status.lastFrameAtMs : openedAt;
      if (this.clock.nowMs() - last < this.stallTimeoutMs) return;
      const garbage = source.droppedPackets - this.droppedAtLastFrame;
      const lost = (source.lostPackets ?? 0) - this.lostAtLastFrame;
      // Packets arrived but no frame survived: name what broke them (loss ≠ a silent camera).
      const end: SessionEnd =
        garbage > 0
          ? { code: 'garbage', message: `${garbage} malformed packets and no usable frame for ${this.stallTimeoutMs} ms` }
          : lost > 0
            ? { code: 'loss', message: `${lost} RTP packets lost and no complete frame for ${this.stallTimeoutMs} ms` }
            : { code: 'stall', message: `no frame for ${this.stallTimeoutMs} ms` };
      clearInterval(this.stallTimer);
      this.source = undefined;
      if (started) this.sessionEnded(end);
      void source.stop();
      this.failed(end, started);
    }, Math.min(500, this.stallTimeoutMs));
  }

  /**
   * Right after a session ended, the camera may still be stalled: an attempt sent now can hang
   * until its timeout (10 s) if the camera discards what it received while stalled. So another
   * attempt starts every HEDGE_MS while none has answered (at most MAX_PARALLEL_OPENS); the first
   * session that opens wins, the others are stopped.
   */
  private openHedged(signal: AbortSignal): Promise<FrameSource> {
    return new Promise<FrameSource>((resolve, reject) => {
      let settled = false;
      let pending = 0;
      const finish = (): void => {
        settled = true;
        clearInterval(timer);
      };
      const attempt = (): void => {
        if (settled || this.stopped || pending >= MAX_PARALLEL_OPENS) return;
        pending++;
        this.opener.open(this.spec, signal).then(
          (source) => {
            pending--;
            if (settled) return void source.stop();
            finish();
            resolve(source);
          },
          (err: unknown) => {
            pending--;
            if (settled || pending > 0) return;
            finish();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      };
      const timer = setInterval(attempt, HEDGE_MS);
      attempt();
    });
  }

  private sessionEnded(end: SessionEnd): void {
    this.endedAtMs = this.clock.nowMs();
    this.log?.info({ reason: end.code, detail: end.message }, 'camera session ended, reconnecting');
    this.emit('session-end', end);
  }

  /** `delivered`: the session had video, so the camera was fine a moment ago: retry at once. */
  private failed(end: SessionEnd, delivered = false): void {
    let delay: number;
    if (end.code === 'auth') {
      delay = this.authBackoffMs;
      this.authBackoffMs = Math.min(this.authBackoffMaxMs, this.authBackoffMs * 2);
    } else if (delivered) {
      delay = 0;
      this.backoffMs = this.backoffMinMs;
    } else {
      delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMaxMs, this.backoffMs * 2);
    }
    const retryAtMs = this.clock.nowMs() + delay;
    if (!delivered) {
      // One info line per distinct failure, not one per retry (a wrong password would flood the log).
      const key = `${end.code}:${end.message}`;
      if (key !== this.lastLoggedFailure) this.log?.info({ reason: end.code, detail: end.message, retryInMs: delay }, 'camera connection failed');
      else this.log?.debug({ reason: end.code, retryInMs: delay }, 'camera connection failed again');
      this.lastLoggedFailure = key;
    }
    this.setStatus({ state: 'error', reason: end.code, detail: end.message, retryAtMs: this.stopped ? undefined : retryAtMs });
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.connect(delivered), delay);
  }

  private setStatus(patch: Partial<SupervisorStatus>): void {
    this.status = { ...this.status, ...patch, sinceMs: this.clock.nowMs() };
    this.emit('status', this.status);
  }
}
