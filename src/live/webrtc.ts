// WebRTC option (werift): one PeerConnection per tile, H.264 passed through (no transcoding; H.265
// cameras go through the shared transcoder), packetized with src/media/rtp/packetize/h264.ts.
// RTP timestamps are the camera's pts shifted so that ts/90 ≈ server receive time of the first
// frame (ms, mod 2^32): the browser can read camera→screen latency from rtpTimestamp.
import { randomUUID } from 'node:crypto';
import type * as Werift from 'werift';
import type { MediaStreamTrack, RTCPeerConnection } from 'werift';
import type { Actor } from '../auth/actor.ts';
import { packetizeH264 } from '../media/rtp/packetize/h264.ts';
import type { VideoFrame, VideoParams } from '../media/types.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { loadWerift } from '../util/lazy-libs.ts';
import { ViewingLog } from './access.ts';
import type { ViewerQueue } from './hub.ts';
import type { HubLease, LiveStream } from './sources.ts';
import type { LiveModule } from './index.ts';

interface RtcSession {
  id: string;
  pc: RTCPeerConnection;
  lease?: HubLease;
  queue?: ViewerQueue;
  log: ViewingLog;
  /** The user the media token named: only they may close the session. */
  userId: number | null;
  cameraId: number;
  stream: LiveStream;
  closed: boolean;
  /** Ends a session that never connects (issue 13 item 6). */
  connectTimer?: NodeJS.Timeout;
  /** Stops watching the login session (closed at once on logout / disable). */
  unwatch?: () => void;
  /** Audio sessions: stops listening to the camera's audio feed. */
  unlisten?: () => void;
  transport: 'webrtc' | 'webrtc-audio';
}

/** Bounds on WebRTC sessions (issue 13 item 6): each holds UDP sockets and DTLS state. */
export interface WebRtcLimits {
  maxPerUser: number;
  maxTotal: number;
  /** A session not connected within this is closed, ms. */
  connectTimeoutMs: number;
}

export const DEFAULT_WEBRTC_LIMITS: WebRtcLimits = { maxPerUser: 16, maxTotal: 64, connectTimeoutMs: 15_000 };

/** Why an offer was refused: the route answers 401, 429 or 400 (never 500, never a leaked session). */
export class WebRtcRefusal extends Error {
  constructor(
    readonly code: 'token_used' | 'too_many' | 'bad_offer' | 'no_audio',
    message: string,
  ) {
    super(message);
  }
}

const H264_FMTP = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

/**
 * ICE servers for the answers. werift's default is Google's public STUN server: on an exam-site
 * LAN (no Internet) gathering then waits for STUN timeouts and the answer comes seconds late.
 * Host candidates suffice on a LAN; XUNCHA_LIVE_ICE_SERVERS (JSON, RTCIceServer[]) adds servers.
 */
export function iceServers(): Array<{ urls: string; username?: string; credential?: string }> {
  try {
    const v = JSON.parse(process.env.XUNCHA_LIVE_ICE_SERVERS ?? '[]') as unknown;
    return Array.isArray(v) ? (v as Array<{ urls: string }>) : [];
  } catch {
    return [];
  }
}

/**
 * werift's ICE agent falls back to stun.l.google.com when no STUN server is configured
 * (werift-ice Connection constructor) and gathering then waits ~5 s for it to time out where there
 * is no Internet: every answer took 5 s. Without a configured STUN server, drop the fallback
 * (host candidates only). Called after setRemoteDescription (the transports exist) and before
 * setLocalDescription (which gathers).
 */
export function withoutFallbackStun(pc: RTCPeerConnection): void {
  if (iceServers().some((x) => x.urls.startsWith('stun:'))) return;
  for (const t of pc.iceTransports) (t.connection as unknown as { stunServer?: unknown }).stunServer = undefined;
}

/** Waits (at most 3 s) until ICE gathering is complete, so the answer carries the candidates. */
export async function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 3000);
    pc.iceGatheringStateChange.subscribe((st) => {
      if (st === 'complete') {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

export class WebRtcSessions {
  private readonly sessions = new Map<string, RtcSession>();
  /** Live tokens already used for an offer, with their expiry (ms): one offer per token. */
  private readonly usedTokens = new Map<string, number>();
  limits: WebRtcLimits = { ...DEFAULT_WEBRTC_LIMITS };

  constructor(private readonly live: LiveModule) {}

  /** Checks the caps and uses the token up, before any socket is opened. */
  private admit(userId: number | null, token: { value: string; expMs: number }): void {
    const now = Date.now();
    for (const [t, exp] of this.usedTokens) if (exp <= now) this.usedTokens.delete(t);
    if (this.usedTokens.has(token.value)) throw new WebRtcRefusal('token_used', '该实时视频令牌已使用过，请重新获取 (live token already used)');
    const mine = [...this.sessions.values()].filter((x) => x.userId === userId).length;
    if (mine >= this.limits.maxPerUser) throw new WebRtcRefusal('too_many', `每个用户最多同时 ${this.limits.maxPerUser} 路 WebRTC 视频 (too many WebRTC sessions for this user)`);
    if (this.sessions.size >= this.limits.maxTotal) throw new WebRtcRefusal('too_many', `服务器 WebRTC 视频已达上限 ${this.limits.maxTotal} 路，请稍后再试 (server WebRTC limit reached)`);
    this.usedTokens.set(token.value, token.expMs);
  }

  count(): number {
    return this.sessions.size;
  }

  /** Answers an SDP offer (recvonly video) with a sendonly H.264 track fed from the camera's hub. */
  async answer(actor: Actor, cam: CameraRow, stream: LiveStream, offerSdp: string, login: { sessionId: string; token: string; tokenExpMs: number }): Promise<{ id: string; sdp: string }> {
    this.admit(actor.userId, { value: login.token, expMs: login.tokenExpMs });
    const w = await loadWerift();
    const pc = new w.RTCPeerConnection({
      iceServers: iceServers(),
      // Loopback too: a browser on the server itself (kiosk, tests) offers 127.0.0.1 candidates.
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      codecs: { video: [new w.RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: H264_FMTP })] },
    });
    const track = new w.MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    const s: RtcSession = { id: randomUUID(), pc, log: new ViewingLog(this.live.app, actor, 0), userId: actor.userId, cameraId: cam.id, stream, closed: false, transport: 'webrtc' };
    this.sessions.set(s.id, s);
    s.unwatch = this.live.app.sessions.watch(login.sessionId, () => void this.close(s.id));
    s.connectTimer = setTimeout(() => void this.close(s.id), this.limits.connectTimeoutMs);
    s.connectTimer.unref();
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') clearTimeout(s.connectTimer);
      if (state === 'connected' && !s.lease) this.startSending(s, cam, track, w);
      if (state === 'failed' || state === 'closed' || state === 'disconnected') void this.close(s.id);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      // An offer without a video section that takes H.264 cannot be answered: refuse it (4xx).
      if (!pc.getTransceivers().some((t) => t.kind === 'video' && (t.codecs?.length ?? 0) > 0)) throw new Error('no H.264 video in the offer');
      withoutFallbackStun(pc);
      await pc.setLocalDescription(await pc.createAnswer());
    } catch (err) {
      await this.close(s.id);
      throw new WebRtcRefusal('bad_offer', `无法协商视频：浏览器的 offer 中没有可用的 H.264 视频 (cannot negotiate: ${(err as Error).message})`);
    }
    await gathered(pc);
    return { id: s.id, sdp: pc.localDescription?.sdp ?? '' };
  }

  /**
   * Answers an audio-only offer (the wall tile's sound, issue 14 item 8) with a sendonly G.711
   * track fed from the camera's main-stream audio: passed through, or AAC transcoded by the
   * camera's shared ffmpeg (src/live/audio.ts). Audited as a viewing with transport webrtc-audio.
   */
  async answerAudio(actor: Actor, cam: CameraRow, offerSdp: string, login: { sessionId: string; token: string; tokenExpMs: number }): Promise<{ id: string; sdp: string; codec: string }> {
    this.admit(actor.userId, { value: login.token, expMs: login.tokenExpMs });
    const feed = this.live.audio.feed(cam);
    const codec = await feed?.waitCodec(4000);
    if (!feed || !codec) {
      feed?.closeIfIdle();
      throw new WebRtcRefusal('no_audio', '该摄像机没有可播放的音频 (no audio on this camera)');
    }
    const w = await loadWerift();
    const pt = codec === 'pcma' ? 8 : 0;
    const pc = new w.RTCPeerConnection({
      iceServers: iceServers(),
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      codecs: { audio: [new w.RTCRtpCodecParameters({ mimeType: codec === 'pcma' ? 'audio/PCMA' : 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: pt })] },
    });
    const track = new w.MediaStreamTrack({ kind: 'audio' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    const s: RtcSession = { id: randomUUID(), pc, log: new ViewingLog(this.live.app, actor, 0), userId: actor.userId, cameraId: cam.id, stream: 'main', closed: false, transport: 'webrtc-audio' };
    this.sessions.set(s.id, s);
    s.unwatch = this.live.app.sessions.watch(login.sessionId, () => void this.close(s.id));
    s.connectTimer = setTimeout(() => void this.close(s.id), this.limits.connectTimeoutMs);
    s.connectTimer.unref();
    let seq = Math.floor(Math.random() * 65536);
    const tsBase = Math.floor(Math.random() * 2 ** 31);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') clearTimeout(s.connectTimer);
      if (state === 'connected' && !s.unlisten && !s.closed) {
        s.log.start(cam, 'main', 'webrtc-audio');
        s.unlisten = feed.listen((p) => {
          seq = (seq + 1) & 0xffff;
          const ts = Number(BigInt.asUintN(32, BigInt(p.pts8k + tsBase)));
          track.writeRtp(new w.RtpPacket(new w.RtpHeader({ payloadType: pt, sequenceNumber: seq, timestamp: ts, marker: false, ssrc: 0 }), Buffer.from(p.data)));
        });
      }
      if (state === 'failed' || state === 'closed' || state === 'disconnected') void this.close(s.id);
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      if (!pc.getTransceivers().some((t) => t.kind === 'audio' && (t.codecs?.length ?? 0) > 0)) throw new Error(`no ${codec.toUpperCase()} audio in the offer`);
      withoutFallbackStun(pc);
      await pc.setLocalDescription(await pc.createAnswer());
    } catch (err) {
      await this.close(s.id);
      feed.closeIfIdle();
      throw new WebRtcRefusal('bad_offer', `无法协商音频 (cannot negotiate audio: ${(err as Error).message})`);
    }
    await gathered(pc);
    return { id: s.id, sdp: pc.localDescription?.sdp ?? '', codec };
  }

  private startSending(s: RtcSession, cam: CameraRow, track: MediaStreamTrack, w: typeof Werift): void {
    const lease = this.live.acquireH264(cam, s.stream);
    if (!lease || s.closed) return;
    s.lease = lease;
    s.log.start(cam, s.stream, 'webrtc');
    let params: VideoParams | undefined;
    let seq = Math.floor(Math.random() * 65536);
    let tsOffset: number | undefined;
    let started = false;
    const send = (f: VideoFrame) => {
      if (!params) return;
      if (!started && !f.keyframe) return;
      started = true;
      tsOffset ??= Math.round(f.receivedAtMs * 90) - f.pts90k;
      const ts = Number(BigInt.asUintN(32, BigInt(f.pts90k + tsOffset)));
      const hasPs = f.nalus.some((n) => (n[0] & 0x1f) === 7);
      const nalus = f.keyframe && !hasPs ? [params.sps, params.pps, ...f.nalus] : f.nalus;
      for (const p of packetizeH264(nalus.filter((n) => (n[0] & 0x1f) !== 9), { mtu: 1200 })) {
        seq = (seq + 1) & 0xffff;
        track.writeRtp(new w.RtpPacket(new w.RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: ts, marker: p.marker, ssrc: 0 }), Buffer.from(p.payload)));
      }
    };
    s.queue = lease.hub.addViewer(() => {
      for (let it = s.queue?.take(); it; it = s.queue?.take()) {
        if (it.kind === 'init') {
          params = it.params;
          started = false;
        } else send(it.frame);
      }
    });
  }

  /** Whether a session of that id exists and belongs to the user (what the close route may end). */
  ownedBy(id: string, userId: number | null): boolean {
    const s = this.sessions.get(id);
    return Boolean(s && !s.closed && userId !== null && s.userId === userId);
  }

  async close(id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s || s.closed) return;
    s.closed = true;
    this.sessions.delete(id);
    clearTimeout(s.connectTimer);
    s.unwatch?.();
    if (s.unlisten) {
      s.unlisten();
      s.log.stop(s.cameraId, s.stream, s.transport);
    }
    if (s.lease && s.queue) s.lease.hub.removeViewer(s.queue);
    s.lease?.release();
    if (s.lease) s.log.stop(s.cameraId, s.stream, 'webrtc');
    await s.log.closeAll();
    await s.pc.close().catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}
