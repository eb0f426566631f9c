// One RTSP control connection: TCP socket + incremental parser + CSeq-matched requests with
// per-request timeouts. Interleaved frames go straight to the owner's callback. Owns no session
// logic; the client decides what a failure means.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { RtspMessageParser, RtspParseError, serializeInterleaved, serializeRequest, serializeResponse } from './message.ts';
import type { RtspMessage, RtspResponse } from './message.ts';
import { RtspClientError, socketErrorCode } from './errors.ts';
import type { SlabReader } from './read-slab.ts';

export interface ConnectionHandlers {
  onInterleaved(channel: number, data: Uint8Array): void;
  /** Called once when the socket ends or errors (not after close() from the owner). */
  onClose(error: RtspClientError): void;
}

interface Pending {
  method: string;
  resolve(res: RtspResponse): void;
  reject(err: RtspClientError): void;
  timer: NodeJS.Timeout;
}

export class RtspConnection {
  private readonly parser: RtspMessageParser;
  private readonly pending = new Map<number, Pending>();
  private cseq = 0;
  private closed = false;

  /** @param reader the socket's slab reader when it was connected with one (connectTcp), else 'data' events are read. */
  constructor(
    private readonly socket: Socket,
    private readonly handlers: ConnectionHandlers,
    private readonly userAgent: string,
    reader?: SlabReader,
  ) {
    this.parser = new RtspMessageParser({
      onMessage: (m) => this.onMessage(m),
      onInterleaved: (ch, data) => handlers.onInterleaved(ch, data),
    });
    if (reader) reader.setSink((chunk) => this.onData(chunk));
    else socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.fail(new RtspClientError('eof', 'server closed the connection')));
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new RtspClientError(socketErrorCode(err), `socket error ${err.code ?? err.message}`)));
    socket.on('close', () => this.fail(new RtspClientError('eof', 'connection closed')));
  }

  request(method: string, uri: string, headers: Record<string, string>, timeoutMs: number): Promise<RtspResponse> {
    if (this.closed) return Promise.reject(new RtspClientError('eof', 'connection closed'));
    const cseq = ++this.cseq;
    let bytes: Buffer;
    try {
      bytes = serializeRequest({ method, uri, headers: { CSeq: cseq, 'User-Agent': this.userAgent, ...headers } });
    } catch (e) {
      return Promise.reject(new RtspClientError('unsupported', `cannot build ${method}: ${(e as Error).message}`));
    }
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cseq);
        reject(new RtspClientError('timeout', `no response to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(cseq, { method, resolve, reject, timer });
      this.socket.write(bytes);
    });
  }

  /** An interleaved frame ($, channel, length, data; RFC 2326 §10.12) to the server, e.g. RTCP. */
  writeInterleaved(channel: number, data: Uint8Array): boolean {
    if (this.closed || this.socket.destroyed) return false;
    this.socket.write(serializeInterleaved(channel, data));
    return true;
  }

  /** Close the socket and reject outstanding requests with `reason`. Idempotent. */
  close(reason: RtspClientError): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    this.socket.destroy();
  }

  get parserGarbageBytes(): number {
    return this.parser.garbageBytes;
  }

  private fail(err: RtspClientError): void {
    if (this.closed) return;
    this.close(err);
    this.handlers.onClose(err);
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    try {
      this.parser.push(chunk);
    } catch (e) {
      const err = e instanceof RtspParseError
        ? new RtspClientError('protocol', `bad data from server: ${e.message}`)
        : new RtspClientError('internal', `error while handling server data: ${e instanceof Error ? e.message : String(e)}`);
      this.fail(err);
    }
  }

  private onMessage(m: RtspMessage): void {
    if (m.kind === 'request') {
      // Servers may probe us (OPTIONS/GET_PARAMETER as keep-alive checks); answer, never act.
      const ok = m.method === 'OPTIONS' || m.method === 'GET_PARAMETER';
      const cseq = m.headers.get('cseq') ?? '0';
      try {
        this.socket.write(serializeResponse({ statusCode: ok ? 200 : 501, headers: { CSeq: /^\d{1,10}$/.test(cseq) ? cseq : '0' } }));
      } catch {
        // unreachable with sanitized CSeq; never let a server request break the stream
      }
      return;
    }
    const cseqText = m.headers.get('cseq');
    let key = cseqText !== undefined && /^\s*\d{1,10}\s*$/.test(cseqText) ? Number(cseqText) : NaN;
    // Some cameras omit or mangle CSeq: with one request outstanding the match is unambiguous.
    if (!this.pending.has(key) && this.pending.size === 1) key = this.pending.keys().next().value as number;
    const p = this.pending.get(key);
    if (!p) return; // late response to a timed-out request
    this.pending.delete(key);
    clearTimeout(p.timer);
    p.resolve(m);
  }
}

/**
 * TCP connect with a timeout; abort() rejects with 'stopped' and destroys the socket. With a
 * `reader` the socket reads into its slabs (no 'data' events): pass the same reader to RtspConnection.
 */
export function connectTcp(host: string, port: number, timeoutMs: number, reader?: SlabReader): { socket: Promise<Socket>; abort: () => void } {
  const socket = connect(reader ? { host, port, onread: reader.onread } : { host, port });
  socket.setNoDelay(true);
  let abort = (): void => {};
  const promise = new Promise<Socket>((resolve, reject) => {
    let done = false;
    const finish = (err?: RtspClientError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      // Keep one error listener until the connection attaches its own: nothing may go unhandled.
      socket.on('error', noop);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const timer = setTimeout(() => finish(new RtspClientError('timeout', `connect timed out after ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: NodeJS.ErrnoException): void => finish(new RtspClientError(socketErrorCode(err), `connect failed: ${err.code ?? err.message}`));
    const onConnect = (): void => finish();
    socket.once('error', onError);
    socket.once('connect', onConnect);
    abort = () => finish(new RtspClientError('stopped', 'closed while connecting'));
  });
  return { socket: promise, abort };
}

function noop(): void {}
