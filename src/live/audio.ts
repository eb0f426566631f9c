// Camera audio for the wall's per-tile sound (issue 14 item 8, docs/design/live.md "Audio"). The
// browser gets it over WebRTC, which plays G.711 (PCMA/PCMU) natively — MSE cannot. G.711 cameras
// are passed through untouched; AAC cameras go through one ffmpeg per camera (AAC → PCMA 8 kHz)
// that runs only while somebody listens and is shared by all listeners of that camera. Audio
// comes from the main stream's connection (the recorder's: no second camera connection).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { CameraSupervisor } from '../ingest/supervisor.ts';
import type { AudioParams, MediaFrame } from '../media/types.ts';
import { adtsHeader } from '../readiness/audio-level.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { HubLease } from './sources.ts';

export type G711 = 'pcma' | 'pcmu';

export interface G711Packet {
  data: Uint8Array;
  /** Sample ticks at 8 kHz, unwrapped. */
  pts8k: number;
}

/** 20 ms at 8 kHz: one RTP packet of transcoded audio. */
const PACKET_SAMPLES = 160;

/** What the browser will be sent for a camera's audio; undefined without (usable) audio. */
export function g711Of(p: AudioParams | undefined): G711 | undefined {
  if (!p) return undefined;
  if (p.codec === 'pcma' || p.codec === 'pcmu') return p.sampleRate === 8000 ? p.codec : undefined;
  return p.aacConfig && p.aacConfig.length >= 2 ? 'pcma' : undefined;
}

/** One camera's audio, shared by its listeners; torn down with the last one. */
export class AudioFeed {
  private readonly listeners = new Set<(p: G711Packet) => void>();
  private ffmpeg?: ChildProcessWithoutNullStreams;
  private pending: Buffer = Buffer.alloc(0);
  private outPts = 0;
  private closed = false;
  private readonly onFrame = (f: MediaFrame) => this.frame(f);

  constructor(
    private readonly lease: HubLease,
    private readonly sup: CameraSupervisor,
    private readonly onEmpty: () => void,
    private readonly ffmpegPath = process.env.XUNCHA_FFMPEG ?? 'ffmpeg',
  ) {
    sup.on('frame', this.onFrame);
  }

  get codec(): G711 | undefined {
    return g711Of(this.sup.audio);
  }

  /** Whether an ffmpeg runs for this camera now (tests count them). */
  get transcoding(): boolean {
    return Boolean(this.ffmpeg);
  }

  listen(fn: (p: G711Packet) => void): () => void {
    this.listeners.add(fn);
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** The codec once the camera's session has said (a connection just opened has no SDP yet). */
  async waitCodec(timeoutMs: number): Promise<G711 | undefined> {
    const end = Date.now() + timeoutMs;
    while (!this.sup.audio && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return this.codec;
  }

  /** Ends a feed nobody listens to (an answer that was refused). */
  closeIfIdle(): void {
    if (this.listeners.size === 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sup.off('frame', this.onFrame);
    this.ffmpeg?.kill('SIGKILL');
    this.ffmpeg = undefined;
    this.lease.release();
    this.onEmpty();
  }

  private emit(p: G711Packet): void {
    for (const fn of [...this.listeners]) fn(p);
  }

  private frame(f: MediaFrame): void {
    if (f.kind !== 'audio' || this.listeners.size === 0) return;
    const p = this.sup.audio;
    if (!p) return;
    if (p.codec === 'pcma' || p.codec === 'pcmu') {
      this.emit({ data: f.data, pts8k: f.pts });
      return;
    }
    if (!p.aacConfig || p.aacConfig.length < 2) return;
    const ff = this.ffmpeg ?? this.startFfmpeg();
    ff.stdin.write(Buffer.concat([adtsHeader(p.aacConfig, f.data.length), Buffer.from(f.data)]));
  }

  private startFfmpeg(): ChildProcessWithoutNullStreams {
    // Low-latency probing: the input is ADTS, known; without these ffmpeg reads seconds first.
    const args = ['-hide_banner', '-nostdin', '-v', 'error', '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer', '-f', 'aac', '-i', 'pipe:0', '-ac', '1', '-ar', '8000', '-c:a', 'pcm_alaw', '-f', 'alaw', 'pipe:1'];
    const ff = spawn(this.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    ff.stdin.on('error', () => undefined);
    ff.stderr.resume();
    ff.stdout.on('data', (b: Buffer) => {
      this.pending = this.pending.length ? Buffer.concat([this.pending, b]) : b;
      while (this.pending.length >= PACKET_SAMPLES) {
        this.emit({ data: this.pending.subarray(0, PACKET_SAMPLES), pts8k: this.outPts });
        this.outPts += PACKET_SAMPLES;
        this.pending = this.pending.subarray(PACKET_SAMPLES);
      }
    });
    ff.on('close', () => {
      if (this.ffmpeg === ff) this.ffmpeg = undefined;
    });
    this.ffmpeg = ff;
    return ff;
  }
}

/** Feeds by camera: one per camera while it has listeners. */
export class AudioFeeds {
  private readonly feeds = new Map<number, AudioFeed>();

  constructor(private readonly acquireMain: (cam: CameraRow) => HubLease | undefined) {}

  /** The camera's feed (created on first use; call closeIfIdle when not listening); undefined when the stream cannot be opened. */
  feed(cam: CameraRow): AudioFeed | undefined {
    const cameraId = cam.id;
    const have = this.feeds.get(cameraId);
    if (have) return have;
    const lease = this.acquireMain(cam);
    if (!lease?.supervisor) {
      lease?.release();
      return undefined;
    }
    const feed = new AudioFeed(lease, lease.supervisor, () => {
      if (this.feeds.get(cameraId) === feed) this.feeds.delete(cameraId);
    });
    this.feeds.set(cameraId, feed);
    return feed;
  }

  /** ffmpeg processes running for AAC cameras now. */
  transcoding(): number {
    return [...this.feeds.values()].filter((f) => f.transcoding).length;
  }
}
