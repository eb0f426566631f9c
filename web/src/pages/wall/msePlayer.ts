// One tile's MediaSource: a new MediaSource per init segment (camera reconnect or new resolution),
// appends in order, keeps at most a few seconds buffered and stays at the live edge.
import type { ChannelHandler } from './liveClient.ts';
import { concatBytes } from '../../../../src/media/bytes.ts';
import { decodeTimeS, withKnownDuration } from './fragmentBytes.ts';
import { liveEdgeAction, wallProfile } from './liveEdgePolicy.ts';
import type { WallProfile } from './liveEdgePolicy.ts';
import { StreamGaps, newPlayerCounters } from './playerCounters.ts';
import { cancelFlush, flushSoon } from './appendBatch.ts';
import type { PlayerCounters } from './playerCounters.ts';

export { decodeTimeS };
export type { PlayerCounters };

export interface PlayerEvents {
  onState(state: string, reason?: string): void;
  onFrame(): void;
}

/** Share of the pictures decoded in a sample that were dropped, above which the tile is starved. */
const STARVED_DROP_SHARE = 0.1;
const QUALITY_SAMPLE_MS = 1000;
/** A starved page plays at 1× this long after the last drop (a wall's load changes slowly). */
const STARVED_HOLD_MS = 5000;
/** Until when some tile of this page dropped pictures lately (shared: one browser, one CPU). */
let pageStarvedUntilMs = 0;

export interface PlayerOptions {
  /** Tiles playing on the page (the wall's layout; 1 for full screen): picks the WallProfile. */
  wallTiles?: number;
  /** Overrides of that profile (bench:live's A/B runs). */
  profile?: Partial<WallProfile>;
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

  /** A MediaSource opened ahead (at subscribe time) and not used yet by an init. */
  private ahead?: { ms: MediaSource; url: string; open: boolean };
  private pendingInit?: { type: string; init: Uint8Array };
  /** Only the init segment is queued: wait for the first fragment (it follows at once). */
  private initOnly = false;
  /** Media time (s) of the newest keyframe queued for this MediaSource; -1 before one. */
  private newestKeyS = -1;
  /** getVideoPlaybackQuality totals at the last sample (see sampleQuality). */
  private quality = { atMs: 0, decoded: 0, dropped: 0 };
  private starvedUntilMs = 0;
  /** Overview tile (keyframes only, issue 16): paused on the newest keyframe, one seek per GOP. */
  private overview = false;
  /** When the tile was switched to full rate (its one jump to the live edge is allowed for 3 s). */
  private switchedAtMs = 0;
  readonly counters: PlayerCounters = newPlayerCounters();
  private rateSinceMs = 0;
  readonly profile: WallProfile;
  private readonly gaps = new StreamGaps(this.counters);
  private readonly flushNow = () => this.flush();
  /** This MediaSource's init was given a duration (Chromium: recorded media, frame-threaded decoding). */
  private recorded = false;

  constructor(
    readonly video: HTMLVideoElement,
    private readonly ev: PlayerEvents,
    opts: PlayerOptions = {},
  ) {
    this.profile = { ...wallProfile(opts.wallTiles ?? 1), ...opts.profile };
    // Open the MediaSource while the server looks the camera up: sourceopen (~70 ms) then no
    // longer follows the init segment (time to first frame, docs/benchmarks.md).
    const ms = new MediaSource();
    const ahead = { ms, url: URL.createObjectURL(ms), open: false };
    this.ahead = ahead;
    video.src = ahead.url;
    ms.addEventListener('sourceopen', () => {
      ahead.open = true;
      if (this.ahead === ahead && this.pendingInit) this.useAhead();
    }, { once: true });
  }

  private useAhead(): void {
    const a = this.ahead;
    const p = this.pendingInit;
    if (!a || !p || !a.open) return;
    this.ahead = undefined;
    this.pendingInit = undefined;
    this.ms = a.ms;
    this.url = a.url;
    this.queue = [p.init, ...this.queue]; // fragments that came before sourceopen follow the init
    this.attach(a.ms, p.type);
  }

  private attach(ms: MediaSource, type: string): void {
    const sb = ms.addSourceBuffer(type);
    sb.mode = 'segments';
    this.sb = sb;
    sb.addEventListener('updateend', () => this.flush());
    this.flush();
  }

  /**
   * Overview (the server sends keyframes only) ↔ full rate. The MediaSource and the picture stay:
   * back at full rate the server sends the GOP again from the keyframe shown, which the tile plays
   * at the catch-up rate (every picture shown once) until the live edge or the next keyframe.
   */
  setOverview(on: boolean): void {
    if (this.overview === on) return;
    this.overview = on;
    // Back at full rate by a click: one jump to the live edge (liveEdgePolicy.ts `switching`).
    this.switchedAtMs = on ? 0 : Date.now();
  }

  onMeta(m: { wallAtZeroMs?: number; codec?: string; transcoded?: boolean; fps?: number }): void {
    if (m.fps && m.fps > 0 && m.fps <= 120) this.gaps.frameS = 1 / m.fps;
    if (m.codec) {
      this.codec = m.codec;
      // What the tile plays and whether the server transcoded it (H.265 → H.264), for the tests.
      this.video.dataset.codec = m.codec;
      this.video.dataset.transcoded = String(m.transcoded === true);
    }
    if (m.wallAtZeroMs !== undefined) {
      this.wallAtZeroMs = m.wallAtZeroMs;
      this.video.dataset.wallAtZeroMs = String(m.wallAtZeroMs);
    }
  }

  onInit(_codec: string, rawInit: Uint8Array): void {
    this.reset();
    // Recorded media (WallProfile.recordedInit, off by default; withKnownDuration copies). Not a
    // tile that starts on keyframes only: from there the switch to full rate showed no new picture
    // in recorded mode (overview e2e, 2026-12-07).
    this.recorded = this.profile.recordedInit && !this.overview;
    const init = this.recorded ? withKnownDuration(rawInit) : rawInit;
    this.initOnly = true;
    const type = `video/mp4; codecs="${this.codec || 'avc1.4d401f'}"`;
    if (!MediaSource.isTypeSupported(type)) {
      this.ev.onState('unsupported', this.codec);
      return;
    }
    this.waitKey = false;
    if (this.ahead) {
      // First init: the MediaSource opened at subscribe time (media before sourceopen queues).
      this.pendingInit = { type, init: init.slice() };
      this.ms = this.ahead.ms;
      this.queue = [];
      if (this.ahead.open) this.useAhead();
      return;
    }
    const ms = new MediaSource();
    this.ms = ms;
    this.url = URL.createObjectURL(ms);
    this.video.src = this.url;
    this.queue = [init.slice()];
    // Once: an append after endOfStream (showNewestKey) opens the MediaSource again, with its SourceBuffer.
    ms.addEventListener('sourceopen', () => {
      if (this.ms !== ms) return;
      this.attach(ms, type);
    }, { once: true });
  }

  onMedia(fragment: Uint8Array, keyframe: boolean, afterSkip = false): void {
    if (!this.ms) return;
    if (this.waitKey && !keyframe) return;
    // Pictures this page lost before this one: the server's skip, or the queue dropped just below.
    const lostBefore = (afterSkip || this.waitKey) && !this.overview;
    this.waitKey = false;
    if (this.queue.length > 100 && this.sb) {
      // The decoder fell behind (busy page): drop to the next keyframe rather than grow.
      this.queue = [];
      this.waitKey = true;
      this.counters.queueResets++;
      return;
    }
    if (this.sb?.updating) this.counters.waitedFragments++;
    this.queue.push(fragment.slice());
    const dts = decodeTimeS(fragment);
    if (keyframe) this.newestKeyS = dts ?? this.newestKeyS;
    if (dts !== undefined) this.gaps.add(dts, lostBefore);
    this.initOnly = false;
    this.lastFrameAtMs = Date.now();
    if (!this.firstFrameAtMs) this.firstFrameAtMs = this.lastFrameAtMs;
    this.ev.onFrame();
    if (this.profile.appendBatchMs > 0 && this.sb && !this.overview) flushSoon(this.flushNow, this.profile.appendBatchMs);
    else this.flush();
  }

  /** Pictures shown and lost since this tile's MediaSource opened (for the rate governor, rateGovernor.ts). */
  pictures(): { shown: number; lost: number } {
    const q = this.video.getVideoPlaybackQuality();
    const passedOver = Math.round((this.counters.skippedS + this.counters.gapS) / this.gaps.frameS);
    return { shown: q.totalVideoFrames - q.droppedVideoFrames, lost: q.droppedVideoFrames + passedOver };
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
    if (!sb || sb.updating) return;
    if (this.queue.length === 0) return this.overview ? this.showNewestKey(sb) : undefined; // after updateend: buffered has it
    if (this.initOnly) return; // the init goes in with the GOP burst right behind it: one append
    // Everything queued in one append: a joiner's init + GOP burst (up to 2 s of frames) is one
    // SourceBuffer update instead of one per frame, each waiting for the previous updateend.
    const next = this.queue.length === 1 ? this.queue[0] : concatBytes(this.queue);
    this.counters.appends++;
    this.counters.fragments += this.queue.length;
    this.queue = [];
    try {
      sb.appendBuffer(next as Uint8Array<ArrayBuffer>);
    } catch {
      // Buffer full (QuotaExceededError): what was queued is lost, so resume at a keyframe.
      this.counters.quotaErrors++;
      this.trim(sb);
      this.waitKey = true;
      return;
    }
    if (!this.overview) this.chaseLiveEdge(sb);
  }

  /** Overview: a paused video shows the frame at currentTime, so each new keyframe is one seek. */
  private showNewestKey(sb: SourceBuffer): void {
    const v = this.video;
    const b = sb.buffered;
    if (b.length === 0 || this.newestKeyS < 0) return;
    if (!v.paused) v.pause();
    if (Math.abs(v.currentTime - this.newestKeyS) > 0.001) {
      // Recorded media (a big wall's tile that gave way): the frame-threaded decoder gives a picture
      // out only when the next one goes in, and there is none until the next keyframe. The end of
      // the stream flushes it; the next append opens the MediaSource again (MSE "prepare append").
      if (this.recorded && this.ms?.readyState === 'open') this.ms.endOfStream();
      v.currentTime = this.newestKeyS;
    }
    if (b.start(0) < b.end(b.length - 1) - 10) this.trim(sb);
  }

  private chaseLiveEdge(sb: SourceBuffer): void {
    const b = sb.buffered;
    if (b.length === 0) return;
    const end = b.end(b.length - 1);
    const v = this.video;
    if (v.paused) void v.play().catch(() => undefined);
    // Show the GOP's keyframe first (picture at once), then catch up with the live edge.
    const nowMs = Date.now();
    if (!this.sampleQuality(nowMs)) return;
    const a = liveEdgeAction({ currentTimeS: v.currentTime, startS: b.start(b.length - 1), endS: end, newestKeyS: this.newestKeyS, starved: nowMs < this.starvedUntilMs || nowMs < pageStarvedUntilMs, seeking: v.seeking, switching: nowMs - this.switchedAtMs < 3000, holdS: this.profile.holdS });
    if (a.kind === 'rate') this.setRate(a.rate, nowMs);
    else if (a.kind !== 'wait') {
      if (a.kind === 'key') {
        this.counters.keyJumps++;
        this.counters.skippedS += a.seekToS - v.currentTime;
      } else if (a.kind === 'switch') {
        this.switchedAtMs = 0;
        this.counters.gopJumps++;
      } else this.counters.gapJumps++;
      v.currentTime = a.seekToS;
    }
    if (b.start(0) < end - 10 && !sb.updating) this.trim(sb);
  }

  /**
   * Every ~1 s: did this tile drop pictures (decoded too late to show)? Then the browser does not
   * keep up, and for STARVED_HOLD_MS this tile and every other of the page play at 1× (a faster
   * clock would make it drop more). Returns false before the first decoded picture.
   */
  private sampleQuality(nowMs: number): boolean {
    const q = this.quality;
    if (q.atMs && nowMs - q.atMs < QUALITY_SAMPLE_MS) return true;
    const { totalVideoFrames: decoded, droppedVideoFrames: dropped } = this.video.getVideoPlaybackQuality();
    if (decoded === 0) return false;
    if (q.atMs && dropped - q.dropped > Math.max(1, (decoded - q.decoded) * STARVED_DROP_SHARE)) {
      this.counters.starvedSamples++;
      this.starvedUntilMs = nowMs + STARVED_HOLD_MS;
      pageStarvedUntilMs = Math.max(pageStarvedUntilMs, this.starvedUntilMs);
    }
    this.quality = { atMs: nowMs, decoded, dropped };
    return true;
  }

  /** Only a change reaches the media pipeline (a rate set per append would be 25 calls/s per tile). */
  private setRate(rate: number, nowMs: number): void {
    const v = this.video;
    if (v.playbackRate === rate) return;
    if (v.playbackRate > 1 && this.rateSinceMs) this.counters.speedupS += (nowMs - this.rateSinceMs) / 1000;
    this.rateSinceMs = nowMs;
    this.counters.rateChanges++;
    v.playbackRate = rate;
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
    this.newestKeyS = -1;
    this.gaps.reset();
    cancelFlush(this.flushNow);
    this.quality = { atMs: 0, decoded: 0, dropped: 0 };
  }

  destroy(): void {
    this.reset();
    if (this.ahead) URL.revokeObjectURL(this.ahead.url);
    this.ahead = undefined;
    this.pendingInit = undefined;
    this.video.removeAttribute('src');
    this.video.load();
  }
}
