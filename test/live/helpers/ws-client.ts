// A Node client of the live socket (the `ws` package, as a browser page would use WebSocket).
import WebSocket from 'ws';

export interface WsMessage {
  text?: Record<string, unknown>;
  type?: number;
  ch?: number;
  keyframe?: boolean;
  payload?: Buffer;
  atMs: number;
}

export interface LiveWs {
  ws: WebSocket;
  messages: WsMessage[];
  closed: Promise<{ code: number; reason: string }>;
  send(v: Record<string, unknown>): void;
  waitFor(pred: (m: WsMessage) => boolean, timeoutMs?: number): Promise<WsMessage>;
  close(): void;
}

export function connectLive(baseUrl: string, token: string | undefined): Promise<LiveWs> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/api/live/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  const ws = new WebSocket(url);
  const messages: WsMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const atMs = Date.now();
    if (!isBinary) messages.push({ text: JSON.parse(data.toString('utf8')) as Record<string, unknown>, atMs });
    else messages.push({ type: data[0], keyframe: (data[1] & 1) === 1, ch: data.readUInt16BE(2), payload: data.subarray(4), atMs });
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed,
        send: (v) => ws.send(JSON.stringify(v)),
        close: () => ws.close(),
        waitFor(pred, timeoutMs = 10_000) {
          return new Promise((res, rej) => {
            const check = () => {
              const m = messages.find(pred);
              if (m) {
                waiters.delete(check);
                clearTimeout(t);
                res(m);
              }
            };
            const t = setTimeout(() => {
              waiters.delete(check);
              rej(new Error(`timeout; got ${messages.filter((x) => x.text).map((x) => JSON.stringify(x.text)).join(' ')}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
      }),
    );
  });
}
