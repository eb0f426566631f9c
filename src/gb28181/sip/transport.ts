// SipTransport: UDP + TCP sockets, RFC 3261 client/server transactions, INVITE dialogs and digest
// retry. A user agent, never a proxy: request() always writes its own single Via.
import { createSocket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { createServer, isIPv4 } from 'node:net';
import { parseSipMessage, SipDroppedError, SipParseError } from './message.ts';
import { serializeSipMessage } from './message.ts';
import { SipTcpPool, normaliseHost } from './tcp.ts';
import { ClientTransaction, ServerTransaction, clientKey, serverKeyOf } from './transaction.ts';
import { DEFAULT_SIP_TIMERS, ExpiryWheel, realScheduler, transactionTimeoutMs } from './timers.ts';
import { applyRport, createResponse, formatVia, newBranch, newTag, parseCSeq, parseVia } from './util.ts';
import { buildAck, buildInDialogRequest, createUacDialog } from './dialog.ts';
import type { SocketOptions, Socket as UdpSocket } from 'node:dgram';
import type { Server } from 'node:net';
import type { SipMessage, SipRequest, SipResponse } from './message.ts';
import type { Scheduler, SipTimers } from './timers.ts';
import type { ResponseInit } from './util.ts';
import type { SipDialog } from './dialog.ts';
import type { SipDigestClient } from '../auth.ts';
import type { SipTcpConnection } from './tcp.ts';

export interface SipDestination {
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
}

export interface RequestContext {
  /** Where the request came from (for TCP, the connection's peer). */
  source: SipDestination;
}

/** Sends a response in the request's server transaction; returns what was sent. */
export type ReplyFn = (status: number, init?: ResponseInit) => SipResponse;
export type RequestHandler = (req: SipRequest, reply: ReplyFn, ctx: RequestContext) => void;

export interface ListenOptions {
  /** Bind address. Default 0.0.0.0. */
  host?: string;
  /** UDP port (0 = ephemeral); omit to not listen on UDP. */
  udpPort?: number;
  /** TCP port (0 = ephemeral); omit to not listen on TCP. */
  tcpPort?: number;
  /** Host written into Via/Contact; default the bind host (127.0.0.1 when binding 0.0.0.0). */
  advertisedHost?: string;
  timers?: Partial<SipTimers>;
  scheduler?: Scheduler;
}

export interface RequestOptions {
  onProvisional?: (res: SipResponse) => void;
  /** Answers one 401/407 challenge with digest credentials (CSeq incremented, new branch). */
  auth?: SipDigestClient;
  /** Called as each transaction of the request starts (the challenged retry is a second one): round-trip timing. */
  onAttempt?: () => void;
}

type Send = (bytes: Uint8Array) => void;

/**
 * The UDP socket's name lookup: an IP address (every destination of a SIP answer) is its own
 * result at once — dns.lookup would defer even that to the next tick, one more hop per datagram.
 */
const udpLookup: NonNullable<SocketOptions['lookup']> = (host, options, callback) => {
  if (isIPv4(host)) callback(null, host, 4);
  else dnsLookup(host, options, callback);
};

export class SipTransport {
  readonly advertisedHost: string;
  private readonly timers: SipTimers;
  private readonly scheduler: Scheduler;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  /** INVITE server transactions answered 2xx, by Call-ID|CSeq, waiting for the dialog's ACK. */
  private readonly accepted = new Map<string, ServerTransaction>();
  /** ACKs we sent for 2xx, by Call-ID|CSeq, to re-send on 2xx retransmissions. */
  private readonly sentAcks = new Map<string, { bytes: Uint8Array; send: Send }>();
  private readonly requestHandlers: RequestHandler[] = [];
  private readonly ackHandlers: Array<(ack: SipRequest, ctx: RequestContext) => void> = [];
  private readonly errorHandlers: Array<(err: Error) => void> = [];
  private readonly tcp: SipTcpPool;
  /** Lifetimes of the non-INVITE server transactions (Timer J), one timer for all. */
  private readonly wheel: ExpiryWheel;

  private constructor(private readonly udp: UdpSocket | undefined, private readonly tcpServer: Server | undefined, opts: ListenOptions) {
    this.timers = { ...DEFAULT_SIP_TIMERS, ...opts.timers };
    this.scheduler = opts.scheduler ?? realScheduler;
    this.wheel = ExpiryWheel.forLifetime(this.scheduler, transactionTimeoutMs(this.timers));
    const host = opts.host ?? '0.0.0.0';
    this.advertisedHost = opts.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    this.tcp = new SipTcpPool((m, conn) => this.onMessage(m, { host: conn.remoteHost, port: conn.remotePort, transport: 'tcp' }, conn.send, true), (e) => this.emitError(e));
    udp?.on('message', (buf, rinfo) => {
      let msg: SipMessage;
      try {
        msg = parseSipMessage(buf);
      } catch (e) {
        if (e instanceof SipParseError) return this.emitError(new SipDroppedError(normaliseHost(rinfo.address), `udp:${rinfo.address}:${rinfo.port}`, e.message, 'dropped malformed SIP datagram'));
        throw e;
      }
      const source: SipDestination = { host: normaliseHost(rinfo.address), port: rinfo.port, transport: 'udp' };
      this.onMessage(msg, source, (b) => this.sendUdp(b, source.host, source.port), false);
    });
    udp?.on('error', (e) => this.emitError(e));
    tcpServer?.on('connection', (s) => void this.tcp.adopt(s));
    tcpServer?.on('error', (e) => this.emitError(e));
  }

  static async listen(opts: ListenOptions): Promise<SipTransport> {
    const host = opts.host ?? '0.0.0.0';
    let udp: UdpSocket | undefined;
    let server: Server | undefined;
    if (opts.udpPort !== undefined) {
      const sock = createSocket({ type: 'udp4', lookup: udpLookup });
      udp = sock;
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(opts.udpPort, host, () => resolve());
      });
    }
    if (opts.tcpPort !== undefined) {
      const srv = createServer();
      server = srv;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(opts.tcpPort, host, () => resolve());
      });
    }
    return new SipTransport(udp, server, opts);
  }

  get udpPort(): number | undefined {
    return this.udp?.address().port;
  }

  get tcpPort(): number | undefined {
    const a = this.tcpServer?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  }

  on(event: 'request', fn: RequestHandler): this;
  on(event: 'ack', fn: (ack: SipRequest, ctx: RequestContext) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  on(event: 'request' | 'ack' | 'error', fn: RequestHandler | ((a: SipRequest, c: RequestContext) => void) | ((e: Error) => void)): this {
    if (event === 'request') this.requestHandlers.push(fn as RequestHandler);
    else if (event === 'ack') this.ackHandlers.push(fn as (a: SipRequest, c: RequestContext) => void);
    else this.errorHandlers.push(fn as (e: Error) => void);
    return this;
  }

  /** Sends a request in a client transaction; resolves with the final response. */
  async request(req: SipRequest, dest: SipDestination, opts: RequestOptions = {}): Promise<SipResponse> {
    let res = await this.sendInTransaction(req, dest, opts);
    if ((res.status === 401 || res.status === 407) && opts.auth) {
      const { seq, method } = parseCSeq(req.headers.get('CSeq') ?? '');
      req.headers.set('CSeq', `${seq + 1} ${method}`);
      if (opts.auth.applyTo(req, res)) res = await this.sendInTransaction(req, dest, opts);
    }
    return res;
  }

  /** INVITE; on 2xx creates the dialog and sends the ACK. */
  async invite(req: SipRequest, dest: SipDestination, opts: RequestOptions = {}): Promise<{ response: SipResponse; dialog?: SipDialog }> {
    const response = await this.request(req, dest, opts);
    if (response.status < 200 || response.status >= 300) return { response };
    const dialog = createUacDialog(req, response, dest);
    const ack = buildAck(dialog, req);
    const send = await this.sender(dest);
    this.setVia(ack, dest);
    const bytes = serializeSipMessage(ack);
    send(bytes);
    const key = `${dialog.callId}|${dialog.localSeq}`;
    this.sentAcks.set(key, { bytes, send });
    this.scheduler.setTimeout(() => this.sentAcks.delete(key), transactionTimeoutMs(this.timers));
    return { response, dialog };
  }

  /** Ends an INVITE dialog. */
  bye(dialog: SipDialog): Promise<SipResponse> {
    return this.request(buildInDialogRequest(dialog, 'BYE'), dialog.destination);
  }

  async close(): Promise<void> {
    for (const tx of this.clients.values()) tx.fail(new Error('SIP transport closed'));
    for (const tx of [...this.servers.values()]) tx.terminate();
    this.wheel.clear();
    this.clients.clear();
    this.servers.clear();
    this.accepted.clear();
    this.tcp.closeAll();
    const udp = this.udp;
    const srv = this.tcpServer;
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      srv ? new Promise<void>((r) => srv.close(() => r())) : undefined,
    ]);
  }

  private setVia(req: SipRequest, dest: SipDestination): void {
    const port = dest.transport === 'udp' ? this.udpPort : this.tcpPort;
    req.headers.set('Via', formatVia({ transport: dest.transport, host: this.advertisedHost, port, params: { rport: '', branch: newBranch() } }));
    if (!req.headers.has('Max-Forwards')) req.headers.append('Max-Forwards', '70');
  }

  private async sender(dest: SipDestination): Promise<Send> {
    if (dest.transport === 'udp') {
      if (!this.udp) throw new Error('SipTransport is not listening on UDP');
      return (b) => this.sendUdp(b, dest.host, dest.port);
    }
    const conn: SipTcpConnection = await this.tcp.get(dest.host, dest.port);
    return conn.send;
  }

  private async sendInTransaction(req: SipRequest, dest: SipDestination, opts: RequestOptions): Promise<SipResponse> {
    this.setVia(req, dest);
    const send = await this.sender(dest);
    opts.onAttempt?.();
    const key = clientKey(req);
    const tx = new ClientTransaction(req, {
      send, reliable: dest.transport === 'tcp', timers: this.timers, scheduler: this.scheduler,
      onTerminated: () => {
        if (this.clients.get(key) === tx) this.clients.delete(key);
      },
    }, opts.onProvisional);
    this.clients.set(key, tx);
    tx.start();
    return tx.promise;
  }

  private sendUdp(bytes: Uint8Array, host: string, port: number): void {
    this.udp?.send(bytes, port, host, this.afterUdpSend);
  }

  /** One callback for every datagram sent (not a closure per send). */
  private readonly afterUdpSend = (err: Error | null): void => {
    if (err) this.emitError(err);
  };

  private emitError(err: Error): void {
    for (const h of this.errorHandlers) h(err);
  }

  private onMessage(msg: SipMessage, source: SipDestination, send: Send, reliable: boolean): void {
    try {
      if (msg.kind === 'response') this.onResponse(msg);
      else this.onRequest(msg, source, send, reliable);
    } catch (e) {
      if (e instanceof SipParseError) this.emitError(new SipDroppedError(source.host, `${source.transport}:${source.host}:${source.port}`, e.message));
      else throw e;
    }
  }

  private onResponse(res: SipResponse): void {
    const tx = this.clients.get(clientKey(res));
    if (tx) return tx.onResponse(res);
    const cseq = parseCSeq(res.headers.get('CSeq') ?? '');
    if (cseq.method === 'INVITE' && res.status >= 200 && res.status < 300) {
      // Retransmitted 2xx: the UAC core re-sends its ACK (§13.2.2.4).
      const ack = this.sentAcks.get(`${res.headers.get('Call-ID') ?? ''}|${cseq.seq}`);
      ack?.send(ack.bytes);
    }
  }

  private onRequest(req: SipRequest, source: SipDestination, send: Send, reliable: boolean): void {
    // The top Via parsed once: the transaction key and the rport rewrite both read it (a
    // malformed one throws SipParseError: dropped as before).
    const topVia = parseVia(req.headers.get('Via') ?? '');
    if (source.transport === 'udp') applyRport(req, source.host, source.port, topVia);
    const ctx: RequestContext = { source };
    const key = serverKeyOf(topVia, req.method);
    if (req.method === 'ACK') {
      const tx = this.servers.get(key);
      if (tx) return tx.onAck();
      const acceptedKey = `${req.headers.get('Call-ID') ?? ''}|${parseCSeq(req.headers.get('CSeq') ?? '').seq}`;
      this.accepted.get(acceptedKey)?.onAck();
      this.accepted.delete(acceptedKey);
      for (const h of this.ackHandlers) h(req, ctx);
      return;
    }
    const existing = this.servers.get(key);
    if (existing) return existing.onRetransmit();
    const tx = this.newServerTransaction(req, key, send, reliable);
    const reply = this.replier(req, tx);
    if (req.method === 'INVITE') reply(100);
    if (req.method === 'CANCEL') return this.onCancel(key, reply);
    if (this.requestHandlers.length === 0) {
      reply(501, { reason: 'Not Implemented' });
      return;
    }
    try {
      for (const h of this.requestHandlers) h(req, reply, ctx);
    } catch (e) {
      if (!tx.hasFinal) reply(500);
      this.emitError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /**
   * A server transaction, in the map until it ends. Built apart from onRequest so the closure kept
   * for its whole life (Timer J, 32 s) holds the key and itself, not the request: the request is
   * garbage once handled.
   */
  private newServerTransaction(req: SipRequest, key: string, send: Send, reliable: boolean): ServerTransaction {
    const tx: ServerTransaction = new ServerTransaction(req, {
      send, reliable, timers: this.timers, scheduler: this.scheduler, wheel: this.wheel,
      onTerminated: () => {
        if (this.servers.get(key) === tx) this.servers.delete(key);
      },
    });
    this.servers.set(key, tx);
    return tx;
  }

  /** The handlers' reply function for one request: every response in its transaction carries one To tag. */
  private replier(req: SipRequest, tx: ServerTransaction): ReplyFn {
    let toTag: string | undefined;
    return (status, init = {}) => {
      toTag ??= newTag();
      const res = createResponse(req, status, { toTag, ...init });
      tx.respond(res);
      if (req.method === 'INVITE' && status >= 200 && status < 300) {
        const k = `${req.headers.get('Call-ID') ?? ''}|${parseCSeq(req.headers.get('CSeq') ?? '').seq}`;
        this.accepted.set(k, tx);
        this.scheduler.setTimeout(() => this.accepted.delete(k), transactionTimeoutMs(this.timers));
      }
      return res;
    };
  }

  private onCancel(cancelKey: string, reply: ReplyFn): void {
    const inviteTx = this.servers.get(cancelKey.replace(/\|CANCEL$/, '|INVITE'));
    if (!inviteTx?.invite || inviteTx.hasFinal) {
      reply(481);
      return;
    }
    reply(200);
    inviteTx.respond(createResponse(inviteTx.invite, 487, { reason: 'Request Terminated', toTag: newTag() }));
  }
}
