// Receives RTP/PS from a lower platform (UDP; or TCP with RFC 4571 framing, passive — we listen —
// or active — we connect to the port of the lower's answer, RFC 4145 a=setup), depacketizes
// it (PsRtpDepacketizer) and emits frames as a FrameSource, so the live hub or a recorder can use a
// remote channel like any camera. An optional tap sees the PS bytes of every complete packet.
// The end of a Playback/Download (MediaStatus 121) closes it with code 'end-of-file', not an error.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect as netConnect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { PsRtpDepacketizer, Rfc4571Deframer } from '../media/ps/index.ts';
import { parseRtpPacket } from '../media/rtp/packet.ts';
import type { AudioParams, MediaFrame, VideoParams } from '../media/types.ts';
import type { FrameSource, FrameSourceEvents, SessionEnd } from '../ingest/source.ts';

export interface RtpPsReceiverOptions {
  transport: 'udp' | 'tcp';
  /** TCP only: 'passive' (default) listens for the sender; 'active' connects to it (connect()). */
  setup?: 'active' | 'passive';
  bindHost: string;
  /** Expected SSRC (from our y=); packets with another SSRC are counted and dropped. */
  ssrc?: number;
  /** Sees each RTP payload (PS bytes) in arrival order. */
  tap?: (payload: Uint8Array) => void;
  /** No packet for this long ends the session ('stall'). */
  stallMs?: number;
  /** Sees each accepted RTP packet's sequence number, timestamp, size and arrival (receiver statistics, R-PRE-4). */
  rtpTap?: (seq: number, timestamp: number, sizeBytes: number, arrivalMs: number) => void;
}

const UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export class GbFrameSource extends EventEmitter<FrameSourceEvents> implements FrameSource {
  droppedPackets = 0;
  packets = 0;
  private readonly depack = new PsRtpDepacketizer();
  private udp?: UdpSocket;
  private server?: Server;
  private conn?: Socket;
  private closed = false;
  private lastPacketMs = Date.now();
  private stallTimer?: NodeJS.Timeout;
  /** Paused by MANSRTSP PAUSE: silence is expected, not a stall. */
  private paused = false;
  /** Ends the signalling side (BYE); set by whoever made the INVITE. */
  onStop?: () => Promise<void>;
  private hangup?: Promise<void>;
  /** Set when the sender ended the dialog (no BYE to send). */
  ended = false;
  /** The sender said the file is complete (MediaStatus 121): however it closes now, it is the file's end. */
  private fileComplete = false;

  private constructor(private opts: RtpPsReceiverOptions) {
    super();
  }

  get video(): VideoParams | undefined {
    return this.depack.videoParams;
  }

  /** The audio the sender muxed in (known from its first audio frame): the probe measures its level. */
  get audio(): AudioParams | undefined {
    return this.depack.audioParams;
  }

  static async listen(opts: RtpPsReceiverOptions): Promise<{ source: GbFrameSource; port: number }> {
    const s = new GbFrameSource(opts);
    let port: number;
    if (opts.transport === 'udp') {
      const sock = createSocket('udp4');
      await new Promise<void>((resolve, reject) => sock.once('error', reject).bind(0, opts.bindHost, () => resolve()));
      try {
        // A Download arrives faster than real time: a bigger buffer rides out a busy event loop
        // instead of dropping datagrams (the kernel caps it at net.core.rmem_max).
        sock.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
      } catch {
        // not allowed here: the default buffer still works, with more loss under load
      }
      sock.on('message', (buf) => s.onPacket(buf));
      sock.on('error', (e) => s.end({ code: 'network', message: e.message }));
      s.udp = sock;
      port = sock.address().port;
    } else if (opts.setup === 'active') {
      port = 9; // RFC 4145 §4.1: an active endpoint offers the discard port; it connects later
    } else {
      const server = createServer((sock) => {
        if (s.conn) return void sock.destroy();
        s.adopt(sock);
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, opts.bindHost, () => resolve()));
      s.server = server;
      const a = server.address();
      port = typeof a === 'object' && a ? a.port : 0;
    }
    const stallMs = opts.stallMs ?? 10_000;
    s.stallTimer = setInterval(() => {
      if (!s.paused && Date.now() - s.lastPacketMs > stallMs) s.end({ code: 'stall', message: `no RTP for ${stallMs} ms` });
    }, Math.min(1000, stallMs));
    return { source: s, port };
  }

  private adopt(sock: Socket): void {
    this.conn = sock;
    const deframer = new Rfc4571Deframer();
    sock.on('data', (chunk: Buffer) => {
      for (const p of deframer.push(chunk)) this.onPacket(p);
    });
    sock.on('close', () => this.end({ code: 'eof', message: 'sender closed the connection' }));
    sock.on('error', (e) => this.end({ code: 'network', message: e.message }));
  }

  /** TCP active: connects to the sender's listening port (from its answer SDP). */
  async connect(host: string, port: number): Promise<void> {
    if (this.opts.transport !== 'tcp' || this.opts.setup !== 'active' || this.conn) throw new Error('connect() is for a TCP active receiver, once');
    const sock = netConnect({ host, port });
    await new Promise<void>((resolve, reject) => sock.once('error', reject).once('connect', () => resolve()));
    sock.setNoDelay(true);
    if (this.closed) return void sock.destroy();
    this.lastPacketMs = Date.now(); // the stall clock starts when the stream can flow
    this.adopt(sock);
  }

  /**
   * The sender was asked to pause (true) or to play on (false): no stall while paused, however
   * long an investigator looks at one picture; the stall clock starts afresh on resume.
   */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.lastPacketMs = Date.now();
  }

  /** The SSRC the sender's answer SDP announced (may differ from the one we proposed). */
  expectSsrc(ssrc: number): void {
    this.opts = { ...this.opts, ssrc };
  }

  private onPacket(buf: Uint8Array): void {
    if (this.closed) return;
    let pkt;
    try {
      pkt = parseRtpPacket(buf);
    } catch {
      this.droppedPackets++;
      return;
    }
    if (this.opts.ssrc !== undefined && pkt.ssrc !== this.opts.ssrc >>> 0) {
      this.droppedPackets++;
      return;
    }
    this.packets++;
    this.lastPacketMs = Date.now();
    this.opts.tap?.(pkt.payload);
    this.opts.rtpTap?.(pkt.sequence, pkt.timestamp, buf.byteLength, this.lastPacketMs);
    const frames: MediaFrame[] = this.depack.push(pkt, this.lastPacketMs);
    for (const f of frames) this.emit('frame', f);
  }

  private end(e: SessionEnd): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.stallTimer);
    this.udp?.close();
    this.conn?.destroy();
    this.server?.close();
    this.emit('close', e);
    this.hangup = this.onStop?.().catch(() => undefined);
  }

  async stop(): Promise<void> {
    // The sender's BYE may overtake the quiet wait after MediaStatus 121 (a loaded machine: seen
    // in the cascade e2e Download test): the file was still complete, so it ends as end-of-file.
    this.end(this.fileComplete ? { code: 'end-of-file', message: 'the sender sent the whole file (MediaStatus 121)' } : { code: 'stopped', message: 'stopped' });
    await this.hangup;
  }

  /**
   * The sender says the file is complete (MediaStatus 121). Its last packets may still be on the
   * way (RTP and SIP travel apart), so the source closes once no packet came for `quietMs` (at
   * most `maxWaitMs`), with code 'end-of-file'; the signalling side then hangs up (BYE).
   */
  async endOfFile(quietMs = 300, maxWaitMs = 3000): Promise<void> {
    this.fileComplete = true;
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      // setImmediate after the timer: datagrams already waiting are read (poll phase) before
      // the check, so a process that was descheduled does not mistake its backlog for silence.
      await new Promise((r) => setTimeout(r, Math.min(quietMs, 50)));
      await new Promise((r) => setImmediate(r));
      if (this.closed || Date.now() >= deadline || Date.now() - this.lastPacketMs >= quietMs) break;
    }
    this.end({ code: 'end-of-file', message: 'the sender sent the whole file (MediaStatus 121)' });
    await this.hangup;
  }
}
