// TCP connection pool for SIP over TCP (RFC 3261 §18): one SipStreamParser per connection;
// a framing error closes the connection (there is no way to resynchronise a stream). Outgoing
// requests reuse an open connection to the same host:port, incoming or outgoing.
import { connect as tcpConnect } from 'node:net';
import { SipDroppedError, SipParseError } from './message.ts';
import { SipStreamParser } from './stream-parser.ts';
import type { Socket } from 'node:net';
import type { SipMessage } from './message.ts';

export interface SipTcpConnection {
  readonly key: string;
  readonly remoteHost: string;
  readonly remotePort: number;
  send(bytes: Uint8Array): void;
}

/** Idle connections are closed after this long without traffic (devices reconnect on demand). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

export class SipTcpPool {
  private readonly conns = new Map<string, { conn: SipTcpConnection; socket: Socket }>();

  constructor(
    private readonly onMessage: (msg: SipMessage, conn: SipTcpConnection) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Registers a socket (accepted or connected) and starts parsing what it receives. */
  adopt(socket: Socket, key = `${normaliseHost(socket.remoteAddress ?? '')}:${socket.remotePort ?? 0}`): SipTcpConnection {
    const parser = new SipStreamParser();
    const conn: SipTcpConnection = {
      key,
      remoteHost: normaliseHost(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      send: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
    };
    this.conns.set(key, { conn, socket });
    socket.setNoDelay(true);
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      let msgs: SipMessage[];
      try {
        msgs = parser.push(chunk);
      } catch (e) {
        if (e instanceof SipParseError) {
          this.onError(new SipDroppedError(normaliseHost(socket.remoteAddress ?? ''), `tcp:${key}`, e.message, 'closing SIP/TCP connection after a message that does not parse'));
          socket.destroy();
          return;
        }
        throw e;
      }
      for (const m of msgs) this.onMessage(m, conn);
    });
    socket.on('error', (e) => this.onError(e));
    socket.on('close', () => {
      if (this.conns.get(key)?.socket === socket) this.conns.delete(key);
    });
    return conn;
  }

  /** An open connection to host:port, connecting if needed. */
  async get(host: string, port: number): Promise<SipTcpConnection> {
    const key = `${normaliseHost(host)}:${port}`;
    const existing = this.conns.get(key);
    if (existing && !existing.socket.destroyed) return existing.conn;
    const socket = tcpConnect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return this.adopt(socket, key);
  }

  closeAll(): void {
    for (const { socket } of this.conns.values()) socket.destroy();
    this.conns.clear();
  }
}

/** '::ffff:1.2.3.4' → '1.2.3.4' so IPv4 peers on dual-stack sockets match their Via. */
export function normaliseHost(h: string): string {
  return h.startsWith('::ffff:') ? h.slice(7) : h;
}
