// 喊话 from the console (issue 15): the operator's browser microphone over WebRTC, negotiated as
// G.711 (PCMA or PCMU 8000 — Chromium offers both), forwarded packet by packet to this node's camera
// speaker on its ONVIF RTSP back channel (src/ingest/speaker.ts). No transcoding: the law the camera
// announced is put first in the answer; the other law is re-encoded per byte by the back channel.
// A lower platform's channel (source_kind 'gb28181') is talked to through the cascade instead: this
// node, as its upper, sends Broadcast down and the G.711 follows as RTP (src/cascade/upper-broadcast.ts);
// the lower's refusal (no speaker, busy) comes back as the same Chinese reasons.
// The access rules are the live view's (token, scope, exam window, duty: src/live/access.ts); one
// talk per camera at a time; start, refusals and end are audited as video.talk / video.talk.end.
import { randomUUID } from 'node:crypto';
import { createCascadeModule } from '../cascade/index.ts';
import type { RTCPeerConnection } from 'werift';
import type { Actor } from '../auth/actor.ts';
import type { G711Law } from '../media/g711/level.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { loadWerift } from '../util/lazy-libs.ts';
import type { LiveModule } from './index.ts';
import { SpeakerError, openRtspSpeaker } from '../ingest/speaker.ts';
import type { OpenSpeaker } from '../ingest/speaker.ts';
import { gathered, iceServers, withoutFallbackStun } from './webrtc.ts';

/** Why a talk was refused: the route answers 409 (busy, no speaker), 400 (offer) or 429. */
export class TalkRefusal extends Error {
  constructor(
    readonly code: 'busy' | 'no_speaker' | 'speaker_failed' | 'bad_offer' | 'too_many',
    message: string,
  ) {
    super(message);
  }
}

interface Talk {
  id: string;
  userId: number | null;
  camera: CameraRow;
  actor: Actor;
  pc: RTCPeerConnection;
  speaker: OpenSpeaker;
  startedAtMs?: number;
  packets: number;
  bytes: number;
  closed: boolean;
  connectTimer?: NodeJS.Timeout;
  unwatch?: () => void;
}

/** A talk carries one voice; 16 at once is far above any duty room's need and bounds sockets. */
const MAX_TALKS = 16;

export class TalkSessions {
  private readonly talks = new Map<string, Talk>();
  /** Cameras with a talk being set up or running. */
  private readonly busy = new Set<number>();
  /** Opens a camera's speaker: its RTSP back channel, or a lower's channel through the cascade (tests may swap it). */
  openSpeaker: (camera: CameraRow) => Promise<OpenSpeaker>;

  constructor(private readonly live: LiveModule) {
    this.openSpeaker = (c) => (c.source_kind === 'gb28181' ? createCascadeModule(live.app).openLowerSpeaker(c) : openRtspSpeaker(c, live.app.box));
  }

  count(): number {
    return this.talks.size;
  }

  /** Cameras talked to now (the wall shows 喊话中 on them). */
  activeCameraIds(): number[] {
    return [...this.busy];
  }

  private async refuse(actor: Actor, cam: CameraRow, code: TalkRefusal['code'], message: string, reason: string): Promise<never> {
    await this.live.app.audit.record(actor, { action: 'video.talk', objectType: 'camera', objectId: cam.id, outcome: 'denied', scopePath: cam.site_path, detail: { camera: cam.name, reason } });
    this.live.app.log.info({ cameraId: cam.id, reason }, 'talk to a room refused');
    throw new TalkRefusal(code, message);
  }

  /** Answers the browser's offer (a sendonly microphone track) once the camera's speaker is open. */
  async answer(actor: Actor, cam: CameraRow, offerSdp: string, login: { sessionId: string }, connectTimeoutMs: number): Promise<{ id: string; sdp: string; codec: G711Law }> {
    if (this.busy.has(cam.id)) return this.refuse(actor, cam, 'busy', '该摄像机正在喊话中，请稍后再试 (another talk to this camera is in progress)', 'another talk in progress');
    if (this.talks.size >= MAX_TALKS) return this.refuse(actor, cam, 'too_many', `服务器同时喊话已达上限 ${MAX_TALKS} 路 (too many talks)`, 'too many talks');
    const w = await loadWerift(); // before the speaker opens: nothing to release if it fails
    this.busy.add(cam.id);
    let speaker: OpenSpeaker;
    try {
      speaker = await this.openSpeaker(cam);
    } catch (e) {
      this.busy.delete(cam.id);
      const msg = (e as Error).message;
      const kind = e instanceof SpeakerError ? e.kind : 'failed';
      if (kind === 'no_speaker') return this.refuse(actor, cam, 'no_speaker', `该摄像机没有扬声器 (no speaker: ${msg})`, `no speaker: ${msg}`);
      // Busy elsewhere: a lower platform's channel already carrying another voice (its upper's, or another node's).
      if (kind === 'busy') return this.refuse(actor, cam, 'busy', `该摄像机正在喊话中，请稍后再试 (busy: ${msg})`, `busy: ${msg}`);
      const zh = (e instanceof SpeakerError ? e.zh : undefined) ?? '无法打开摄像机扬声器';
      return this.refuse(actor, cam, 'speaker_failed', `${zh} (the speaker could not be opened: ${msg})`, `speaker failed: ${msg}`);
    }
    const pcma = new w.RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: 8 });
    const pcmu = new w.RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 });
    const pc = new w.RTCPeerConnection({
      iceServers: iceServers(),
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      codecs: { audio: speaker.law === 'pcma' ? [pcma, pcmu] : [pcmu, pcma] },
    });
    const t: Talk = { id: randomUUID(), userId: actor.userId, camera: cam, actor, pc, speaker, packets: 0, bytes: 0, closed: false };
    this.talks.set(t.id, t);
    t.unwatch = this.live.app.sessions.watch(login.sessionId, () => void this.close(t.id, 'login session ended'));
    t.connectTimer = setTimeout(() => void this.close(t.id, 'WebRTC did not connect'), connectTimeoutMs);
    t.connectTimer.unref();
    speaker.onClose((reason) => void this.close(t.id, reason));
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        const law: G711Law | undefined = rtp.header.payloadType === 8 ? 'pcma' : rtp.header.payloadType === 0 ? 'pcmu' : undefined;
        if (!law || t.closed) return;
        t.packets++;
        t.bytes += rtp.payload.length;
        speaker.send(law, rtp.payload);
      });
    });
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && t.startedAtMs === undefined && !t.closed) {
        clearTimeout(t.connectTimer);
        t.startedAtMs = Date.now();
        this.live.app.log.info({ cameraId: cam.id, user: actor.username }, 'talk to a room started');
        void this.live.app.audit.record(actor, { action: 'video.talk', objectType: 'camera', objectId: cam.id, scopePath: cam.site_path, detail: { camera: cam.name, transport: 'webrtc', codec: speaker.law, ...speaker.detail } })
          .catch((err: unknown) => {
            this.live.app.log.error({ err, cameraId: cam.id }, 'talk not audited: ending it');
            void this.close(t.id, 'audit failed');
          });
      }
      if (state === 'failed' || state === 'closed' || state === 'disconnected') void this.close(t.id, `WebRTC ${state}`);
    });
    let codec: G711Law = speaker.law;
    try {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      const audio = pc.getTransceivers().find((x) => x.kind === 'audio' && (x.codecs?.length ?? 0) > 0);
      if (!audio) throw new Error('no PCMA/PCMU audio in the offer');
      codec = /pcmu/i.test(audio.codecs[0].mimeType) ? 'pcmu' : 'pcma';
      withoutFallbackStun(pc);
      await pc.setLocalDescription(await pc.createAnswer());
    } catch (err) {
      await this.close(t.id, 'bad offer');
      throw new TalkRefusal('bad_offer', `无法协商喊话音频：浏览器的 offer 中没有 G.711 (PCMA/PCMU) (cannot negotiate: ${(err as Error).message})`);
    }
    await gathered(pc);
    return { id: t.id, sdp: pc.localDescription?.sdp ?? '', codec };
  }

  /** Whether a talk of that id exists and belongs to the user (what the stop route may end). */
  ownedBy(id: string, userId: number | null): boolean {
    const t = this.talks.get(id);
    return Boolean(t && !t.closed && userId !== null && t.userId === userId);
  }

  async close(id: string, reason: string): Promise<void> {
    const t = this.talks.get(id);
    if (!t || t.closed) return;
    t.closed = true;
    this.talks.delete(id);
    this.busy.delete(t.camera.id);
    clearTimeout(t.connectTimer);
    t.unwatch?.();
    await t.speaker.close();
    await t.pc.close().catch(() => undefined);
    const durationMs = t.startedAtMs === undefined ? 0 : Date.now() - t.startedAtMs;
    this.live.app.log.info({ cameraId: t.camera.id, reason, packets: t.packets, bytes: t.bytes, durationMs }, 'talk to a room ended');
    if (t.startedAtMs === undefined) return;
    await this.live.app.audit
      .record(t.actor, { action: 'video.talk.end', objectType: 'camera', objectId: t.camera.id, scopePath: t.camera.site_path, detail: { camera: t.camera.name, durationMs, packets: t.packets, reason } })
      .catch((err: unknown) => this.live.app.log.error({ err }, 'talk end not audited'));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.talks.keys()].map((id) => this.close(id, 'shutdown')));
  }
}
