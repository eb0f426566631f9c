// WebRTC option (werift): one PeerConnection per tile, H.264 passed through (no transcoding; H.265
// cameras go through the shared transcoder), packetized with src/media/rtp/packetize/h264.ts.
// RTP timestamps are the camera's pts shifted so that ts/90 ≈ server receive time of the first
// frame (ms, mod 2^32): the browser can read camera→screen latency from rtpTimestamp.
import { randomUUID } from 'node:crypto';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import type { Actor } from '../auth/actor.ts';
import { packetizeH264 } from '../media/rtp/packetize/h264.ts';
import type { VideoFrame, VideoParams } from '../media/types.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
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
}

const H264_FMTP = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

/**
 * ICE servers for the answers. werift's default is Google's public STUN server: on an exam-site
 * LAN (no Internet) gathering then waits for STUN timeouts and the answer comes seconds late.
 * Host candidates suffice on a LAN; XUNCHA_LIVE_ICE_SERVERS (JSON, RTCIceServer[]) adds servers.
 */
function iceServers(): Array<{ urls: string; username?: string; credential?: string }> {
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
function withoutFallbackStun(pc: RTCPeerConnection): void {
  if (iceServers().some((x) => x.urls.startsWith('stun:'))) return;
  for (const t of pc.iceTransports) (t.connection as unknown as { stunServer?: unknown }).stunServer = undefined;
}

export class WebRtcSessions {
  private readonly sessions = new Map<string, RtcSession>();

  constructor(private readonly live: LiveModule) {}

  count(): number {
    return this.sessions.size;
  }

  /** Answers an SDP offer (recvonly video) with a sendonly H.264 track fed from the camera's hub. */
  async answer(actor: Actor, cam: CameraRow, stream: LiveStream, offerSdp: string): Promise<{ id: string; sdp: string }> {
    const pc = new RTCPeerConnection({
      iceServers: iceServers(),
      // Loopback too: a browser on the server itself (kiosk, tests) offers 127.0.0.1 candidates.
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      codecs: { video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: H264_FMTP })] },
    });
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    const s: RtcSession = { id: randomUUID(), pc, log: new ViewingLog(this.live.app, actor, 0), userId: actor.userId, cameraId: cam.id, stream, closed: false };
    this.sessions.set(s.id, s);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && !s.lease) this.startSending(s, cam, track);
      if (state === 'failed' || state === 'closed' || state === 'disconnected') void this.close(s.id);
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    withoutFallbackStun(pc);
    await pc.setLocalDescription(await pc.createAnswer());
    if (pc.iceGatheringState !== 'complete') {
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
    return { id: s.id, sdp: pc.localDescription?.sdp ?? '' };
  }

  private startSending(s: RtcSession, cam: CameraRow, track: MediaStreamTrack): void {
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
        track.writeRtp(new RtpPacket(new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: ts, marker: p.marker, ssrc: 0 }), Buffer.from(p.payload)));
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
