// Sends video frames as RTP/PS (GB/T 28181 Annex C) to the address an INVITE's SDP gives: UDP,
// TCP active (we connect; the receiver said a=setup:passive) or TCP passive (we listen; it
// connects), RFC 4571 framing on TCP. Waits for a keyframe, learns the codec from it. The
// camera's audio (G.711 or AAC) goes in the same PS when the source has it, so an upper hears the
// room and its readiness probe measures the sound level through the cascade (issue 17, R-PRE-2).
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { frameRfc4571, PsMuxer, PsRtpPacketizer } from '../media/ps/index.ts';
import { serializeRtpPacket } from '../media/rtp/packet.ts';
import { concatBytes } from '../media/bytes.ts';
import { AAC_SAMPLE_RATES, parseAacAudioSpecificConfig } from '../media/aac/audio-specific-config.ts';
import type { PsAudioConfig } from '../media/ps/mux.ts';
import type { AudioFrame, AudioParams, VideoCodec, VideoFrame } from '../media/types.ts';

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

/** The PS audio stream for a source's audio; undefined when it cannot be carried (AAC without a usable config). */
export function psAudioOf(p: AudioParams | undefined): PsAudioConfig | undefined {
  if (!p) return undefined;
  if (p.codec !== 'aac') return { codec: p.codec, sampleRate: p.sampleRate, channels: Math.max(1, p.channels) };
  try {
    const c = p.aacConfig ? parseAacAudioSpecificConfig(p.aacConfig) : undefined;
    // ADTS (how PS carries AAC) has a 2-bit profile and table sample rates only.
    if (!c || c.objectType > 4 || c.channels < 1 || !(AAC_SAMPLE_RATES as readonly number[]).includes(c.sampleRate)) return undefined;
    return { codec: 'aac', sampleRate: c.sampleRate, channels: c.channels, aacObjectType: c.objectType };
  } catch {
    return undefined;
  }
}

const sameAudio = (a: PsAudioConfig | undefined, b: PsAudioConfig | undefined) =>
  a?.codec === b?.codec && a?.sampleRate === b?.sampleRate && a?.channels === b?.channels && a?.aacObjectType === b?.aacObjectType;

export class RtpPsSender extends EventEmitter<{ close: [string] }> {
  framesSent = 0;
  audioFramesSent = 0;
  bytesSent = 0;
  private muxer?: PsMuxer;
  /** The audio stream the current muxer declares in its PSM. */
  private muxAudio?: PsAudioConfig;
  /** The audio the source has now (a muxer started at a keyframe declares it from the start). */
  private wantAudio?: PsAudioConfig;
  private videoCodec?: VideoCodec;
  /** Newest video frame sent: audio timestamps are put on the video's 90 kHz time line by arrival. */
  private lastVideo?: { pts90k: number; receivedAtMs: number };
  /** Added to an audio frame's pts (sample ticks) to place it on the video time line. */
  private audioOffset?: number;
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
      this.videoCodec = sniffCodec(frame);
      this.muxAudio = this.wantAudio;
      this.audioOffset = undefined;
      this.muxer = new PsMuxer({ video: this.videoCodec, ...(this.muxAudio ? { audio: this.muxAudio } : {}) });
    }
    this.lastVideo = { pts90k: frame.pts90k, receivedAtMs: frame.receivedAtMs };
    const ok = this.write(this.muxer.muxVideo(frame), frame.pts90k);
    this.framesSent++;
    return ok;
  }

  /**
   * One audio frame of the source whose audio is `params`; sent once a keyframe has started the
   * stream (frames before are dropped, as video before its keyframe is).
   */
  sendAudio(frame: AudioFrame, params: AudioParams | undefined): boolean {
    if (this.closed || (!this.udp && !this.tcp)) return !this.closed;
    const want = psAudioOf(params);
    this.wantAudio = want;
    if (!this.muxer || this.waitKeyframe || !want || !this.lastVideo || !this.videoCodec) return true;
    let announce: Uint8Array | undefined;
    if (!sameAudio(this.muxAudio, want)) {
      // The audio appeared (a relayed source learns it from its first audio frame, after the
      // keyframe) or changed: a new PSM goes out with this frame instead of at the next keyframe.
      this.muxer = new PsMuxer({ video: this.videoCodec, audio: want });
      this.muxAudio = want;
      this.audioOffset = undefined;
      announce = this.muxer.muxAnnouncement(this.lastVideo.pts90k);
    }
    const rate = want.sampleRate;
    // Camera audio and video have separate RTP clocks: the first audio frame is placed by its
    // arrival relative to the newest video frame, the rest follow by their own sample clock.
    this.audioOffset ??= Math.round(((this.lastVideo.pts90k + (frame.receivedAtMs - this.lastVideo.receivedAtMs) * 90) * rate) / 90_000) - frame.pts;
    const pts = frame.pts + this.audioOffset;
    const unit = this.muxer.muxAudio({ pts, data: frame.data });
    const ok = this.write(announce ? concatBytes([announce, unit]) : unit, Math.round((pts * 90_000) / rate));
    this.audioFramesSent++;
    return ok;
  }

  private write(unit: Uint8Array, timestamp90k: number): boolean {
    let ok = true;
    for (const p of this.packetizer.packetize(unit, timestamp90k)) {
      const bytes = serializeRtpPacket(p);
      this.bytesSent += bytes.length;
      if (this.udp) this.udp.send(bytes, this.target.port, this.target.ip);
      else if (this.tcp) ok = this.tcp.write(frameRfc4571(bytes)) && ok;
    }
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
