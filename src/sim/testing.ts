// Minimal raw RTSP client over TCP for tests and benches of the simulator (not a production
// client): sends requests, collects responses and interleaved RTP/RTCP frames.
import net from 'node:net';
import { parseWwwAuthenticate } from '../media/rtsp/auth.ts';
import { RtspMessageParser } from '../media/rtsp/message.ts';
import { authorizationHeader, type AuthConfig } from './auth.ts';

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

export interface RawFrame {
  channel: number;
  data: Buffer;
  atMs: number;
}

export class RawRtspClient {
  readonly frames: RawFrame[] = [];
  closed = false;
  private readonly parser = new RtspMessageParser({
    onMessage: (m) => {
      if (m.kind !== 'response') return;
      const headers = new Map<string, string>();
      for (const [k, v] of m.headers) {
        const key = k.toLowerCase();
        const prev = headers.get(key);
        headers.set(key, prev === undefined ? v : `${prev}\n${v}`);
      }
      this.pending.shift()?.({ status: m.statusCode, headers, body: Buffer.from(m.body).toString('utf8') });
    },
    onInterleaved: (channel, data) => {
      const f = { channel, data: Buffer.from(data), atMs: performance.now() };
      this.frames.push(f);
      this.onFrame?.(f);
    },
  });
  private cseq = 0;
  private pending: Array<(r: RawResponse) => void> = [];
  private challenge?: { realm: string; nonce: string };
  onFrame?: (f: RawFrame) => void;
  readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    private readonly auth?: AuthConfig,
  ) {
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  static connect(url: string, auth?: AuthConfig): Promise<RawRtspClient> {
    const u = new URL(url);
    return new Promise((resolve, reject) => {
      const s = net.connect(Number(u.port || 554), u.hostname.replace(/^\[|\]$/g, ''));
      s.once('connect', () => resolve(new RawRtspClient(s, auth)));
      s.once('error', reject);
    });
  }

  private onData(c: Buffer): void {
    try {
      this.parser.push(c);
    } catch {
      this.socket.destroy();
    }
  }

  /** Bytes that were neither a response nor a well-formed interleaved frame (e.g. injected garbage). */
  get junkBytes(): number {
    return this.parser.garbageBytes;
  }

  /** Sends a request; on 401 with credentials configured, retries once with Authorization. */
  async request(method: string, url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const r = await this.send(method, url, headers);
    if (r.status !== 401 || !this.auth) return r;
    const www = (r.headers.get('www-authenticate') ?? '').split('\n').find((h) => /^digest /i.test(h));
    if (www) {
      const p = parseWwwAuthenticate(www)[0].params;
      this.challenge = { realm: p.realm ?? '', nonce: p.nonce ?? '' };
    }
    return this.send(method, url, headers);
  }

  private send(method: string, url: string, headers: Record<string, string>): Promise<RawResponse> {
    let s = `${method} ${url} RTSP/1.0\r\nCSeq: ${++this.cseq}\r\nUser-Agent: xuncha-test\r\n`;
    const h = { ...headers };
    if (this.auth && (this.challenge || this.auth.scheme === 'basic')) h['Authorization'] = authorizationHeader(this.auth, method, url, this.challenge);
    for (const [k, v] of Object.entries(h)) s += `${k}: ${v}\r\n`;
    s += '\r\n';
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      this.pending.push(resolve);
      this.socket.write(s);
      void this.closedPromise.then(() => reject(new Error('connection closed')));
    });
  }

  /** DESCRIBE + SETUP (TCP interleaved) of every track + PLAY. Returns the session id and SDP. */
  async play(url: string): Promise<{ session: string; sdp: string; rtpInfo: string }> {
    const d = await this.request('DESCRIBE', url, { Accept: 'application/sdp' });
    if (d.status !== 200) throw new Error(`DESCRIBE ${d.status}`);
    const base = d.headers.get('content-base') ?? `${url}/`;
    const controls = [...d.body.matchAll(/^m=[\s\S]*?^a=control:(\S+)/gm)].map((m) => m[1]);
    let session = '';
    let ch = 0;
    for (const c of controls) {
      const r = await this.request('SETUP', new URL(c, base).toString(), {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${ch}-${ch + 1}`,
        ...(session ? { Session: session } : {}),
      });
      if (r.status !== 200) throw new Error(`SETUP ${r.status}`);
      session = (r.headers.get('session') ?? '').split(';')[0];
      ch += 2;
    }
    const p = await this.request('PLAY', base, { Session: session, Range: 'npt=0.000-' });
    if (p.status !== 200) throw new Error(`PLAY ${p.status}`);
    return { session, sdp: d.body, rtpInfo: p.headers.get('rtp-info') ?? '' };
  }

  /** Writes one interleaved frame ($, channel, length, data): RTP to a back channel, or junk. */
  sendInterleaved(channel: number, data: Uint8Array): void {
    const head = Buffer.from([0x24, channel, data.length >> 8, data.length & 0xff]);
    this.socket.write(Buffer.concat([head, data]));
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closedPromise;
  }
}

/** RTP header fields of an interleaved RTP frame. */
export function rtpHeader(b: Buffer): { pt: number; marker: boolean; seq: number; ts: number; ssrc: number; payload: Buffer } {
  const cc = b[0] & 0x0f;
  return {
    pt: b[1] & 0x7f,
    marker: (b[1] & 0x80) !== 0,
    seq: b.readUInt16BE(2),
    ts: b.readUInt32BE(4),
    ssrc: b.readUInt32BE(8),
    payload: b.subarray(12 + cc * 4),
  };
}
