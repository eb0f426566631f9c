// One playback socket: several cameras on one clock, multiplexed. Binary messages carry
// [kind (1 init, 2 fragment), slot, generation, 0] + fMP4; JSON messages carry start, codec, gap,
// end and speed. The client reports its position; the server keeps a bounded window ahead of it.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { FileStore } from '../recording/file-store.ts';
import { CameraCursor } from './cursor.ts';
import type { PlaybackIndex } from './index-view.ts';

export interface PlaybackSocket {
  send(data: string | Uint8Array): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', fn: () => void): void;
}

export interface SessionCamera {
  id: number;
  name: string;
  gbCode: string;
  scopePath: string;
}

export const SPEEDS = [0.5, 1, 2, 4, 8, 16] as const;
const MAX_BUFFERED = 8 * 1024 * 1024;

interface Slot {
  camera: SessionCamera;
  cursor?: CameraCursor;
  done: boolean;
  waitUntilMs: number;
  /** Wall-clock intervals sent and not yet played, ms. */
  ahead: Array<[number, number]>;
  sent: Array<[number, number]>;
}

export class PlaybackSession {
  private gen = 0;
  private speed = 1;
  private posMs = 0;
  private slots: Slot[];
  private pumping = false;
  private again = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly played: Array<[number, number]> = [];

  constructor(
    private readonly socket: PlaybackSocket,
    private readonly deps: { index: PlaybackIndex; files: FileStore; audit: AuditService; actor: Actor; log: Logger; now: () => number },
    cameras: SessionCamera[],
  ) {
    this.slots = cameras.map((camera) => ({ camera, done: false, waitUntilMs: 0, ahead: [], sent: [] }));
    this.timer = setInterval(() => this.pump(), 250);
    socket.on('message', (data, isBinary) => {
      if (!isBinary) void this.onMessage(data.toString('utf8')).catch((err: unknown) => this.fail(err));
    });
    socket.on('close', () => void this.close().catch((err: unknown) => this.deps.log.error({ err }, 'playback close failed')));
  }

  async begin(atMs: number): Promise<void> {
    await this.deps.audit.record(this.deps.actor, {
      action: 'playback.start',
      objectType: 'camera',
      objectId: this.slots.map((s) => s.camera.id).join(','),
      scopePath: this.slots[0]?.camera.scopePath,
      detail: { cameras: this.slots.map((s) => ({ id: s.camera.id, gbCode: s.camera.gbCode })), atMs },
    });
    await this.seek(atMs);
  }

  private async onMessage(text: string): Promise<void> {
    let m: { type?: string; atMs?: number; rate?: number; gen?: number };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return;
    }
    if (m.type === 'pos' && typeof m.atMs === 'number' && m.gen === this.gen) {
      this.posMs = m.atMs;
      const last = this.played.at(-1);
      if (last) last[1] = Math.max(last[1], m.atMs);
      this.pump();
    } else if (m.type === 'seek' && typeof m.atMs === 'number' && Number.isFinite(m.atMs)) {
      await this.seek(m.atMs);
    } else if (m.type === 'speed' && SPEEDS.includes(m.rate as (typeof SPEEDS)[number])) {
      const crosses = (this.speed > 4) !== (m.rate! > 4);
      this.speed = m.rate!;
      if (crosses) await this.seek(this.posMs);
      else this.sendJson({ type: 'speed', gen: this.gen, rate: this.speed });
    }
  }

  /** Starts every camera again at an instant (a new generation). */
  async seek(atMs: number): Promise<void> {
    const gen = ++this.gen;
    const old = this.slots.map((s) => s.cursor);
    for (const s of this.slots) s.cursor = undefined;
    await Promise.all(old.map((c) => (c ? c.close() : Promise.resolve())));
    const points = await Promise.all(this.slots.map((s) => this.deps.index.startPoint(s.camera.id, atMs)));
    if (gen !== this.gen || this.closed) return;
    const origin90k = Math.floor(Math.min(atMs * 90, ...points.map((p) => p?.keyframe90k ?? Infinity)) / 90) * 90;
    const keyframesOnly = this.speed > 4;
    this.posMs = atMs;
    this.played.push([atMs, atMs]);
    this.sendJson({
      type: 'start',
      gen,
      atMs,
      originMs: origin90k / 90,
      speed: this.speed,
      keyframesOnly,
      slots: this.slots.map((s, i) => ({ slot: i, cameraId: s.camera.id, name: s.camera.name, keyframeMs: points[i] ? points[i].keyframe90k / 90 : null, inGap: points[i]?.inGap ?? true })),
    });
    for (const [i, s] of this.slots.entries()) {
      s.ahead = [];
      s.waitUntilMs = 0;
      s.done = !points[i];
      if (!points[i]) {
        this.sendJson({ type: 'end', gen, slot: i, atMs, reason: 'no-recording' });
        continue;
      }
      const cursor = new CameraCursor(s.camera.id, this.deps.index, this.deps.files, { origin90k, keyframesOnly });
      await cursor.start(points[i], atMs);
      if (gen !== this.gen) return void (await cursor.close());
      s.cursor = cursor;
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pumpLoop()
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.pumping = false;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async pumpLoop(): Promise<void> {
    const gen = this.gen;
    const windowMs = Math.max(8000, 4000 * this.speed);
    let progress = true;
    while (progress && !this.closed && gen === this.gen) {
      progress = false;
      for (const [i, s] of this.slots.entries()) {
        if (s.done || !s.cursor || s.waitUntilMs > this.deps.now() || this.socket.bufferedAmount > MAX_BUFFERED) continue;
        s.ahead = s.ahead.filter(([, e]) => e > this.posMs);
        const aheadMs = s.ahead.reduce((n, [a, e]) => n + e - Math.max(a, this.posMs), 0);
        if (aheadMs >= windowMs) continue;
        let item;
        try {
          item = await s.cursor.next();
        } catch (err) {
          if (gen !== this.gen || this.closed) return; // a seek closed the cursor under us
          throw err;
        }
        if (gen !== this.gen || this.closed) return;
        progress = true;
        if (item.kind === 'init') {
          this.sendJson({ type: 'codec', gen, slot: i, mime: `video/mp4; codecs="${item.codec}"` });
          this.sendBinary(1, i, gen, item.bytes);
        } else if (item.kind === 'frag') {
          const span: [number, number] = [item.start90k / 90, item.end90k / 90];
          s.ahead.push(span);
          addInterval(s.sent, span);
          this.sendBinary(2, i, gen, item.bytes);
        } else if (item.kind === 'gap') {
          this.sendJson({ type: 'gap', gen, slot: i, startMs: item.startMs, endMs: item.endMs, durationMs: item.endMs - item.startMs, reason: item.reason, detail: item.detail });
        } else if (item.kind === 'wait') {
          s.waitUntilMs = this.deps.now() + 1000;
        } else {
          s.done = true;
          this.sendJson({ type: 'end', gen, slot: i, atMs: item.atMs, reason: item.reason });
        }
      }
    }
  }

  private sendJson(m: Record<string, unknown>): void {
    if (this.socket.readyState === 1) this.socket.send(JSON.stringify(m));
  }

  private sendBinary(kind: number, slot: number, gen: number, payload: Uint8Array): void {
    if (this.socket.readyState !== 1) return;
    const out = new Uint8Array(4 + payload.length);
    out.set([kind, slot, gen & 0xff, 0]);
    out.set(payload, 4);
    this.socket.send(out);
  }

  private fail(err: unknown): void {
    this.deps.log.error({ err }, 'playback failed');
    this.sendJson({ type: 'error', message: '回放出错 (playback failed)' });
    this.socket.close(1011, 'playback failed');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all(this.slots.map((s) => (s.cursor ? s.cursor.close() : Promise.resolve())));
    await this.deps.audit.record(this.deps.actor, {
      action: 'playback.end',
      objectType: 'camera',
      objectId: this.slots.map((s) => s.camera.id).join(','),
      scopePath: this.slots[0]?.camera.scopePath,
      detail: { watched: mergeAll(this.played), sent: this.slots.map((s) => ({ cameraId: s.camera.id, ranges: s.sent.slice(0, 100) })) },
    });
  }
}

function addInterval(list: Array<[number, number]>, [a, b]: [number, number]): void {
  const last = list.at(-1);
  if (last && a >= last[0] && a <= last[1] + 1000) last[1] = Math.max(last[1], b);
  else list.push([a, b]);
}

function mergeAll(list: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const iv of [...list].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
    else out.push([iv[0], iv[1]]);
  }
  return out.slice(0, 100);
}
