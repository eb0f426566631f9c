// Sends video frames as RTP/PS (GB/T 28181 Annex C) to the address an INVITE's SDP gives: UDP,
// TCP active (we connect; the receiver said a=setup:passive) or TCP passive (we listen; it
// connects), RFC 4571 framing on TCP. Waits for a keyframe, learns the codec from it.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { frameRfc4571, PsMuxer, PsRtpPacketizer } from '../media/ps/index.ts';
import { serializeRtpPacket } from '../media/rtp/packet.ts';
import type { VideoCodec, VideoFrame } from '../media/types.ts';

export interface MediaTarget {
  ip: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** The receiver's RFC 4145 role from its SDP. */
  setup?: 'active' | 'passive' | 'actpass';
}

export function sniffCodec(frame: Pick<VideoFrame, 'nalus' | 'newParams'>): VideoCodec {
  if (frame.newParams) return frame.newParams.codec;
  return frame.nalus.some((n) => n.length > 1 && (n[0] & 0x81) === 0 && ((n[0] >> 1) & 0x3f) >= 32 && ((n[0] >> 1) & 0x3f) <= 34 && n[1] === 1) ? 'h265' : 'h264';
}

export class RtpPsSender extends EventEmitter<{ close: [string] }> {
  framesSent = 0;
  bytesSent = 0;
  private muxer?: PsMuxer;
  private readonly packetizer: PsRtpPacketizer;
  private udp?: UdpSocket;
  private tcp?: Socket;
  private server?: Server;
  private closed = false;

  private constructor(
    private readonly target: MediaTarget,
    ssrc: number,
  ) {
    super();
    this.packetizer = new PsRtpPacketizer({ ssrc });
  }

  /** Opens the socket; `localPort` goes into the answer SDP. */
  static async open(target: MediaTarget, ssrc: number, bindHost: string): Promise<{ sender: RtpPsSender; localPort: number; setup?: 'active' | 'passive' }> {
    const s = new RtpPsSender(target, ssrc);
    if (target.transport === 'udp') {
      const sock = createSocket('udp4');
      await new Promise<void>((resolve, reject) => sock.once('error', reject).bind(0, bindHost, () => resolve()));
      sock.on('error', () => s.close('udp error'));
      s.udp = sock;
      return { sender: s, localPort: sock.address().port };
    }
    if (target.setup === 'active') {
      // The receiver connects to us.
      const server = createServer((sock) => {
        if (s.tcp) return void sock.destroy();
        s.tcp = s.adopt(sock);
      });
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, bindHost, () => resolve()));
      s.server = server;
      const a = server.address();
      return { sender: s, localPort: typeof a === 'object' && a ? a.port : 0, setup: 'passive' };
    }
    const sock = connect({ host: target.ip, port: target.port });
    await new Promise<void>((resolve, reject) => sock.once('error', reject).once('connect', () => resolve()));
    s.tcp = s.adopt(sock);
    return { sender: s, localPort: sock.localPort ?? 0, setup: 'active' };
  }

  private adopt(sock: Socket): Socket {
    sock.setNoDelay(true);
    sock.on('error', () => this.close('tcp error'));
    sock.on('close', () => this.close('receiver closed the connection'));
    sock.on('data', () => undefined); // RTCP or nothing: ignored
    return sock;
  }

  /** Frames skipped while waiting for the keyframe asked by resync(). */
  skippedForResync = 0;
  private waitKeyframe = false;

  /**
   * Starts the stream again at the next keyframe (GB/T 28181 IFameCmd): frames until then are
   * not sent, and the muxer starts afresh there (codec sniffed again; the keyframe carries the
   * system header and PSM), so the upper's decoder restarts cleanly instead of decoding P-frames
   * against what it lost.
   */
  resync(): void {
    if (this.muxer) this.waitKeyframe = true;
  }

  /** True when the socket can take more now (TCP backpressure); frames before a keyframe are skipped. */
  send(frame: VideoFrame): boolean {
    if (this.closed) return false;
    if (!this.udp && !this.tcp) return true; // passive TCP: receiver not connected yet
    if (this.waitKeyframe) {
      if (!frame.keyframe) {
        this.skippedForResync++;
        return true;
      }
      this.waitKeyframe = false;
      this.muxer = undefined;
    }
    if (!this.muxer) {
      if (!frame.keyframe) return true;
      this.muxer = new PsMuxer({ video: sniffCodec(frame) });
    }
    const unit = this.muxer.muxVideo(frame);
    let ok = true;
    for (const p of this.packetizer.packetize(unit, frame.pts90k)) {
      const bytes = serializeRtpPacket(p);
      this.bytesSent += bytes.length;
      if (this.udp) this.udp.send(bytes, this.target.port, this.target.ip);
      else if (this.tcp) ok = this.tcp.write(frameRfc4571(bytes)) && ok;
    }
    this.framesSent++;
    return ok;
  }

  /** Resolves when a TCP socket has drained (immediately for UDP). */
  drained(): Promise<void> {
    const t = this.tcp;
    if (!t || !t.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      t.once('drain', resolve);
      t.once('close', resolve);
    });
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.udp?.close();
    this.tcp?.destroy();
    this.server?.close();
    this.emit('close', reason);
  }
}
