// Fan-out of one camera stream to its live viewers (docs/design/live.md). Frames are copied once
// on entry (incoming NAL units point into socket buffers); the frames since the last keyframe
// are kept so that a late joiner starts at once; every viewer has a bounded queue and a viewer
// that falls behind skips to the next keyframe instead of slowing anyone else.
import { sameVideoParams } from '../media/params-equal.ts';
import type { VideoFrame, VideoParams } from '../media/types.ts';

export interface LiveStatus {
  state: 'connecting' | 'online' | 'error' | 'stopped';
  reason?: string;
  detail?: string;
  atMs: number;
}

export type QueueItem = { kind: 'init'; params: VideoParams } | { kind: 'frame'; frame: VideoFrame; bytes: number };

export interface HubLimits {
  /** GOP kept for late joiners; beyond either bound the GOP is dropped (joiners wait for a keyframe). */
  gopMaxBytes: number;
  gopMaxFrames: number;
  /** Per-viewer queue; beyond either bound the viewer skips to the next keyframe. */
  queueMaxBytes: number;
  queueMaxFrames: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = { gopMaxBytes: 8 << 20, gopMaxFrames: 300, queueMaxBytes: 2 << 20, queueMaxFrames: 100 };

/** A viewer's bounded queue. The consumer calls `take()` when its transport can accept more. */
export class ViewerQueue {
  private items: QueueItem[] = [];
  private head = 0;
  bytes = 0;
  /** Frames dropped because this viewer was too slow (including those skipped until a keyframe). */
  skippedFrames = 0;
  sentFrames = 0;
  /** Non-key frames not queued because this viewer takes keyframes only (overview tile, issue 16). */
  filteredFrames = 0;
  /** Overview tile: only keyframes are queued (LiveHub.setKeyOnly switches). */
  keyOnly = false;
  private waitKeyframe = true;
  /**
   * Frames dropped since the last one taken because this viewer was too slow (not those before the
   * first keyframe of a session): the next frame sent says so (ws-session.ts flag bit 1), so the
   * browser counts them as pictures it lost (web/src/pages/wall/rateGovernor.ts).
   */
  private slowSkipped = 0;
  private overflowed = false;

  constructor(
    private readonly limits: Pick<HubLimits, 'queueMaxBytes' | 'queueMaxFrames'>,
    /** Called after items are added (synchronously, from the camera's frame event). */
    readonly notify: () => void,
    readonly onStatus: (s: LiveStatus) => void = () => undefined,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  pushInit(params: VideoParams): void {
    this.items.push({ kind: 'init', params });
    this.waitKeyframe = true;
  }

  pushFrame(frame: VideoFrame, bytes: number): void {
    if (this.keyOnly && !frame.keyframe) {
      this.filteredFrames++;
      return;
    }
    if (this.waitKeyframe && !frame.keyframe) {
      this.skippedFrames++;
      if (this.overflowed) this.slowSkipped++;
      return;
    }
    this.waitKeyframe = false;
    this.overflowed = false;
    if (this.length >= this.limits.queueMaxFrames || this.bytes + bytes > this.limits.queueMaxBytes) {
      this.overflow();
      if (!frame.keyframe) {
        this.skippedFrames++;
        this.slowSkipped++;
        return;
      }
      this.overflowed = false;
      this.waitKeyframe = false;
    }
    this.items.push({ kind: 'frame', frame, bytes });
    this.bytes += bytes;
  }

  /** Frames skipped for slowness before the next frame taken (then 0 again). */
  takeSlowSkipped(): number {
    const n = this.slowSkipped;
    this.slowSkipped = 0;
    return n;
  }

  take(): QueueItem | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as QueueItem;
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (item.kind === 'frame') {
      this.bytes -= item.bytes;
      this.sentFrames++;
    }
    return item;
  }

  /**
   * Keeps the queued inits and what `keep` accepts of the queued frames, in order; `then` (frames
   * of the current GOP) follow, from their keyframe. Frames left out are not counted as skipped:
   * they are either not wanted (key only) or sent again with the GOP.
   */
  restart(keep: (f: VideoFrame) => boolean, then: readonly { frame: VideoFrame; bytes: number }[]): void {
    const kept: QueueItem[] = [];
    this.bytes = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const it = this.items[i];
      if (it.kind === 'frame' && !keep(it.frame)) continue;
      kept.push(it);
      if (it.kind === 'frame') this.bytes += it.bytes;
    }
    this.items = kept;
    this.head = 0;
    if (then.length > 0) this.waitKeyframe = true;
    for (const g of then) this.pushFrame(g.frame, g.bytes);
  }

  /** Empties the queue, keeping the newest init; the viewer resumes at the next keyframe. */
  private overflow(): void {
    let init: QueueItem | undefined;
    for (let i = this.head; i < this.items.length; i++) {
      const it = this.items[i];
      if (it.kind === 'init') init = it;
      else {
        this.skippedFrames++;
        this.slowSkipped++;
      }
    }
    this.overflowed = true;
    this.items = init ? [init] : [];
    this.head = 0;
    this.bytes = 0;
    this.waitKeyframe = true;
  }
}

/** Copies a frame's NAL units into one new buffer (the hub keeps frames beyond the socket's life). */
export function copyFrame(f: VideoFrame): { frame: VideoFrame; bytes: number } {
  let total = 0;
  for (const n of f.nalus) total += n.length;
  const buf = new Uint8Array(total);
  const nalus: Uint8Array[] = [];
  let o = 0;
  for (const n of f.nalus) {
    buf.set(n, o);
    nalus.push(buf.subarray(o, o + n.length));
    o += n.length;
  }
  return { frame: { kind: 'video', pts90k: f.pts90k, keyframe: f.keyframe, nalus, receivedAtMs: f.receivedAtMs }, bytes: total };
}

export class LiveHub {
  private readonly viewers = new Set<ViewerQueue>();
  private gop: { frame: VideoFrame; bytes: number }[] = [];
  private gopBytes = 0;
  private params?: VideoParams;
  private framesSinceParams = false;
  status: LiveStatus;
  framesIn = 0;

  constructor(
    readonly key: string,
    private readonly limits: HubLimits = DEFAULT_HUB_LIMITS,
    nowMs: number = Date.now(),
  ) {
    this.status = { state: 'connecting', atMs: nowMs };
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  get currentParams(): VideoParams | undefined {
    return this.params;
  }

  /** Memory held for late joiners, bytes. */
  get gopBytesHeld(): number {
    return this.gopBytes;
  }

  get gopFrames(): number {
    return this.gop.length;
  }

  addViewer(notify: () => void, onStatus?: (s: LiveStatus) => void, keyOnly = false): ViewerQueue {
    const q = new ViewerQueue(this.limits, notify, onStatus);
    q.keyOnly = keyOnly;
    this.viewers.add(q);
    onStatus?.(this.status);
    if (this.params) {
      q.pushInit(this.params);
      for (const g of this.gop) q.pushFrame(g.frame, g.bytes);
      if (q.length > 0) notify();
    }
    return q;
  }

  /**
   * Overview ↔ full rate (issue 16), without a new init (the tile keeps its MediaSource and its
   * picture). To key only: queued non-key frames go. To full: the queue restarts at the current
   * GOP's keyframe (the one the tile shows now, sent again) with the frames since, so the tile
   * plays at full rate at once instead of waiting up to a GOP for the next keyframe.
   */
  setKeyOnly(q: ViewerQueue, keyOnly: boolean): void {
    if (q.keyOnly === keyOnly || !this.viewers.has(q)) return;
    q.keyOnly = keyOnly;
    if (keyOnly) q.restart((f) => f.keyframe, []);
    else q.restart(() => false, this.gop); // queued frames are keyframes of this GOP or older ones
    q.notify();
  }

  viewerQueues(): ViewerQueue[] {
    return [...this.viewers];
  }

  removeViewer(q: ViewerQueue): void {
    this.viewers.delete(q);
  }

  /**
   * New stream parameters (session start, resolution change): viewers get a new init segment, which
   * also restarts their time base. The same parameters again before any frame (the SDP's at session
   * start, then the first keyframe's in-band ones) are no news: a second init would make every
   * viewer recreate its MediaSource before the first picture.
   */
  setParams(params: VideoParams): void {
    if (this.params && !this.framesSinceParams && sameVideoParams(this.params, params)) return;
    this.params = params;
    this.framesSinceParams = false;
    this.gop = [];
    this.gopBytes = 0;
    for (const q of [...this.viewers]) q.pushInit(params);
  }

  pushFrame(incoming: VideoFrame): void {
    if (incoming.newParams) this.setParams(incoming.newParams);
    if (!this.params) return;
    this.framesIn++;
    this.framesSinceParams = true;
    const { frame, bytes } = copyFrame(incoming);
    if (frame.keyframe) {
      this.gop = [];
      this.gopBytes = 0;
    }
    if (this.gop.length > 0 || frame.keyframe) {
      if (this.gop.length >= this.limits.gopMaxFrames || this.gopBytes + bytes > this.limits.gopMaxBytes) {
        this.gop = []; // too long a GOP to keep: joiners wait for the next keyframe
        this.gopBytes = 0;
      } else {
        this.gop.push({ frame, bytes });
        this.gopBytes += bytes;
      }
    }
    // A snapshot: a viewer's notify may add a viewer to this hub (a socket switching to the
    // transcoded hub adds the transcoder here), which got this frame with the GOP already.
    for (const q of [...this.viewers]) {
      if (!this.viewers.has(q)) continue;
      q.pushFrame(frame, bytes);
      q.notify();
    }
  }

  /** The stream ended (camera dropped): the GOP is stale; viewers are told at once. */
  sessionEnded(): void {
    this.gop = [];
    this.gopBytes = 0;
  }

  setStatus(s: LiveStatus): void {
    this.status = s;
    for (const q of [...this.viewers]) if (this.viewers.has(q)) q.onStatus(s);
  }
}
