// One browser page's live socket: many tiles (channels) multiplexed on one WebSocket.
// Client → server (JSON text): {op:'sub', ch, cameraId, stream, token, codecs?, rate?} | {op:'unsub', ch}
// | {op:'rate', ch, rate}. `rate` 'key' = keyframes only (an overview tile), 'full' (default) = every
// frame; {op:'rate'} switches a channel without a new init (answered {ev:'rate', ch, rate}).
// `codecs` lists the video codecs the client can play in MSE ('h264', 'h265'; absent = ['h264'],
// which old clients send): an H.265 camera goes to a client that lists 'h265' as is (hvc1 fMP4, no
// ffmpeg), to any other through the shared H.264 transcoder (R-FN-1). Unknown names are ignored;
// anything but an array of short strings naming at least one known codec → {ev:'error', ch,
// code:'bad_message'} and the channel stays as it was.
// Server → client: binary [type u8][flags u8][channel u16 BE] + fMP4 (type 1 init, 2 fragment;
// flags bit 0 = keyframe, bit 1 = frames skipped before it because the socket was too slow) and JSON text {ev:'meta'|'status'|'error'|'unsub', ch, …}; the meta before
// each init names the codec the tile gets (`codec` RFC 6381, `videoCodec` h264|h265) and `transcoded`.
import { LOGIN_RECHECK_MS } from '../auth/session-watch.ts';
import type { Actor } from '../auth/actor.ts';
import { verifyMediaToken } from '../auth/media-token.ts';
import type { MediaClaims } from '../auth/media-token.ts';
import type { VideoCodec, VideoParams } from '../media/types.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { LiveAccessError, ViewingLog, cameraForViewing, sessionAlive } from './access.ts';
import type { LiveAccessApp } from './access.ts';
import { LiveMuxer } from './fmp4-live.ts';
import { parseRate, parseRateReason } from './rate.ts';
import type { LiveRate, RateReason } from './rate.ts';
import type { LiveStatus, QueueItem, ViewerQueue } from './hub.ts';
import type { HubLease, LiveStream } from './sources.ts';

export const MSG_INIT = 1;
export const MSG_MEDIA = 2;
/**
 * Several binary messages in one (a client that subscribed with `bundle: true`): [3][0][count u16]
 * then per message its length (u32 BE) and its bytes. What one pump sends to a wall of 64 tiles
 * is then one WebSocket message instead of one per frame per tile: each message is a task on the
 * page's main thread (issue 16: 64 tiles took 10–14 of their 25 frames/s off the socket).
 */
export const MSG_BUNDLE = 3;
/** A bundling client's frames wait this long for others (one pump, one message, for every tile). */
const BUNDLE_MS = 10;
/** From this many channels on a socket (a big wall, as web/src/pages/wall/liveEdgePolicy.ts BIG_WALL_TILES). */
const BUNDLE_MIN_CHANNELS = 9;
export const HEADER_BYTES = 4;
/** Stop sending to this socket while more than this is buffered (the queues then skip). */
const MAX_BUFFERED = 1 << 20;
/**
 * A new channel gets its init and keyframe at once, the rest of the GOP it joins (the catch-up,
 * up to 2 s of frames) this long after its subscribe. A wall subscribes all its tiles together and
 * the server registers them one after the other (each awaits its camera lookup): without the hold,
 * a tile's init went out behind the catch-up of every tile registered before it (16 main tiles:
 * the last init behind ~5 MB, which a busy page takes 300–600 ms to take in).
 */
const JOIN_HOLD_MS = 150;
const MAX_CHANNELS = 100;
/** Codecs a client may declare; anything else is a malformed subscribe. */
const KNOWN_CODECS: ReadonlySet<string> = new Set<VideoCodec>(['h264', 'h265']);
const MAX_DECLARED_CODECS = 8;

export interface LiveSocket {
  readonly bufferedAmount: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
}

/** What a socket session needs from the live module. */
export interface LiveSessionDeps {
  app: LiveAccessApp;
  /** Leases the camera stream's hub (frames in the camera's own codec, H.264 or H.265). */
  acquire(cam: CameraRow, stream: LiveStream): HubLease | undefined;
  /** The same stream as H.264 (one shared ffmpeg), for cameras that send H.265. */
  acquireH264?(cam: CameraRow, stream: LiveStream): HubLease | undefined;
  /** Rate changes are logged at info (a tile that degraded itself, issue 16). */
  log?: { info(obj: object, msg: string): void };
}

interface Channel {
  ch: number;
  cameraId: number;
  stream: LiveStream;
  lease: HubLease;
  queue: ViewerQueue;
  muxer: LiveMuxer;
  params?: VideoParams;
  cam: CameraRow;
  transcoded: boolean;
  /** What the client's MSE plays: H.265 passes through only when this has 'h265'. */
  codecs: ReadonlySet<string>;
  /** Until then (ms), frames after the first keyframe wait (JOIN_HOLD_MS); the one taken waits here. */
  holdUntilMs: number;
  sentKeyframe: boolean;
  held?: QueueItem;
}

/**
 * The subscribe's `codecs` field: absent → H.264 only; undefined when malformed. Names this server
 * does not know are ignored (a newer client may list 'av1'), but at least one must be known.
 */
export function parseCodecs(v: unknown): ReadonlySet<string> | undefined {
  if (v === undefined) return new Set(['h264']);
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_DECLARED_CODECS) return undefined;
  if (!v.every((c) => typeof c === 'string' && c.length <= 16)) return undefined;
  const known = new Set((v as string[]).filter((c) => KNOWN_CODECS.has(c)));
  return known.size > 0 ? known : undefined;
}

export class LiveSocketSession {
  private readonly channels = new Map<number, Channel>();
  private readonly log: ViewingLog;
  private pumpTimer?: NodeJS.Timeout;
  private aliveTimer?: NodeJS.Timeout;
  private closed = false;
  /** The client takes MSG_BUNDLE (it said so in a `sub`); binary messages of one pump go out together. */
  private bundle = false;
  private out: Uint8Array[] = [];
  private bundleTimer?: NodeJS.Timeout;

  constructor(
    private readonly ws: LiveSocket,
    private readonly deps: LiveSessionDeps,
    private readonly actor: Actor,
    private readonly claims: MediaClaims,
  ) {
    this.log = new ViewingLog(deps.app, actor);
    // Sessions ended in this process close the socket at once (routes/live.ts); this covers the others.
    this.aliveTimer = setInterval(() => void this.checkAlive(), LOGIN_RECHECK_MS);
  }

  get channelCount(): number {
    return this.channels.size;
  }

  async onMessage(text: string): Promise<void> {
    let msg: { op?: unknown; ch?: unknown; cameraId?: unknown; stream?: unknown; token?: unknown; codecs?: unknown; rate?: unknown; reason?: unknown; bundle?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.sendJson({ ev: 'error', code: 'bad_message' });
    }
    const ch = typeof msg.ch === 'number' && Number.isInteger(msg.ch) && msg.ch >= 0 && msg.ch < 65536 ? msg.ch : -1;
    if (ch < 0) return this.sendJson({ ev: 'error', code: 'bad_channel' });
    if (msg.op === 'unsub') return this.unsubscribe(ch);
    if (msg.op !== 'sub' && msg.op !== 'rate') return this.sendJson({ ev: 'error', ch, code: 'bad_op' });
    const rate = parseRate(msg.rate);
    if (!rate || (msg.op === 'rate' && msg.rate === undefined)) return this.sendJson({ ev: 'error', ch, code: 'bad_message' });
    if (msg.op === 'rate') return this.setRate(ch, rate, parseRateReason(msg.reason));
    const codecs = parseCodecs(msg.codecs);
    if (!codecs) return this.sendJson({ ev: 'error', ch, code: 'bad_message' });
    if (msg.bundle === true) this.bundle = true;
    const stream: LiveStream = msg.stream === 'main' ? 'main' : 'sub';
    const cameraId = Number(msg.cameraId);
    // A tile may bring a newer token (tours, new cameras); it must be the same user and login.
    let claims = this.claims;
    if (typeof msg.token === 'string') {
      const c = verifyMediaToken(this.deps.app.keys.mediaToken, msg.token, this.deps.app.clock.nowMs());
      if (!c || c.p !== 'live' || c.u !== this.claims.u || c.s !== this.claims.s) return this.sendJson({ ev: 'error', ch, code: 'unauthorized' });
      claims = c;
    }
    if (this.channels.size >= MAX_CHANNELS && !this.channels.has(ch)) return this.sendJson({ ev: 'error', ch, code: 'too_many_channels' });
    let cam;
    try {
      cam = await cameraForViewing(this.deps.app, this.actor, claims, cameraId);
    } catch (err) {
      return this.sendJson({ ev: 'error', ch, cameraId, code: err instanceof LiveAccessError ? err.code : 'internal' });
    }
    if (this.closed) return;
    this.unsubscribe(ch, true);
    const lease = this.deps.acquire(cam, stream);
    if (!lease) return this.sendJson({ ev: 'error', ch, cameraId, code: 'unsupported_source' });
    const channel: Channel = { ch, cameraId, stream, lease, muxer: new LiveMuxer(), queue: undefined as unknown as ViewerQueue, cam, transcoded: false, codecs, holdUntilMs: Date.now() + JOIN_HOLD_MS, sentKeyframe: false };
    channel.muxer.sparse = rate === 'key';
    this.log.start(cam, stream, 'mse');
    channel.queue = lease.hub.addViewer(
      () => this.onNotify(),
      (s) => this.onStatus(channel, s),
      rate === 'key',
    );
    this.channels.set(ch, channel);
    this.pump();
  }

  /** Overview ↔ full rate for one channel (issue 16): same hub, muxer and time line, no new init. */
  private setRate(ch: number, rate: LiveRate, reason?: RateReason): void {
    const c = this.channels.get(ch);
    if (!c) return this.sendJson({ ev: 'error', ch, code: 'bad_channel' });
    // 'degraded': the browser could not show every picture of this tile and asked for keyframes
    // only; 'restored': it has headroom again (web/src/pages/wall/rateGovernor.ts).
    this.deps.log?.info({ user: this.actor.username, cameraId: c.cameraId, stream: c.stream, ch, rate, reason: reason ?? 'unspecified' }, reason === 'degraded' ? 'live tile degraded to keyframes by the browser' : 'live tile rate changed');
    const keyOnly = rate === 'key';
    c.muxer.sparse = keyOnly;
    if (keyOnly && c.held?.kind === 'frame' && !c.held.frame.keyframe) c.held = undefined;
    if (!keyOnly) c.held = undefined; // sent again with the GOP
    c.lease.hub.setKeyOnly(c.queue, keyOnly);
    this.sendJson({ ev: 'rate', ch, rate });
    this.pump();
  }

  private onStatus(c: Channel, s: LiveStatus): void {
    this.sendJson({ ev: 'status', ch: c.ch, cameraId: c.cameraId, state: s.state, reason: s.reason, atMs: s.atMs });
  }

  unsubscribe(ch: number, silent = false): void {
    const c = this.channels.get(ch);
    if (!c) return;
    this.channels.delete(ch);
    c.lease.hub.removeViewer(c.queue);
    c.lease.release();
    this.log.stop(c.cameraId, c.stream, 'mse');
    if (!silent) this.sendJson({ ev: 'unsub', ch });
  }

  /**
   * A hub queued a frame: sent now, or with the others of the next BUNDLE_MS (a bundling client
   * with a big wall; a few tiles' frames go at once: 4 tiles' TTFF p95 132–155 ms with the wait).
   */
  private onNotify(): void {
    if (!this.bundle || this.channels.size < BUNDLE_MIN_CHANNELS) return this.pump();
    this.bundleTimer ??= setTimeout(() => {
      this.bundleTimer = undefined;
      this.pump();
    }, BUNDLE_MS);
  }

  /** Sends queued items while the socket keeps up; the queues skip to keyframes when it does not. */
  private pump(): void {
    if (this.closed) return;
    let progress = true;
    while (progress && this.ws.bufferedAmount < MAX_BUFFERED) {
      progress = false;
      const nowMs = Date.now();
      for (const c of this.channels.values()) {
        const item = c.held ?? c.queue.take();
        c.held = undefined;
        if (!item) continue;
        if (item.kind === 'frame' && c.sentKeyframe && nowMs < c.holdUntilMs) {
          c.held = item;
          continue;
        }
        if (item.kind === 'frame' && item.frame.keyframe) c.sentKeyframe = true;
        progress = true;
        if (item.kind === 'init' && item.params.codec === 'h265' && !c.codecs.has('h265') && !c.transcoded && this.deps.acquireH264) {
          this.switchToH264(c);
          continue;
        }
        if (item.kind === 'init') {
          c.params = item.params;
          const init = c.muxer.init(item.params);
          this.sendJson({ ev: 'meta', ch: c.ch, cameraId: c.cameraId, codec: item.params.rfc6381, videoCodec: item.params.codec, transcoded: c.transcoded, width: item.params.width, height: item.params.height, fps: item.params.fps });
          this.sendBinary(MSG_INIT, 0, c.ch, init);
        } else {
          const hadBase = c.muxer.wallAtZeroMs !== undefined;
          const frag = c.muxer.fragment(item.frame, HEADER_BYTES);
          if (!frag) continue;
          if (!hadBase) this.sendJson({ ev: 'meta', ch: c.ch, cameraId: c.cameraId, wallAtZeroMs: c.muxer.wallAtZeroMs });
          // Flags: bit 0 keyframe, bit 1 frames were skipped before this one (this socket was too slow).
          writeHeader(frag, MSG_MEDIA, (item.frame.keyframe ? 1 : 0) | (c.queue.takeSlowSkipped() > 0 ? 2 : 0), c.ch);
          this.sendBytes(frag);
        }
      }
      this.flushBundle(); // bufferedAmount must see what this round sent
    }
    const pending = [...this.channels.values()].some((c) => c.queue.length > 0 || c.held);
    if (pending && !this.pumpTimer) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, 15);
    }
  }

  /** The client cannot play H.265 (Debian's Chromium): follow the transcoded hub of the same stream. */
  private switchToH264(c: Channel): void {
    const lease = this.deps.acquireH264?.(c.cam, c.stream);
    if (!lease) return;
    c.lease.hub.removeViewer(c.queue);
    c.lease.release();
    c.lease = lease;
    c.transcoded = true;
    c.queue = lease.hub.addViewer(
      () => this.onNotify(),
      (s) => this.onStatus(c, s),
      c.queue.keyOnly,
    );
  }

  private sendBinary(type: number, flags: number, ch: number, payload: Uint8Array): void {
    const out = new Uint8Array(HEADER_BYTES + payload.length);
    out.set(payload, HEADER_BYTES);
    writeHeader(out, type, flags, ch);
    this.sendBytes(out);
  }

  private sendBytes(msg: Uint8Array): void {
    if (this.bundle) this.out.push(msg);
    else this.ws.send(msg);
  }

  private flushBundle(): void {
    const msgs = this.out;
    if (msgs.length === 0) return;
    this.out = [];
    if (msgs.length === 1) return this.ws.send(msgs[0]);
    let n = 4;
    for (const m of msgs) n += 4 + m.length;
    const buf = new Uint8Array(n);
    const view = new DataView(buf.buffer);
    buf[0] = MSG_BUNDLE;
    view.setUint16(2, Math.min(msgs.length, 0xffff));
    let o = 4;
    for (const m of msgs) {
      view.setUint32(o, m.length);
      buf.set(m, o + 4);
      o += 4 + m.length;
    }
    this.ws.send(buf);
  }

  private sendJson(v: Record<string, unknown>): void {
    if (!this.closed) this.ws.send(JSON.stringify(v));
  }

  private async checkAlive(): Promise<void> {
    if (!(await sessionAlive(this.deps.app, this.claims.s).catch(() => true))) this.ws.close(4401, 'session ended');
  }

  /** Socket closed: leave every hub, write the end of every viewing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.pumpTimer);
    clearTimeout(this.bundleTimer);
    clearInterval(this.aliveTimer);
    for (const ch of [...this.channels.keys()]) this.unsubscribe(ch, true);
    await this.log.closeAll();
  }
}

export function writeHeader(buf: Uint8Array, type: number, flags: number, ch: number): void {
  buf[0] = type;
  buf[1] = flags;
  buf[2] = ch >> 8;
  buf[3] = ch & 0xff;
}
