// Opens cameras over RTSP with the in-process client and turns RTP into frames. No decoding:
// frames carry the NAL units as they came (DESIGN: no decoding on the hot path).
import { EventEmitter } from 'node:events';
import { createDepacketizer } from '../media/rtp/depacketize/index.ts';
import { RtspClient, RtspClientError } from '../media/rtsp/client.ts';
import type { StatedClock } from '../media/rtsp/date-clock.ts';
import type { AudioParams, Depacketizer, MediaFrame, VideoParams } from '../media/types.ts';
import type { CameraOpener, FrameSource, FrameSourceEvents, SessionEnd, StreamSpec } from './source.ts';
import { OpenError } from './source.ts';
import { StreamCheck } from './stream-check.ts';

/** Frames kept while open() is still resolving (a few seconds of video at most). */
const MAX_EARLY_FRAMES = 300;
/** Frames held in quarantine at most (a check window is at most about a second). */
const MAX_HELD_FRAMES = 600;

class RtspFrameSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  private depacketizers?: Array<Depacketizer | undefined>;
  private videoTrack = -1;
  private early?: MediaFrame[] = [];
  private check?: StreamCheck;
  private ended = false;
  /**
   * Frames held until the stream check passes a window: from the session's start, and again after
   * any bad packet. A random "keyframe" inside garbage is then never delivered (never recorded);
   * a healthy stream only waits for its first window (≤ 50 packets or 1 s).
   */
  private held?: MediaFrame[] = [];

  /** Listeners go on before start(): packets can arrive in the same read as the PLAY answer. */
  constructor(private readonly client: RtspClient) {
    super();
    client.on('rtp', (track, packet, receivedAtMs) => {
      const d = this.tracks()[track];
      if (!d || this.ended) return;
      if (track === this.videoTrack && this.check) {
        // Garbage never reaches the depacketizer: a bad packet becomes a loss (R-REC-4, issue 12).
        const { good, verdict } = this.check.push(packet.payload, receivedAtMs);
        if (verdict === 'ok') this.release();
        if (verdict && verdict !== 'ok') {
          const claimed = this.check.codec.toUpperCase();
          this.end({
            code: verdict,
            message:
              verdict === 'codec-mismatch'
                ? `the SDP announces ${claimed} but the camera sends another codec`
                : `the video payload is not ${claimed} (${this.check.badPackets} malformed packets)`,
          });
          return;
        }
        if (!good) {
          this.held ??= [];
          return;
        }
      }
      for (const frame of d.push(packet, receivedAtMs)) {
        if (this.held) {
          if (this.held.length < MAX_HELD_FRAMES) this.held.push(frame);
        } else this.deliver(frame);
      }
    });
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event !== 'frame' || !this.early) return;
      const early = this.early;
      this.early = undefined;
      queueMicrotask(() => {
        for (const f of early) this.emit('frame', f);
      });
    });
    client.on('sr', (track, sr) => {
      if (track === this.videoTrack) this.emit('clockOffset', Math.round(sr.ntpMs - sr.receivedAtMs));
    });
    client.once('close', (reason) => {
      if (this.ended) return;
      this.ended = true;
      this.emit('close', reason);
    });
  }

  private deliver(frame: MediaFrame): void {
    if (this.early) {
      // Nobody listens yet (open() has not returned): keep the session's first frames.
      if (this.early.length < MAX_EARLY_FRAMES) this.early.push(frame);
    } else this.emit('frame', frame);
  }

  /** The stream check passed a window: what was held is the camera's video after all. */
  private release(): void {
    const held = this.held;
    this.held = undefined;
    if (held) for (const f of held) this.deliver(f);
  }

  /** Ends the session for a reason of ours (garbage): 'close' carries it, then the client stops. */
  private end(reason: SessionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('close', reason);
    void this.client.stop();
  }

  /** Depacketizers, made once the SDP is known. */
  tracks(): Array<Depacketizer | undefined> {
    this.depacketizers ??= this.client.tracks.map((t, i) => {
      try {
        const d = createDepacketizer(t.media);
        if (t.media.type === 'video' && this.videoTrack < 0) {
          this.videoTrack = i;
          const enc = t.media.encoding.toUpperCase();
          this.check = new StreamCheck(enc === 'H264' ? 'h264' : 'h265');
        }
        return d;
      } catch {
        return undefined; // an unsupported extra track (e.g. metadata) is ignored
      }
    });
    if (!this.check) this.held = undefined; // nothing to check: nothing to hold
    return this.depacketizers;
  }

  get video(): VideoParams | undefined {
    const tracks = this.tracks();
    return this.videoTrack >= 0 ? tracks[this.videoTrack]?.videoParams : undefined;
  }

  get audio(): AudioParams | undefined {
    for (const d of this.tracks()) if (d?.audioParams) return d.audioParams;
    return undefined;
  }

  get droppedPackets(): number {
    let n = this.check?.badPackets ?? 0;
    for (const d of this.tracks()) n += d?.droppedPackets ?? 0;
    return n + this.client.garbageBytes;
  }

  get lostPackets(): number {
    let n = 0;
    for (const d of this.tracks()) if (d && 'lostPackets' in d) n += (d as { lostPackets: number }).lostPackets;
    return n;
  }

  get statedClock(): StatedClock | undefined {
    return this.client.statedClock;
  }

  requestKeyframe(): string | undefined {
    const via = this.ended ? undefined : this.client.requestKeyframe();
    return via ? `rtcp-${via}` : undefined;
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}

export class RtspCameraOpener implements CameraOpener {
  constructor(private readonly opts: { timeoutMs?: number; now?: () => number } = {}) {}

  async open(spec: StreamSpec, signal?: AbortSignal): Promise<FrameSource> {
    if (signal?.aborted) throw new OpenError('stopped', 'stopped before connecting');
    const client = new RtspClient({
      url: spec.url,
      username: spec.username,
      password: spec.password,
      transport: spec.transport ?? 'tcp',
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      now: this.opts.now,
      userAgent: 'xuncha',
    });
    const source = new RtspFrameSource(client);
    // stop() during start() closes the socket: the pending request rejects with 'stopped' at once.
    const abort = (): void => void client.stop();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await client.start();
    } catch (err) {
      await client.stop();
      if (err instanceof RtspClientError) throw new OpenError(err.code, err.message);
      throw new OpenError('internal', (err as Error).message);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    if (!client.tracks.some((t) => t.media.type === 'video')) {
      await client.stop();
      throw new OpenError('unsupported', 'the camera offers no video track');
    }
    return source;
  }
}
