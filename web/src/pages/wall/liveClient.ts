// One WebSocket per page carrying every tile (docs/design/live.md): binary
// [type u8][flags u8][channel u16] + fMP4 (1 init, 2 fragment), JSON status/meta/error.
// Tokens come from POST /api/live/token (permission + scope checked, refusal audited).
// Each subscribe declares the codecs this browser's MSE plays, so H.265 is transcoded only when needed.
import { ApiError, api } from '../../api.ts';
import { playableCodecs } from './mseCodecs.ts';
import type { LiveRate, RateReason } from '../../../../src/live/rate.ts';

export type { LiveRate, RateReason };

export type Stream = 'main' | 'sub';

export interface ChannelHandler {
  onInit(codec: string, init: Uint8Array): void;
  /** `afterSkip`: the server skipped frames before this one (this socket was too slow). */
  onMedia(fragment: Uint8Array, keyframe: boolean, afterSkip?: boolean): void;
  onMeta(m: { wallAtZeroMs?: number; width?: number; height?: number; codec?: string; transcoded?: boolean; fps?: number }): void;
  onStatus(state: string, reason?: string): void;
  onError(code: string): void;
}

let csrf: string | undefined;
async function csrfToken(): Promise<string> {
  csrf ??= (await api.me()).csrfToken;
  return csrf;
}

/** A token for these cameras; throws ApiError (404 when out of scope, 403 without video.live). */
export async function liveToken(cameraIds: number[], stream: Stream): Promise<string> {
  const res = await fetch('/api/live/token', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': await csrfToken() },
    body: JSON.stringify({ cameraIds, stream }),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: string; message?: string };
  if (!res.ok || !body.token) throw new ApiError(res.status, body.error ?? `http_${res.status}`, body.message ?? res.statusText);
  return body.token;
}

interface Pending {
  cameraId: number;
  stream: Stream;
  token: string;
  /** 'key' = keyframes only (an overview tile of a large grid), 'full' = every frame. */
  rate: LiveRate;
  /** The sub went out on the open socket (a rate change before it rides on the sub itself). */
  sent?: boolean;
}

export class LiveClient {
  private ws?: WebSocket;
  private opening?: Promise<WebSocket>;
  private readonly handlers = new Map<number, ChannelHandler>();
  private readonly subs = new Map<number, Pending>();
  private nextCh = 1;
  private closed = false;
  private retry?: number;

  /** `bundle: false`: one WebSocket message per frame as before MSG_BUNDLE (bench:live's A/B). */
  constructor(private readonly opts: { bundle?: boolean } = {}) {}

  /** Subscribes a tile; returns its channel id. The token must name the camera. */
  async subscribe(cameraId: number, stream: Stream, token: string, h: ChannelHandler, rate: LiveRate = 'full'): Promise<number> {
    const ch = this.nextCh++ & 0xffff;
    this.handlers.set(ch, h);
    this.subs.set(ch, { cameraId, stream, token, rate });
    const ws = await this.open(token);
    const s = this.subs.get(ch); // the rate may have changed while the socket opened
    if (s) {
      ws.send(JSON.stringify({ op: 'sub', ch, cameraId, stream, token, codecs: playableCodecs(), rate: s.rate, bundle: this.opts.bundle !== false }));
      s.sent = true;
    }
    return ch;
  }

  /**
   * Overview ↔ full rate of a subscribed tile: same channel, no new init (issue 16). `reason` goes to
   * the server's log: 'overview' (the wall's layout or a click), 'degraded' / 'restored' (the tile's
   * rate governor: the browser could not keep up, then had headroom again).
   */
  setRate(ch: number, rate: LiveRate, reason?: RateReason): void {
    const s = this.subs.get(ch);
    if (!s || s.rate === rate) return;
    s.rate = rate;
    if (s.sent && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op: 'rate', ch, rate, reason }));
  }

  unsubscribe(ch: number): void {
    this.handlers.delete(ch);
    this.subs.delete(ch);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ op: 'unsub', ch }));
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retry);
    this.ws?.close();
  }

  private open(token: string): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(`${proto}//${location.host}/api/live/ws?token=${encodeURIComponent(token)}`);
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        this.ws = ws;
        this.opening = undefined;
        resolve(ws);
      };
      ws.onerror = () => {
        this.opening = undefined;
        reject(new Error('live socket failed'));
      };
      ws.onmessage = (e: MessageEvent) => this.onMessage(e.data as ArrayBuffer | string);
      ws.onclose = () => {
        if (this.ws === ws) this.ws = undefined;
        this.opening = undefined;
        for (const h of this.handlers.values()) h.onStatus('disconnected');
        if (!this.closed && this.subs.size > 0) this.retry = window.setTimeout(() => void this.resubscribe(), 2000);
      };
    });
    return this.opening;
  }

  /** After a lost socket: fresh tokens (the old ones expire after a minute), same channels. */
  private async resubscribe(): Promise<void> {
    const byStream = new Map<Stream, number[]>();
    for (const s of this.subs.values()) byStream.set(s.stream, [...(byStream.get(s.stream) ?? []), s.cameraId]);
    try {
      for (const [stream, ids] of byStream) {
        let token: string;
        try {
          token = await liveToken([...new Set(ids)], stream);
        } catch (err) {
          if (!(err instanceof ApiError) || err.status >= 500) throw err;
          // Refused (e.g. the two-person rule began while the socket was down): each tile says so
          // and is not asked for again every 3 s (each ask is a refused, audited view).
          for (const [ch, s] of this.subs) {
            if (s.stream !== stream) continue;
            this.subs.delete(ch);
            this.handlers.get(ch)?.onError(err.message);
          }
          continue;
        }
        for (const s of this.subs.values()) if (s.stream === stream) s.token = token;
      }
      const first = this.subs.values().next().value;
      if (!first) return;
      const ws = await this.open(first.token);
      for (const [ch, s] of this.subs) ws.send(JSON.stringify({ op: 'sub', ch, cameraId: s.cameraId, stream: s.stream, token: s.token, codecs: playableCodecs(), rate: s.rate, bundle: this.opts.bundle !== false }));
    } catch {
      if (!this.closed) this.retry = window.setTimeout(() => void this.resubscribe(), 3000);
    }
  }

  private onMessage(data: ArrayBuffer | string): void {
    if (typeof data === 'string') {
      const m = JSON.parse(data) as { ev: string; ch?: number; state?: string; reason?: string; code?: string; codec?: string; transcoded?: boolean; wallAtZeroMs?: number; width?: number; height?: number; fps?: number };
      const h = m.ch === undefined ? undefined : this.handlers.get(m.ch);
      if (!h) return;
      if (m.ev === 'status') h.onStatus(m.state ?? 'unknown', m.reason);
      else if (m.ev === 'meta') h.onMeta(m);
      else if (m.ev === 'error') {
        // The server refused this channel: it is not resubscribed after a reconnect.
        if (m.ch !== undefined) this.subs.delete(m.ch);
        h.onError(m.code ?? 'error');
      }
      return;
    }
    const b = new Uint8Array(data);
    if (b[0] !== 3) return this.onBinary(b);
    // A bundle (the server's pump, src/live/ws-session.ts MSG_BUNDLE): [len u32][message] each.
    const view = new DataView(data);
    for (let o = 4; o + 4 <= b.length; ) {
      const n = view.getUint32(o);
      this.onBinary(b.subarray(o + 4, o + 4 + n));
      o += 4 + n;
    }
  }

  private onBinary(b: Uint8Array): void {
    const ch = (b[2] << 8) | b[3];
    const h = this.handlers.get(ch);
    if (!h) return;
    if (b[0] === 1) h.onInit('', b.subarray(4));
    else if (b[0] === 2) h.onMedia(b.subarray(4), (b[1] & 1) === 1, (b[1] & 2) === 2);
  }
}
