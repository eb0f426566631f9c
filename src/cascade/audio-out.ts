// Sends the G.711 audio of a voice broadcast down to a lower platform (GB/T 28181-2016 §9.12,
// this node as the upper): plain RTP with PT 8 (PCMA) or 0 (PCMU) as the lower's INVITE offered —
// the same form audio-in.ts receives as a lower — over UDP to the address its SDP names, or over
// TCP with RFC 4571 framing: we connect to it (its a=setup:passive) or it connects to us (its
// a=setup:active; we listen and answer passive). 20 ms packets, the SSRC
// the lower named (y=), sequence and 8 kHz timestamps of our own (media/rtsp/backchannel.ts).
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { G711Law } from '../media/g711/level.ts';
import { frameRfc4571 } from '../media/ps/index.ts';
import { BackchannelPacketizer } from '../media/rtsp/backchannel.ts';

/** How long connecting to a lower's TCP audio port, or its connecting to ours, may take. */
const TCP_CONNECT_MS = 5000;
/** Queued TCP bytes past which packets are dropped (2 s of G.711 with framing): a stalled peer does not grow memory. */
const TCP_BACKLOG_BYTES = 2 * 50 * 174;
/** How long a closed UDP sender keeps its socket (dgram sends complete asynchronously). */
const SOCKET_LINGER_MS = 50;

export interface AudioOutEvents {
  close: [reason: string];
}

export class G711RtpSender extends EventEmitter<AudioOutEvents> {
  /** RTP packets and G.711 payload bytes handed to the socket. */
  packets = 0;
  bytes = 0;
  /** Packets not sent (TCP backlog full). */
  dropped = 0;
  private closed = false;

  private constructor(
    private readonly packetizer: BackchannelPacketizer,
    private readonly udp?: { socket: UdpSocket; host: string; port: number },
    private tcp?: Socket,
    /** TCP passive: our listening socket until the lower connects. */
    private server?: Server,
  ) {
    super();
  }

  /** UDP: a socket of ours on `bindHost`; its port goes into our SDP answer. */
  static async udp(bindHost: string, to: { host: string; port: number }, law: G711Law, ssrc: number): Promise<{ sender: G711RtpSender; port: number }> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(0, bindHost, () => resolve()));
    const s = new G711RtpSender(new BackchannelPacketizer(law, law === 'pcma' ? 8 : 0, ssrc), { socket, ...to });
    socket.on('error', (e) => s.close(`socket error: ${e.message}`));
    return { sender: s, port: socket.address().port };
  }

  /** TCP active: we connect to where the lower listens; our local port goes into the answer. */
  static async tcp(to: { host: string; port: number }, law: G711Law, ssrc: number): Promise<{ sender: G711RtpSender; port: number }> {
    const sock = connect({ host: to.host, port: to.port });
    sock.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`TCP audio connection to ${to.host}:${to.port} timed out`));
      }, TCP_CONNECT_MS);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const s = new G711RtpSender(new BackchannelPacketizer(law, law === 'pcma' ? 8 : 0, ssrc));
    s.attach(sock);
    return { sender: s, port: sock.localPort ?? 0 };
  }

  /**
   * TCP passive: we listen on `bindHost` (the port goes into our answer with a=setup:passive) and
   * the lower connects (its a=setup:active). One connection per leg; packets before it arrives are
   * counted as dropped; no connection within 5 s (default) closes the sender.
   */
  static async tcpListen(bindHost: string, law: G711Law, ssrc: number, connectTimeoutMs = TCP_CONNECT_MS): Promise<{ sender: G711RtpSender; port: number }> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, bindHost, () => resolve()));
    const s = new G711RtpSender(new BackchannelPacketizer(law, law === 'pcma' ? 8 : 0, ssrc), undefined, undefined, server);
    const timer = setTimeout(() => s.close(`the lower platform did not connect to our TCP audio port within ${connectTimeoutMs} ms`), connectTimeoutMs);
    timer.unref();
    server.on('connection', (sock) => {
      if (s.tcp || s.closed) return void sock.destroy(); // one receiver per leg
      clearTimeout(timer);
      server.close();
      s.server = undefined;
      s.attach(sock);
    });
    s.once('close', () => clearTimeout(timer));
    const a = server.address();
    return { sender: s, port: typeof a === 'object' && a ? a.port : 0 };
  }

  private attach(sock: Socket): void {
    this.tcp = sock;
    sock.setNoDelay(true);
    sock.on('error', () => undefined); // 'close' follows and says it
    sock.on('close', () => this.close('the lower platform closed the audio connection'));
    sock.on('data', () => undefined); // RTCP or nothing: not read
  }

  /** Whether packets reach the lower now: UDP always, TCP once the connection is up (either side). */
  get connected(): boolean {
    return !this.closed && (this.udp !== undefined || this.tcp !== undefined);
  }

  get law(): G711Law {
    return this.packetizer.law;
  }

  /** One G.711 payload in `from` law (re-encoded when the lower takes the other); false once closed. */
  send(from: G711Law, payload: Uint8Array): boolean {
    if (this.closed) return false;
    for (const packet of this.packetizer.packetize(from, payload)) {
      if (this.server) {
        this.dropped++; // TCP passive: the lower has not connected yet
        continue;
      }
      if (this.tcp) {
        if (this.tcp.writableLength > TCP_BACKLOG_BYTES) {
          this.dropped++;
          continue;
        }
        this.tcp.write(frameRfc4571(packet));
      } else if (this.udp) {
        this.udp.socket.send(packet, this.udp.port, this.udp.host);
      }
      this.packets++;
      this.bytes += packet.length - 12;
    }
    return true;
  }

  /** Stops sending now; the socket closes a moment later so datagrams already handed to it still leave. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const udp = this.udp?.socket;
    if (udp) setTimeout(() => udp.close(), SOCKET_LINGER_MS).unref();
    this.tcp?.end();
    this.server?.close();
    this.emit('close', reason);
  }
}
