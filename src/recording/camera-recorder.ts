// Records one camera: a run per camera session, cut into files at keyframes. Frames are written
// as received; the run's end is its media end so that gaps are exact (docs/design/recording.md).
import type { Logger } from 'pino';
import type { EventBus } from '../events/bus.ts';
import type { FrameNote } from '../ingest/supervisor.ts';
import type { AudioParams, MediaFrame, VideoFrame, VideoParams } from '../media/types.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { Clock } from '../util/clock.ts';
import type { FileStore } from './file-store.ts';
import type { IndexWriter, RunHandle } from './index-writer.ts';
import { RecordingFile } from './recording-file.ts';

export interface RecorderOptions {
  /** A new file starts at the first keyframe after this much media. */
  fileDurationMs: number;
  fragmentDurationMs: number;
  /** After a write error, wait this long before trying a new run. */
  writeRetryMs: number;
}

export const DEFAULT_RECORDER_OPTIONS: RecorderOptions = { fileDurationMs: 180_000, fragmentDurationMs: 500, writeRetryMs: 10_000 };

/**
 * Unwritten bytes one camera may hold in memory (about 2 minutes at 4 Mb/s). Past it the run ends
 * as 'write-backlog': an honest, alarmed gap instead of a process that grows until it is killed.
 */
export const MAX_PENDING_WRITE_BYTES = 64 * 1024 * 1024;

/**
 * A step between consecutive video timestamps of one run at or past this (or any step backwards)
 * means the camera's clock jumped: a file cannot hold it, so the run ends as 'timestamp-jump' and
 * the next keyframe starts a new one (the gap then shows what was lost, R-REC-4).
 */
const MAX_TIMESTAMP_STEP_90K = 10 * 90_000;

/**
 * The continuity rule (R-REC-4, issue 12; docs/design/recording.md): a second is recorded only if
 * its frames arrived with continuous timestamps. A step between consecutive video frames longer than
 * HOLE_FRAME_INTERVALS frame intervals (the interval learned from the stream) is a hole: the run
 * ends at the last good frame with the hole's cause (stall, loss, garbage, timestamp-jump) and the
 * next keyframe starts a new run, so the index, API, timeline, report and alarm all show the gap.
 */
export const HOLE_FRAME_INTERVALS = 3;
/** Frame interval assumed until the stream shows its own (25 fps), and the largest one learned. */
const DEFAULT_FRAME_INTERVAL_90K = 3600;
const MAX_FRAME_INTERVAL_90K = 90_000;
/**
 * The camera's media clock falling this far behind the wall clock after a pause in arrivals, and
 * staying behind for CLOCK_PAUSE_CONFIRM_MS, means the camera stopped sending without advancing its
 * timestamps (a freeze): the run ends as 'stall'. A burst after a network hiccup or a busy event
 * loop catches up within the confirmation time and ends nothing.
 */
const CLOCK_PAUSE_MS = 1000;
const CLOCK_PAUSE_CONFIRM_MS = 1000;
/**
 * A run's wall-clock start is anchored on its frames' arrivals, not on its first keyframe's alone:
 * under load that keyframe is read late (the event loop was busy) and the whole run would be shifted
 * late by it. During the first ANCHOR_WINDOW_MS of media, a frame that arrived earlier than the
 * anchor predicts (arrival − media offset < started_at_ms) moves the run's start, and its files'
 * start times, back to it. Limited to a window so that a camera clock running fast (ppm drift, 0.4 ms
 * per 10 s at 40 ppm) cannot drag a long run's start back over hours.
 */
const ANCHOR_WINDOW_MS = 10_000;

interface ActiveRun {
  handle: RunHandle;
  firstPts90k: number;
  video: VideoParams;
  audio?: AudioParams;
  file?: RecordingFile;
  fileSeq: number;
  lastPts90k: number;
  lastDuration90k: number;
  /** Recent positive steps between video frames, to learn the frame interval. */
  steps90k: number[];
  frameInterval90k: number;
  lastReceivedAtMs: number;
  /** Wall clock minus media clock (ms) of the earliest frame; later frames lag it by network jitter. */
  baseLagMs: number;
  /** started_at_ms as first anchored: the files' names carry it, however the anchor moves later. */
  nameMs: number;
  /** Files begun while the anchor may still move (the first ANCHOR_WINDOW_MS of media). */
  anchoredFiles: RecordingFile[];
  /** Set while arrivals paused and the media clock has not caught up yet. */
  pausedSinceMs?: number;
  finishing: Array<Promise<void>>;
}

export class CameraRecorder {
  private run?: ActiveRun;
  private wanted = false;
  /** Why recording is not wanted now ('schedule', 'disk-pressure'), from setWanted. */
  private notWantedReason = 'schedule';
  private audio?: AudioParams;
  private video?: VideoParams;
  private clockOffsetMs: number | null = null;
  private writeBlockedUntilMs = 0;
  private lastError?: string;
  private readonly pendingEnds = new Set<Promise<void>>();
  private lostSinceFrame = 0;
  private malformedSinceFrame = 0;
  /** Between sessionStarted and sessionEnded: the camera is online, so `held` is what the console shows. */
  private inSession = false;
  /** The recording state last logged ('recording' or a held reason); undefined before the first. */
  private loggedState?: string;

  constructor(
    readonly cameraId: number,
    private readonly deps: { files: FileStore; index: IndexWriter; clock: Clock; events: EventBus; log: Logger },
    private readonly opts: RecorderOptions = DEFAULT_RECORDER_OPTIONS,
  ) {}

  get recording(): boolean {
    return this.run !== undefined;
  }

  get error(): string | undefined {
    return this.lastError;
  }

  /**
   * Why no run is open (undefined while recording): 'schedule' or 'disk-pressure' (not wanted now),
   * 'disk-full' (no run until retention frees space), 'write-error' (waiting to retry after a failed
   * write), 'keyframe' (wanted, waiting for the camera's next keyframe).
   */
  get held(): string | undefined {
    if (this.run) return undefined;
    if (!this.wanted) return this.notWantedReason;
    if (this.deps.files.diskFull?.()) return 'disk-full';
    if (this.deps.clock.nowMs() < this.writeBlockedUntilMs) return 'write-error';
    return 'keyframe';
  }

  /** Whether recording is wanted now (continuous mode or inside a required window). */
  setWanted(wanted: boolean, reason = 'schedule'): void {
    this.wanted = wanted;
    this.notWantedReason = reason;
    if (!wanted && this.run) this.endRun(reason, 'recording not required now');
    // The manager calls this every second: also how disk-full and write-error changes get logged.
    this.logHeldChange();
  }

  /**
   * Logs at info when the console's "online, not recording: <why>" state (`held`) changes while the
   * camera is online, with its reason (docs/design/recording.md, "What the console shows").
   */
  logHeldChange(): void {
    if (!this.inSession) return;
    const held = this.held;
    const state = held ?? 'recording';
    if (state === this.loggedState) return;
    const was = this.loggedState;
    this.loggedState = state;
    const detail = held === 'disk-full' || held === 'write-error' ? this.lastError : undefined;
    if (held) this.deps.log.info({ cameraId: this.cameraId, recordingHeld: held, detail, was }, `recording held: ${held}`);
    else this.deps.log.info({ cameraId: this.cameraId, was }, was === undefined ? 'recording started' : 'recording resumed');
  }

  sessionStarted(params: { video?: VideoParams; audio?: AudioParams }): void {
    this.video = params.video;
    this.audio = params.audio;
    this.clockOffsetMs = null;
    // Not logged yet: the session's first frame follows at once (a keyframe starts the run).
    this.inSession = true;
  }

  clockOffset(ms: number): void {
    this.clockOffsetMs = ms;
    if (this.run) {
      this.run.handle.row.clock_offset_ms = ms;
      this.deps.index.updateRun(this.run.handle, { clock_offset_ms: ms });
    }
  }

  /** The hot path: called for every frame of the camera's session. `note`: what the wire lost since the previous video frame. */
  push(frame: MediaFrame, note?: FrameNote): void {
    if (frame.kind === 'video' && frame.newParams) this.video = frame.newParams;
    if (frame.kind === 'video' && note && (note.lost > 0 || note.malformed > 0)) {
      this.lostSinceFrame += note.lost;
      this.malformedSinceFrame += note.malformed;
    }
    let run = this.run;
    if (!run) {
      if (frame.kind === 'video') this.lostSinceFrame = this.malformedSinceFrame = 0;
      if (!this.wanted || frame.kind !== 'video' || !frame.keyframe || !this.video) return;
      if (this.deps.clock.nowMs() < this.writeBlockedUntilMs) return;
      // Disk full: no run until retention reports space back (no zero-length runs or empty files).
      if (this.deps.files.diskFull?.()) return;
      run = this.startRun(frame, this.video);
    }
    if (frame.kind === 'video') {
      const hole = this.holeBefore(run, frame);
      this.lostSinceFrame = this.malformedSinceFrame = 0;
      if (hole) {
        this.endRun(hole.reason, hole.detail);
        // A keyframe starts the next run at once; other frames cannot be decoded without the
        // frames that are missing, so they wait for one (they are part of the gap).
        this.push(frame);
        this.logHeldChange();
        return;
      }
      const step90k = frame.pts90k - run.lastPts90k;
      const needsNewFile =
        !run.file ||
        !run.file.accepts(frame) ||
        (frame.keyframe && frame.pts90k - run.file.firstPts90k >= this.opts.fileDurationMs * 90);
      if (needsNewFile && frame.keyframe) this.newFile(run, frame);
      else if (needsNewFile && run.file && !run.file.accepts(frame)) {
        // New parameters without a keyframe: nothing decodable until one arrives.
        this.closeFile(run);
        return;
      }
      if (step90k > 0) {
        this.learnInterval(run, step90k);
        run.lastDuration90k = run.frameInterval90k;
      }
      run.lastPts90k = frame.pts90k;
      run.lastReceivedAtMs = frame.receivedAtMs;
    }
    run.file?.push(frame);
    if (run.file && run.file.pendingBytes > MAX_PENDING_WRITE_BYTES) {
      this.writeFailed(run, Object.assign(new Error(`disk writes ${Math.round(run.file.pendingBytes / 1e6)} MB behind`), { code: 'EBACKLOG' }));
    }
  }

  /** Applies the continuity rule to the next video frame of the run: undefined = continuous. */
  private holeBefore(run: ActiveRun, frame: VideoFrame): { reason: string; detail: string } | undefined {
    const step90k = frame.pts90k - run.lastPts90k;
    const arrivalGapMs = frame.receivedAtMs - run.lastReceivedAtMs;
    const stepMs = Math.round(step90k / 90);
    if (step90k < 0 || (step90k >= MAX_TIMESTAMP_STEP_90K && arrivalGapMs < stepMs / 2)) {
      return { reason: 'timestamp-jump', detail: `camera timestamps jumped by ${stepMs} ms` };
    }
    const tolerance90k = HOLE_FRAME_INTERVALS * run.frameInterval90k;
    if (step90k > tolerance90k) {
      const missingMs = stepMs - Math.round(run.frameInterval90k / 90);
      const what = `${missingMs} ms of video missing between frames (tolerance ${Math.round(tolerance90k / 90)} ms)`;
      if (this.malformedSinceFrame > 0) return { reason: 'garbage', detail: `${what}: ${this.malformedSinceFrame} malformed packets` };
      if (this.lostSinceFrame > 0) return { reason: 'loss', detail: `${what}: ${this.lostSinceFrame} RTP packets lost` };
      if (arrivalGapMs >= stepMs / 2) return { reason: 'stall', detail: `${what}: no data from the camera for ${arrivalGapMs} ms` };
      return { reason: 'timestamp-jump', detail: `camera timestamps jumped by ${stepMs} ms` };
    }
    // Timestamps continuous: did the camera's clock stop while nothing arrived (a freeze)?
    let lagMs = frame.receivedAtMs - (run.handle.row.started_at_ms + (frame.pts90k - run.firstPts90k) / 90);
    if (lagMs < 0 && frame.pts90k - run.firstPts90k < ANCHOR_WINDOW_MS * 90) lagMs += this.moveStart(run, lagMs);
    if (lagMs < run.baseLagMs) run.baseLagMs = lagMs;
    if (lagMs - run.baseLagMs < CLOCK_PAUSE_MS) run.pausedSinceMs = undefined;
    else if (run.pausedSinceMs === undefined) {
      if (arrivalGapMs >= CLOCK_PAUSE_MS) run.pausedSinceMs = frame.receivedAtMs;
    } else if (frame.receivedAtMs - run.pausedSinceMs >= CLOCK_PAUSE_CONFIRM_MS) {
      return { reason: 'stall', detail: `the camera paused ${Math.round(lagMs - run.baseLagMs)} ms without advancing its timestamps` };
    }
    return undefined;
  }

  /**
   * This frame arrived `lagMs` (< 0) earlier than the run's anchor predicts: the first keyframe was
   * read late. Moves the run's start and its files' start times back; returns the ms moved (≥ 0).
   */
  private moveStart(run: ActiveRun, lagMs: number): number {
    const byMs = Math.ceil(-lagMs);
    const row = run.handle.row;
    row.started_at_ms -= byMs;
    this.deps.index.updateRun(run.handle, { started_at_ms: row.started_at_ms });
    for (const f of run.anchoredFiles) f.moveStart(byMs);
    return byMs;
  }

  private learnInterval(run: ActiveRun, step90k: number): void {
    // The median of recent steps: one late or missing frame does not move it.
    const steps = run.steps90k;
    steps.push(Math.min(step90k, MAX_FRAME_INTERVAL_90K));
    if (steps.length > 15) steps.shift();
    if (steps.length >= 3) run.frameInterval90k = [...steps].sort((a, b) => a - b)[steps.length >> 1];
  }

  /** The camera session ended: the run ends with the session's reason (eof, stall, timeout…). */
  sessionEnded(code: string, message: string): void {
    // Offline is the supervisor's state (logged there), not a held recording.
    this.inSession = false;
    if (this.run) this.endRun(code, message);
  }

  /** Ends everything and waits until the index has been told. */
  async close(reason = 'stopped'): Promise<void> {
    if (this.run) this.endRun(reason, 'recorder stopped');
    await Promise.all([...this.pendingEnds]);
  }

  private startRun(frame: VideoFrame, video: VideoParams): ActiveRun {
    const startedAtMs = frame.receivedAtMs;
    const handle: RunHandle = {
      row: {
        camera_id: this.cameraId,
        stream: 'main',
        started_at_ms: startedAtMs,
        duration_90k: 0,
        ended_at_ms: null,
        end_reason: null,
        end_detail: null,
        video_codec: video.codec,
        width: video.width,
        height: video.height,
        rfc6381: video.rfc6381,
        audio_codec: this.audio?.codec ?? null,
        clock_offset_ms: this.clockOffsetMs,
        frame_count: 0,
      },
    };
    this.deps.index.insertRun(handle);
    const interval90k = video.fps ? Math.min(MAX_FRAME_INTERVAL_90K, Math.round(90_000 / video.fps)) : DEFAULT_FRAME_INTERVAL_90K;
    this.run = {
      handle,
      firstPts90k: frame.pts90k,
      video,
      audio: this.audio,
      fileSeq: 0,
      lastPts90k: frame.pts90k,
      lastDuration90k: interval90k,
      steps90k: [],
      frameInterval90k: interval90k,
      lastReceivedAtMs: frame.receivedAtMs,
      baseLagMs: 0,
      nameMs: startedAtMs,
      anchoredFiles: [],
      finishing: [],
    };
    this.lastError = undefined;
    this.deps.events.emit('recording.run-started', { cameraId: this.cameraId, startedAtMs });
    this.logHeldChange();
    return this.run;
  }

  private newFile(run: ActiveRun, frame: VideoFrame): void {
    this.closeFile(run);
    const start90k = frame.pts90k - run.firstPts90k;
    const startMs = run.handle.row.started_at_ms + Math.round(start90k / 90);
    const day = formatBeijing(startMs).slice(0, 10);
    const relPath = `${this.cameraId}/${day}/${run.nameMs}-${String(run.fileSeq++).padStart(4, '0')}.mp4`;
    if (start90k >= ANCHOR_WINDOW_MS * 90) run.anchoredFiles = [];
    run.file = new RecordingFile(this.deps.files, this.deps.index, run.handle, {
      relPath,
      start90k,
      startMs,
      firstPts90k: frame.pts90k,
      video: frame.newParams ?? this.video ?? run.video,
      audio: run.audio,
      fragmentDurationMs: this.opts.fragmentDurationMs,
      onError: (err) => this.writeFailed(run, err),
    });
    if (start90k < ANCHOR_WINDOW_MS * 90) run.anchoredFiles.push(run.file);
  }

  private closeFile(run: ActiveRun): void {
    if (!run.file) return;
    run.finishing.push(run.file.finish());
    run.file = undefined;
  }

  private endRun(reason: string, detail: string): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    this.closeFile(run);
    const mediaEnd90k = run.lastPts90k + run.lastDuration90k - run.firstPts90k;
    const startedAtMs = run.handle.row.started_at_ms;
    this.deps.events.emit('recording.run-ended', { cameraId: this.cameraId, runId: run.handle.id, startedAtMs, endedAtMs: startedAtMs + Math.round(mediaEnd90k / 90), reason, detail });
    const done = Promise.all(run.finishing).then(() => {
      // The run ends where its durable media ends: what was not written is part of the gap.
      const durable90k = run.handle.row.duration_90k;
      this.deps.index.updateRun(run.handle, { ended_at_ms: startedAtMs + Math.round(durable90k / 90), end_reason: reason, end_detail: detail.slice(0, 500) });
    });
    this.pendingEnds.add(done);
    void done.finally(() => this.pendingEnds.delete(done));
  }

  private writeFailed(run: ActiveRun, err: Error): void {
    const code = (err as NodeJS.ErrnoException).code;
    this.lastError = code === 'ENOSPC' ? 'disk full' : err.message;
    this.deps.log.error({ err, cameraId: this.cameraId }, 'recording write failed');
    this.writeBlockedUntilMs = this.deps.clock.nowMs() + this.opts.writeRetryMs;
    if (this.run === run) this.endRun(code === 'ENOSPC' ? 'disk-full' : code === 'EBACKLOG' ? 'write-backlog' : 'write-error', err.message);
    this.logHeldChange();
  }
}
