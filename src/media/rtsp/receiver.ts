// Media side of an RTSP session: routes RTP/RTCP from interleaved channels or UDP sockets to tracks,
// keeps receive statistics, sends RTCP receiver reports on UDP and runs the no-media watchdog.
// Hot path (per packet): one RtpPacket object + its payload subarray, no timers touched.
import { randomBytes } from 'node:crypto';
import type { RemoteInfo } from 'node:dgram';
import type { RtpPacket } from '../types.ts';
import { parseRtpPacket } from '../rtp/packet.ts';
import { buildReceiverReport, buildSdesCname, concatBytes, parseRtcpCompound } from '../rtp/rtcp.ts';
import { buildFir, buildPli } from '../rtp/rtcp-feedback.ts';
import type { ReportBlock } from '../rtp/rtcp.ts';
import { RtspClientError } from './errors.ts';
import { TrackStats } from './track-stats.ts';
import type { TrackStatsSnapshot } from './track-stats.ts';
import { bindUdpPair, closeQuietly } from './udp.ts';
import type { UdpPair } from './udp.ts';

export interface ReceiverCallbacks {
  onRtp(trackIndex: number, packet: RtpPacket, receivedAtMs: number): void;
  onSr(trackIndex: number, info: { ntpMs: number; rtpTimestamp: number; receivedAtMs: number }): void;
  /** The session must end (no media, listener exception). */
  onFatal(error: RtspClientError): void;
  /** Writes an interleaved frame on the RTSP connection (TCP transport); false when it cannot. */
  sendInterleaved?(channel: number, data: Uint8Array): boolean;
}

interface UdpTrack {
  pair: UdpPair;
  serverAddress: string;
  serverRtcpPort?: number;
}

export class MediaReceiver {
  private readonly channelTrack = new Int16Array(256).fill(-1);
  private readonly channelIsRtcp = new Uint8Array(256);
  /** Interleaved RTCP channel of each track (TCP transport). */
  private readonly rtcpChannel: number[] = [];
  /** FIR sequence number (RFC 5104 §4.3.1.1: one per new request). */
  private firSeq = 0;
  private readonly trackStats: TrackStats[];
  private readonly udp: Array<UdpTrack | undefined> = [];
  /** Our SSRC in receiver reports. */
  private readonly ssrc = randomBytes(4).readUInt32BE(0);
  private lastMediaAtMs = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private rtcpTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    tracks: ReadonlyArray<{ media: { clockRate: number } }>,
    private readonly now: () => number,
    private readonly cb: ReceiverCallbacks,
    private readonly rtcpIntervalMs = 5000,
  ) {
    this.trackStats = tracks.map((t) => new TrackStats(t.media.clockRate));
  }

  stats(): TrackStatsSnapshot[] {
    return this.trackStats.map((s) => s.snapshot());
  }

  mapInterleaved(trackIndex: number, [rtpChannel, rtcpChannel]: [number, number]): void {
    this.channelTrack[rtpChannel] = trackIndex;
    this.channelIsRtcp[rtpChannel] = 0;
    this.channelTrack[rtcpChannel] = trackIndex;
    this.channelIsRtcp[rtcpChannel] = 1;
    this.rtcpChannel[trackIndex] = rtcpChannel;
  }

  /**
   * Asks the camera for a keyframe on the track's RTCP channel (UDP port or interleaved channel):
   * RR + SDES + PLI + FIR in one compound packet. Returns how it went: 'udp' / 'tcp', or
   * undefined when the track has no RTCP channel to the camera (or no packet came yet, so the
   * camera's SSRC is unknown).
   */
  requestKeyframe(trackIndex: number): 'udp' | 'tcp' | undefined {
    if (this.closed) return undefined;
    const stats = this.trackStats[trackIndex];
    if (!stats || stats.ssrc < 0) return undefined;
    const block = stats.takeReportBlock(this.now());
    const packet = concatBytes([
      buildReceiverReport(this.ssrc, block ? [block] : []), buildSdesCname(this.ssrc, 'xuncha'),
      buildPli(this.ssrc, stats.ssrc), buildFir(this.ssrc, stats.ssrc, this.firSeq++),
    ]);
    const u = this.udp[trackIndex];
    if (u) {
      if (u.serverRtcpPort === undefined) return undefined;
      try {
        u.pair.rtcp.send(packet, u.serverRtcpPort, u.serverAddress, noop);
        return 'udp';
      } catch {
        return undefined; // socket closing
      }
    }
    const ch = this.rtcpChannel[trackIndex];
    if (ch === undefined || !this.cb.sendInterleaved) return undefined;
    return this.cb.sendInterleaved(ch, packet) ? 'tcp' : undefined;
  }

  onInterleaved(channel: number, data: Uint8Array): void {
    const track = this.channelTrack[channel];
    if (track < 0 || this.closed) return; // unknown channel: ignore, as RFC 2326 allows
    if (this.channelIsRtcp[channel] === 1) this.handleRtcp(track, data);
    else this.handleRtp(track, data);
  }

  /** Bind an RTP/RTCP port pair for a track; returns the RTP port. */
  async bindUdp(trackIndex: number, serverAddress: string): Promise<number> {
    let pair: UdpPair;
    try {
      pair = await bindUdpPair(serverAddress.includes(':') ? 'udp6' : 'udp4');
    } catch (e) {
      throw new RtspClientError('network', e instanceof Error ? e.message : String(e));
    }
    if (this.closed) {
      closeQuietly(pair.rtp);
      closeQuietly(pair.rtcp);
      throw new RtspClientError('stopped', 'closed while binding UDP ports');
    }
    const entry: UdpTrack = { pair, serverAddress };
    this.udp[trackIndex] = entry;
    // Only accept datagrams from the camera: anything else on our ports could inject media.
    const accept = (rinfo: RemoteInfo): boolean => normalizeAddress(rinfo.address) === entry.serverAddress;
    pair.rtp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      if (accept(rinfo)) this.guard(() => this.handleRtp(trackIndex, msg));
    });
    pair.rtcp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      if (accept(rinfo)) this.guard(() => this.handleRtcp(trackIndex, msg));
    });
    // ICMP port unreachable on send surfaces as 'error': harmless for us, must not crash.
    pair.rtp.on('error', noop);
    pair.rtcp.on('error', noop);
    return pair.rtpPort;
  }

  setUdpPeer(trackIndex: number, source: string | undefined, serverPort: [number, number] | undefined): void {
    const entry = this.udp[trackIndex];
    if (!entry) return;
    if (source !== undefined && source !== '') entry.serverAddress = normalizeAddress(source);
    if (serverPort) entry.serverRtcpPort = serverPort[1];
  }

  /** Start the no-media watchdog (R-REC-4) and, on UDP, periodic receiver reports. */
  start(timeoutMs: number): void {
    this.lastMediaAtMs = this.now();
    const check = (): void => {
      if (this.closed) return;
      const idleMs = this.now() - this.lastMediaAtMs;
      if (idleMs >= timeoutMs) {
        this.cb.onFatal(new RtspClientError('timeout', `no media for ${idleMs} ms`));
        return;
      }
      // Re-arm for the remaining time only: no per-packet timer resets.
      this.watchdog = setTimeout(check, Math.max(10, timeoutMs - idleMs));
    };
    this.watchdog = setTimeout(check, timeoutMs);
    if (this.udp.some((u) => u !== undefined)) {
      this.sendReports(); // early RR also opens NAT/firewall state toward the camera
      this.rtcpTimer = setInterval(() => this.sendReports(), this.rtcpIntervalMs);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.watchdog);
    clearInterval(this.rtcpTimer);
    for (const u of this.udp) {
      if (!u) continue;
      closeQuietly(u.pair.rtp);
      closeQuietly(u.pair.rtcp);
    }
  }

  private guard(fn: () => void): void {
    if (this.closed) return;
    try {
      fn();
    } catch (e) {
      this.cb.onFatal(new RtspClientError('internal', `error while handling media: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private handleRtp(track: number, data: Uint8Array): void {
    const receivedAtMs = this.now();
    this.lastMediaAtMs = receivedAtMs;
    const stats = this.trackStats[track];
    let packet: RtpPacket;
    try {
      packet = parseRtpPacket(data);
    } catch {
      stats.malformed++; // count and drop: one bad packet must not end the session
      return;
    }
    stats.onRtp(packet.sequence, packet.timestamp, packet.ssrc, receivedAtMs);
    this.cb.onRtp(track, packet, receivedAtMs);
  }

  private handleRtcp(track: number, data: Uint8Array): void {
    const receivedAtMs = this.now();
    this.lastMediaAtMs = receivedAtMs;
    let packets;
    try {
      packets = parseRtcpCompound(data);
    } catch {
      this.trackStats[track].malformed++;
      return;
    }
    for (const p of packets) {
      if (p.type !== 'sr') continue;
      this.trackStats[track].onSenderReport(p.ntpMiddle32, receivedAtMs);
      this.cb.onSr(track, { ntpMs: p.ntpMs, rtpTimestamp: p.rtpTimestamp, receivedAtMs });
    }
  }

  private sendReports(): void {
    const nowMs = this.now();
    this.udp.forEach((u, i) => {
      if (!u || u.serverRtcpPort === undefined) return;
      const block = this.trackStats[i].takeReportBlock(nowMs);
      const blocks: ReportBlock[] = block ? [block] : [];
      const packet = concatBytes([buildReceiverReport(this.ssrc, blocks), buildSdesCname(this.ssrc, 'xuncha')]);
      try {
        u.pair.rtcp.send(packet, u.serverRtcpPort, u.serverAddress, noop);
      } catch {
        // socket closing: reports are best effort
      }
    });
  }
}

function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function noop(): void {}
