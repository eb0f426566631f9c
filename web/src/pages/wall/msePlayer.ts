// One tile's MediaSource: a new MediaSource per init segment (camera reconnect or new resolution),
// appends in order, keeps at most a few seconds buffered and stays at the live edge.
import type { ChannelHandler } from './liveClient.ts';

export interface PlayerEvents {
  onState(state: string, reason?: string): void;
  onFrame(): void;
}

export class MsePlayer implements ChannelHandler {
  private ms?: MediaSource;
  private sb?: SourceBuffer;
  private queue: Uint8Array[] = [];
  private codec = '';
  private url?: string;
  private wallAtZeroMs?: number;
  private waitKey = false;
  /** Server receive time of the frame at media time 0, for latency measurement (bench). */
  lastFrameAtMs = 0;
  firstFrameAtMs = 0;

  constructor(
    readonly video: HTMLVideoElement,
    private readonly ev: PlayerEvents,
  ) {}

  onMeta(m: { wallAtZeroMs?: number; codec?: string }): void {
    if (m.codec) this.codec = m.codec;
    if (m.wallAtZeroMs !== undefined) {
      this.wallAtZeroMs = m.wallAtZeroMs;
      this.video.dataset.wallAtZeroMs = String(m.wallAtZeroMs);
    }
  }

  onInit(_codec: string, init: Uint8Array): void {
    this.reset();
    const type = `video/mp4; codecs="${this.codec || 'avc1.4d401f'}"`;
    if (!MediaSource.isTypeSupported(type)) {
      this.ev.onState('unsupported', this.codec);
      return;
    }
    const ms = new MediaSource();
    this.ms = ms;
    this.url = URL.createObjectURL(ms);
    this.video.src = this.url;
    this.queue = [init.slice()];
    this.waitKey = false;
    ms.addEventListener('sourceopen', () => {
      if (this.ms !== ms) return;
      const sb = ms.addSourceBuffer(type);
      sb.mode = 'segments';
      this.sb = sb;
      sb.addEventListener('updateend', () => this.flush());
      this.flush();
    });
  }

  onMedia(fragment: Uint8Array, keyframe: boolean): void {
    if (!this.ms) return;
    if (this.waitKey && !keyframe) return;
    this.waitKey = false;
    if (this.queue.length > 100 && this.sb) {
      // The decoder fell behind (busy page): drop to the next keyframe rather than grow.
      this.queue = [];
      this.waitKey = true;
      return;
    }
    this.queue.push(fragment.slice());
    this.lastFrameAtMs = Date.now();
    if (!this.firstFrameAtMs) this.firstFrameAtMs = this.lastFrameAtMs;
    this.ev.onFrame();
    this.flush();
  }

  onStatus(state: string, reason?: string): void {
    this.ev.onState(state, reason);
  }

  onError(code: string): void {
    this.ev.onState('refused', code);
  }

  /** Camera→screen latency of the picture shown now, ms (NaN before the first frame). */
  latencyMs(): number {
    if (this.wallAtZeroMs === undefined) return Number.NaN;
    return Date.now() - (this.wallAtZeroMs + this.video.currentTime * 1000);
  }

  private flush(): void {
    const sb = this.sb;
    if (!sb || sb.updating || this.queue.length === 0) return;
    const next = this.queue.shift()!;
    try {
      sb.appendBuffer(next as Uint8Array<ArrayBuffer>);
    } catch {
      this.trim(sb);
      return;
    }
    this.chaseLiveEdge(sb);
  }

  private chaseLiveEdge(sb: SourceBuffer): void {
    const b = sb.buffered;
    if (b.length === 0) return;
    const end = b.end(b.length - 1);
    const v = this.video;
    if (v.paused) void v.play().catch(() => undefined);
    // Show the GOP's keyframe first (picture at once), then catch up with the live edge.
    if (v.getVideoPlaybackQuality().totalVideoFrames === 0) return;
    const lag = end - v.currentTime;
    // Stay ~0.2–0.5 s behind the newest frame: jump when far behind (join, gap), else nudge the rate.
    if (lag > 1.2 || v.currentTime < b.start(b.length - 1)) v.currentTime = Math.max(b.start(b.length - 1), end - 0.3);
    else v.playbackRate = lag > 0.5 ? 1.1 : lag < 0.15 ? 0.95 : 1;
    if (b.start(0) < end - 10 && !sb.updating) this.trim(sb);
  }

  private trim(sb: SourceBuffer): void {
    const b = sb.buffered;
    if (b.length === 0 || sb.updating) return;
    try {
      sb.remove(0, Math.max(0, b.end(b.length - 1) - 4));
    } catch {
      /* removal races with an append: the next append retries */
    }
  }

  reset(): void {
    this.sb = undefined;
    this.queue = [];
    if (this.ms && this.ms.readyState === 'open') {
      try {
        this.ms.endOfStream();
      } catch {
        /* already ended */
      }
    }
    this.ms = undefined;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
    this.wallAtZeroMs = undefined;
  }

  destroy(): void {
    this.reset();
    this.video.removeAttribute('src');
    this.video.load();
  }
}
