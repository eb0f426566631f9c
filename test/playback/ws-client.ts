// A playback socket client for tests: collects JSON and binary messages, answers nothing unless
// told (position reports are sent by the test).
import { createRequire } from 'node:module';

// The `ws` client (a dependency of @fastify/websocket; no type package installed).
const WebSocketClient = createRequire(import.meta.url)('ws') as new (url: string, opts?: { headers?: Record<string, string> }) => WsLike & { once(ev: 'open' | 'error', fn: (err?: Error) => void): void };

export interface BinMsg {
  kind: number;
  slot: number;
  gen: number;
  payload: Uint8Array;
}
export type Msg = { json: Record<string, unknown> & { type: string } } | { bin: BinMsg };

interface WsLike {
  on(ev: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  on(ev: 'close', fn: (code: number) => void): void;
  send(text: string): void;
  close(): void;
}

export class PlaybackClient {
  readonly msgs: Msg[] = [];
  closedWith?: number;
  private waiters: Array<() => void> = [];

  private ws!: WsLike;

  private attach(ws: WsLike): void {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.msgs.push({ bin: { kind: data[0], slot: data[1], gen: data[2], payload: new Uint8Array(data.subarray(4)) } });
      else this.msgs.push({ json: JSON.parse(data.toString('utf8')) as Record<string, unknown> & { type: string } });
      this.wake();
    });
    ws.on('close', (code) => {
      this.closedWith = code;
      this.wake();
    });
  }

  /** Connects to a listening server (`baseUrl` http://host:port) at `url` (path with token). */
  static async open(baseUrl: string, url: string): Promise<PlaybackClient> {
    const c = new PlaybackClient();
    const ws = new WebSocketClient(baseUrl.replace(/^http/, 'ws') + url, { headers: { 'x-workstation': 'test' } });
    // Listeners go on before the handshake completes: the server speaks first.
    c.attach(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (err) => reject(err ?? new Error('socket error')));
    });
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(m: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(m));
  }

  close(): void {
    this.ws.close();
  }

  json(type: string): Array<Record<string, unknown>> {
    return this.msgs.flatMap((m) => ('json' in m && m.json.type === type ? [m.json] : []));
  }

  bins(slot?: number, gen?: number): BinMsg[] {
    return this.msgs.flatMap((m) => ('bin' in m && (slot === undefined || m.bin.slot === slot) && (gen === undefined || m.bin.gen === gen) ? [m.bin] : []));
  }

  async until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.closedWith !== undefined) throw new Error(`socket closed (${this.closedWith}) before the condition held`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${this.msgs.map((m) => ('json' in m ? m.json.type : `bin${m.bin.kind}`)).join(',')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
