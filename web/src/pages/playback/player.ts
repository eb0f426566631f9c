// Browser side of the playback socket (docs/design/playback.md): one WebSocket for all cameras,
// one MediaSource per <video>, one clock. Media time t of every camera is wall clock origin + t.
// A camera in a gap shows the gap (its length and reason) while the clock runs through it;
// when every camera is in a long gap the clock jumps to its end after showing it.
import { pbApi } from './pbApi.ts';

export interface GapInfo { startMs: number; endMs: number; reason: string; detail?: string }
export interface SlotView { cameraId: number; name: string; state: 'loading' | 'playing' | 'gap' | 'ended'; gap?: GapInfo; endReason?: string }
export interface PlayerState { clockMs: number; playing: boolean; speed: number; slots: SlotView[]; error?: string; skipping?: GapInfo }

interface Slot {
  cameraId: number;
  name: string;
  video: HTMLVideoElement;
  ms?: MediaSource;
  sb?: SourceBuffer;
  mime?: string;
  url?: string;
  queue: Array<Uint8Array<ArrayBuffer>>;
  gaps: GapInfo[];
  ended?: { atMs: number; reason: string };
  hasData: boolean;
}

const FRAME_MS = 40;
const LONG_GAP_MS = 5000;

export class PlaybackPlayer {
  private ws?: WebSocket;
  private gen = 0;
  private origin = 0;
  private clockMs = 0;
  private speed = 1;
  private playing = true;
  private slots: Slot[] = [];
  private lastTick = performance.now();
  private timers: number[] = [];
  private skipSince?: number;
  private error?: string;

  constructor(private readonly onState: (s: PlayerState) => void) {}

  async open(cameras: Array<{ id: number; name: string; video: HTMLVideoElement }>, atMs: number): Promise<void> {
    this.close();
    this.error = undefined;
    this.slots = cameras.map((c) => ({ cameraId: c.id, name: c.name, video: c.video, queue: [], gaps: [], hasData: false }));
    const { wsPath } = await pbApi.token(cameras.map((c) => c.id), atMs);
    const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + wsPath);
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (e: MessageEvent<string | ArrayBuffer>) => (typeof e.data === 'string' ? this.onJson(JSON.parse(e.data) as Record<string, unknown>) : this.onBinary(new Uint8Array(e.data)));
    ws.onclose = (e) => {
      if (this.ws === ws && e.code !== 1000) this.error = e.reason || `closed (${e.code})`;
    };
    this.ws = ws;
    this.lastTick = performance.now();
    this.timers = [window.setInterval(() => this.tick(), 100), window.setInterval(() => this.report(), 500)];
  }

  seek(atMs: number): void {
    this.sendJson({ type: 'seek', atMs: Math.round(atMs) });
  }

  setSpeed(rate: number): void {
    this.speed = rate;
    for (const s of this.slots) s.video.playbackRate = rate;
    this.sendJson({ type: 'speed', rate });
  }

  play(): void {
    this.playing = true;
  }

  pause(): void {
    this.playing = false;
    for (const s of this.slots) s.video.pause();
  }

  /** One frame forward (paused). */
  step(): void {
    this.pause();
    this.clockMs += FRAME_MS;
    for (const s of this.slots) if (this.buffered(s, this.clockMs)) s.video.currentTime = this.mediaT(this.clockMs);
    this.emit();
  }

  get clock(): number {
    return this.clockMs;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000);
    for (const s of this.slots) this.resetSlot(s, false);
  }

  private sendJson(m: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private report(): void {
    this.sendJson({ type: 'pos', gen: this.gen, atMs: Math.round(this.clockMs) });
  }

  private mediaT(wallMs: number): number {
    return (wallMs - this.origin) / 1000;
  }

  private onJson(m: Record<string, unknown>): void {
    const slot = typeof m.slot === 'number' ? this.slots[m.slot] : undefined;
    if (m.type === 'start') {
      this.gen = m.gen as number;
      this.origin = m.originMs as number;
      this.clockMs = m.atMs as number;
      this.speed = m.speed as number;
      this.skipSince = undefined;
      for (const s of this.slots) this.resetSlot(s, true);
    } else if (m.gen !== undefined && m.gen !== this.gen) {
      return;
    } else if (m.type === 'codec' && slot) {
      slot.mime = m.mime as string;
      this.ensureBuffer(slot);
    } else if (m.type === 'gap' && slot) {
      slot.gaps.push({ startMs: m.startMs as number, endMs: m.endMs as number, reason: m.reason as string, detail: m.detail as string | undefined });
    } else if (m.type === 'end' && slot) {
      slot.ended = { atMs: m.atMs as number, reason: m.reason as string };
    } else if (m.type === 'error') {
      this.error = m.message as string;
    }
  }

  private onBinary(b: Uint8Array<ArrayBuffer>): void {
    const slot = this.slots[b[1]];
    if (!slot || b[2] !== (this.gen & 0xff)) return;
    slot.queue.push(b.subarray(4));
    this.pump(slot);
  }

  private resetSlot(s: Slot, fresh: boolean): void {
    s.queue = [];
    s.gaps = [];
    s.ended = undefined;
    s.hasData = false;
    s.sb = undefined;
    s.video.removeAttribute('src');
    if (s.url) URL.revokeObjectURL(s.url);
    s.url = undefined;
    s.ms = undefined;
    if (!fresh) return;
    const ms = new MediaSource();
    s.ms = ms;
    s.url = URL.createObjectURL(ms);
    s.video.src = s.url;
    s.video.playbackRate = this.speed;
    ms.addEventListener('sourceopen', () => this.ensureBuffer(s), { once: true });
  }

  private ensureBuffer(s: Slot): void {
    if (!s.ms || s.ms.readyState !== 'open' || !s.mime) return;
    if (s.sb) {
      s.sb.changeType(s.mime);
      return;
    }
    if (!MediaSource.isTypeSupported(s.mime)) {
      this.error = `浏览器不支持该编码 (${s.mime})`;
      return;
    }
    const sb = s.ms.addSourceBuffer(s.mime);
    sb.addEventListener('updateend', () => {
      if (!s.hasData && sb.buffered.length > 0) {
        s.hasData = true;
        if (this.buffered(s, this.clockMs)) s.video.currentTime = this.mediaT(this.clockMs);
      }
      this.pump(s);
    });
    s.sb = sb;
    this.pump(s);
  }

  private pump(s: Slot): void {
    const sb = s.sb;
    if (!sb || sb.updating || s.queue.length === 0 || s.ms?.readyState !== 'open') return;
    const t = s.video.currentTime;
    if (sb.buffered.length > 0 && sb.buffered.start(0) < t - 60) {
      sb.remove(0, t - 30); // keep memory bounded; updateend pumps again
      return;
    }
    try {
      sb.appendBuffer(s.queue.shift()!);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  private buffered(s: Slot, wallMs: number): boolean {
    if (!s.sb) return false;
    const t = this.mediaT(wallMs);
    const b = s.sb.buffered;
    for (let i = 0; i < b.length; i++) if (t >= b.start(i) - 0.001 && t < b.end(i) - 0.01) return true;
    return false;
  }

  private statusAt(s: Slot, wallMs: number): { state: SlotView['state']; gap?: GapInfo } {
    const gap = s.gaps.find((g) => wallMs >= g.startMs - 50 && wallMs < g.endMs);
    if (gap) return { state: 'gap', gap };
    if (s.ended && wallMs >= s.ended.atMs - 50) return { state: 'ended' };
    return { state: this.buffered(s, wallMs) ? 'playing' : 'loading' };
  }

  private tick(): void {
    const now = performance.now();
    const dt = now - this.lastTick;
    this.lastTick = now;
    const status = this.slots.map((s) => this.statusAt(s, this.clockMs));
    if (this.playing) {
      const master = this.slots.find((s, i) => status[i].state === 'playing' && !s.video.paused && s.video.readyState >= 2);
      if (master) {
        this.clockMs = this.origin + master.video.currentTime * 1000;
        this.skipSince = undefined;
      } else if (status.every((x) => x.state === 'gap' || x.state === 'ended')) {
        // Nobody has pictures now: the clock runs through the gap; a long one is shown, then skipped.
        const gapEnd = Math.min(...status.map((x) => x.gap?.endMs ?? Infinity));
        if (Number.isFinite(gapEnd) && (gapEnd - this.clockMs) / this.speed > LONG_GAP_MS) {
          this.skipSince ??= now;
          if (now - this.skipSince > 1500) {
            this.clockMs = gapEnd;
            this.skipSince = undefined;
          }
        } else this.clockMs += dt * this.speed;
      }
    }
    const target = this.mediaT(this.clockMs);
    this.slots.forEach((s, i) => {
      const st = this.statusAt(s, this.clockMs);
      if (st.state === 'playing') {
        if (Math.abs(s.video.currentTime - target) > 0.3) s.video.currentTime = target;
        if (s.video.playbackRate !== this.speed) s.video.playbackRate = this.speed;
        if (this.playing && s.video.paused) void s.video.play().catch(() => undefined);
      } else if (!s.video.paused && st.state !== 'loading') s.video.pause();
      status[i] = st;
    });
    this.emit(status);
  }

  private emit(status = this.slots.map((s) => this.statusAt(s, this.clockMs))): void {
    const skipping = this.skipSince !== undefined ? status.find((x) => x.gap)?.gap : undefined;
    this.onState({
      clockMs: this.clockMs,
      playing: this.playing,
      speed: this.speed,
      error: this.error,
      skipping,
      slots: this.slots.map((s, i) => ({ cameraId: s.cameraId, name: s.name, state: status[i].state, gap: status[i].gap, endReason: s.ended?.reason })),
    });
  }
}
