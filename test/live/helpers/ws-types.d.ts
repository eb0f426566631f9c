// The few parts of the `ws` package (a dependency of @fastify/websocket) that the live tests use;
// the tree has no @types/ws.
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  export default class WebSocket extends EventEmitter {
    constructor(url: string);
    readonly readyState: number;
    send(data: string | Buffer): void;
    close(code?: number, reason?: string): void;
  }
}
