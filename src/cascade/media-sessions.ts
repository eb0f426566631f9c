// INVITE sessions this node serves to its upper (lower role): s=Play sends the camera's live
// frames (from the recorder's supervisor), s=Playback and s=Download send recorded frames paced
// or fast, as RTP/PS to the SDP's address. A lower platform's channel is relayed in all three
// (media-relay.ts): MANSRTSP goes down, MediaStatus 121 comes up. BYE stops.
// Every session is an access to video and is audited (R-ACC-1).
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import { bodyText, buildGbSdp, buildSsrc, createUasDialog, matchesDialog, parseGbSdp, parseUri, ssrcFromSubject } from '../gb28181/index.ts';
import type { GbSdp, RequestContext, ReplyFn, SipDialog, SipRequest } from '../gb28181/index.ts';
import type { CameraSupervisor } from '../ingest/supervisor.ts';
import type { MediaFrame, VideoFrame } from '../media/types.ts';
import type { FileStore } from '../recording/file-store.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { MANSRTSP_CONTENT_TYPE, MansRtspError, mansRtspAnswer, parseMansRtsp } from './mansrtsp.ts';
import type { MansRtspCommand, MansRtspRequest } from './mansrtsp.ts';
import { FILE_END_BYE_WAIT_MS, sendFileEnd } from './file-end.ts';
import { RtpPsSender } from './media-out.ts';
import { relayRemote } from './media-relay.ts';
import { PlaybackControl } from './playback-control.ts';
import { gbActor } from './ptz-policy.ts';
import { recordUpperView, recordUpperViewEnd } from '../duty/upper-view.ts';
import type { Actor } from '../auth/actor.ts';
import { recordedFrames } from './recorded-frames.ts';
import { noAudioWarning, NO_AUDIO_OUTPUT } from './voice.ts';
import type { SipNode } from './sip-node.ts';
import { sipDateText } from './upper-clock.ts';
import type { UpperCalls } from './upper-calls.ts';
import type { VoiceBroadcasts } from './voice-broadcast.ts';

/** Reason phrases of the RTSP statuses a lower answers MANSRTSP with (relayed sessions). */
const RTSP_REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 455: 'Method Not Valid in This State', 457: 'Invalid Range', 500: 'Internal Server Error' };

export interface MediaSessionDeps {
  node: SipNode;
  store: Store;
  audit: AuditService;
  files: FileStore;
  clock: Clock;
  log: Logger;
  mediaHost: string;
  supervisor(cameraId: number): CameraSupervisor | undefined;
  /** Relay of lower platforms' channels (when this node is also an upper). */
  remote?: UpperCalls;
  /** Talk to our cameras' speakers (voice-broadcast.ts); absent: talk is refused. */
  voice?(): VoiceBroadcasts | undefined;
}

interface Session {
  callId: string;
  dialog: SipDialog;
  sender: RtpPsSender;
  start(): void;
  stop(): void;
  /** Playback/Download: MANSRTSP control (PLAY Range/Scale, PAUSE). */
  control?: PlaybackControl;
  /** Relayed Playback/Download: MANSRTSP passed to the lower; resolves with its RTSP status. */
  forward?: (cmd: MansRtspRequest) => Promise<number>;
  /** s=Play of one of our cameras: its id (IFameCmd restarts these at the next keyframe). */
  liveCameraId?: number;
  /** s=Play relayed from a lower platform: the channel id (likewise). */
  liveRemoteId?: string;
  /** s=Play of one of our cameras: who watches since when (the patrol log's 上级平台调阅 record at the end). */
  viewer?: { actor: Actor; startedAtMs: number; camera: { id: number; room_id: number; site_path: string }; channelId: string };
}

export class MediaSessions {
  private readonly sessions = new Map<string, Session>();
  /** Stream serial of SSRCs this node makes up (peers that name none). */
  private nextSerial = 1;

  constructor(private readonly d: MediaSessionDeps) {}

  get count(): number {
    return this.sessions.size;
  }

  /**
   * IFameCmd: every live (s=Play) session of the camera (a number) or of the relayed channel (a
   * channel id) starts again at its next keyframe. Returns how many sessions that was.
   */
  resyncLive(camera: number | string): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      if ((typeof camera === 'number' ? s.liveCameraId : s.liveRemoteId) !== camera) continue;
      s.sender.resync();
      n++;
    }
    return n;
  }

  onAck(callId: string): void {
    this.sessions.get(callId)?.start();
  }

  /** BYE from the upper; true when it ended one of our sessions. */
  onBye(req: SipRequest, reply: ReplyFn): boolean {
    const s = this.sessions.get(req.headers.get('Call-ID') ?? '');
    if (!s) return false;
    this.end(s, 'bye');
    reply(200);
    return true;
  }

  /** INFO inside one of our dialogs (MANSRTSP playback control); false when it is not ours. */
  onInfo(req: SipRequest, reply: ReplyFn): boolean {
    const s = this.sessions.get(req.headers.get('Call-ID') ?? '');
    if (!s || !matchesDialog(s.dialog, req)) return false;
    let cmd: MansRtspCommand;
    try {
      cmd = parseMansRtsp(bodyText(req));
    } catch (err) {
      reply(400, { reason: err instanceof MansRtspError ? err.message : 'Bad MANSRTSP' });
      return true;
    }
    const answer = (status: number, reason: string) =>
      reply(200, { headers: { 'Content-Type': MANSRTSP_CONTENT_TYPE }, body: new TextEncoder().encode(mansRtspAnswer(cmd.cseq, status, reason)) });
    if (cmd.method === 'TEARDOWN') {
      answer(200, 'OK');
      this.end(s, 'teardown', true);
      return true;
    }
    if (s.forward) {
      const down: MansRtspRequest = cmd.method === 'PLAY' ? { method: 'PLAY', rangeSec: cmd.rangeSec, scale: cmd.scale } : { method: cmd.method };
      s.forward(down).then(
        (status) => answer(status, RTSP_REASONS[status] ?? 'Refused by the lower platform'),
        () => reply(502, { reason: 'The lower platform did not take the command' }),
      );
      return true;
    }
    if (!s.control) {
      answer(455, 'Method Not Valid in This State'); // live: nothing to pause or seek
      return true;
    }
    s.control.apply(cmd);
    answer(200, 'OK');
    return true;
  }

  /** Talk, or an audio-only INVITE: to the camera's speaker when it has one (voice-broadcast.ts), else refused. */
  private async voiceInvite(req: SipRequest, reply: ReplyFn, ctx: RequestContext, peerId: string, offer: GbSdp): Promise<void> {
    const voice = this.d.voice?.();
    const out = voice ? await voice.talk(req, reply, ctx, gbActor(peerId, ctx.source.host), offer) : { refused: NO_AUDIO_OUTPUT };
    if (out.refused !== undefined) await this.refuseVoice(req, reply, ctx, peerId, offer, out.refused);
  }

  /** No audio output for this INVITE: 488 with a Warning, audited (voice.ts). */
  private async refuseVoice(req: SipRequest, reply: ReplyFn, ctx: RequestContext, peerId: string, offer: GbSdp, reason = NO_AUDIO_OUTPUT): Promise<void> {
    let channelId = offer.originId;
    try {
      channelId = parseUri(req.uri).user ?? channelId;
    } catch {
      // an odd Request-URI does not change the answer: refused either way
    }
    const camera = await repos(this.d.store.db).cameras.getByGbCode({ kind: 'all' }, channelId);
    await this.d.audit.record(gbActor(peerId, ctx.source.host), {
      action: 'cascade.talk', objectType: camera ? 'camera' : 'device', objectId: camera?.id ?? channelId, outcome: 'denied',
      ...(camera ? { scopePath: camera.site_path } : {}), detail: { channelId, session: offer.sessionName, reason },
    });
    this.d.log.warn({ peer: peerId, channelId, session: offer.sessionName, reason }, 'voice INVITE refused (488)');
    reply(488, { reason: 'Not Acceptable Here', headers: { Warning: noAudioWarning(this.d.node.transport.advertisedHost, reason) } });
  }

  onInvite(req: SipRequest, reply: ReplyFn, ctx: RequestContext, peerId: string): void {
    void this.invite(req, reply, ctx, peerId).catch((err: unknown) => {
      this.d.log.warn({ err }, 'INVITE failed');
      reply(500);
    });
  }

  private async invite(req: SipRequest, reply: ReplyFn, ctx: RequestContext, peerId: string): Promise<void> {
    let offer: GbSdp;
    try {
      offer = parseGbSdp(bodyText(req));
    } catch {
      reply(400, { reason: 'Bad SDP' });
      return;
    }
    const kind = offer.sessionName.trim().toLowerCase();
    if (kind === 'talk' || offer.audioOnly) return this.voiceInvite(req, reply, ctx, peerId, offer);
    if (kind !== 'play' && kind !== 'playback' && kind !== 'download') return void reply(488, { reason: `s=${offer.sessionName} not supported` });
    const channelId = (offer.uri?.split(':')[0] && kind !== 'play' ? offer.uri.split(':')[0] : undefined) ?? parseUri(req.uri).user ?? '';
    const camera = await repos(this.d.store.db).cameras.getByGbCode({ kind: 'all' }, channelId);
    const remote = !camera && this.d.remote ? await this.d.remote.ownerOf(channelId) : undefined;
    if (!camera && !remote) return void reply(404, { reason: 'No such channel' });
    // SSRC: the SDP's y=, else the Subject's sender serial (peers that omit y=), else the standard's rule.
    const ssrcText = offer.ssrc ?? ssrcFromSubject(req.headers.get('Subject')) ?? buildSsrc({ playback: kind !== 'play', domainId: this.d.node.identity.domain, serial: this.nextSerial++ % 10_000 }).text;
    const ssrc = Number(ssrcText);
    const { sender, localPort, setup } = await RtpPsSender.open({ ip: offer.ip, port: offer.port, transport: offer.transport, setup: offer.setup }, ssrc, this.d.mediaHost);
    const answer = buildGbSdp({
      sessionName: offer.sessionName, originId: channelId, ip: this.d.node.transport.advertisedHost, port: localPort, transport: offer.transport, setup,
      direction: 'sendonly', startSec: offer.startSec, endSec: offer.endSec, rtpMaps: [{ payloadType: 96, encoding: 'PS', clockRate: 90000 }],
      ssrc: ssrcText, ...(offer.uri ? { uri: offer.uri } : {}),
    });
    const actor = gbActor(peerId, ctx.source.host);
    await this.d.audit.record(actor, {
      action: kind === 'play' ? 'cascade.live' : `cascade.${kind}`, objectType: camera ? 'camera' : 'remote_channel', objectId: camera ? camera.id : channelId,
      scopePath: camera?.site_path ?? '/', detail: { channelId, to: `${offer.ip}:${offer.port}/${offer.transport}`, ssrc, ...(kind !== 'play' ? { startSec: offer.startSec, endSec: offer.endSec } : {}) },
    });
    // R-DIS-3: the upper platform is the exam authority above; its viewing in a window is recorded as 上级平台调阅 (src/duty/upper-view.ts).
    if (kind === 'play' && camera) await recordUpperView(this.d, actor, camera, channelId);
    const res = reply(200, { headers: { Contact: this.d.node.contact(ctx.source.transport), 'Content-Type': 'APPLICATION/SDP', Date: sipDateText(this.d.clock.nowMs()) }, body: new TextEncoder().encode(answer) });
    const dialog = createUasDialog(req, res, ctx.source);
    const callId = dialog.callId;
    let started = false;
    let stopSource = (): void => undefined;
    const fromMs = offer.startSec * 1000;
    const toMs = offer.endSec > 0 ? offer.endSec * 1000 : this.d.clock.nowMs();
    const fast = kind === 'download';
    const speed = fast ? (offer.transport === 'udp' ? Math.max(1, offer.downloadSpeed ?? 4) : Infinity) : 1;
    const session: Session = {
      callId, dialog, sender, ...(kind !== 'play' && camera ? { control: new PlaybackControl(speed, fromMs, toMs) } : {}),
      ...(kind === 'play' && camera ? { liveCameraId: camera.id, viewer: { actor, startedAtMs: this.d.clock.nowMs(), camera, channelId } } : {}),
      ...(kind === 'play' && !camera && remote ? { liveRemoteId: channelId } : {}),
      start: () => {
        if (started) return;
        started = true;
        if (kind === 'play' && camera) stopSource = this.live(this.d.supervisor(camera.id), sender, session);
        else if (remote) stopSource = this.relay(channelId, offer, sender, session);
        else if (camera) stopSource = this.recorded(camera.id, session.control!, sender, session, channelId);
      },
      stop: () => stopSource(),
    };
    this.sessions.set(callId, session);
    sender.once('close', (reason) => this.end(session, reason));
    setTimeout(() => session.start(), 2000).unref(); // an upper that never ACKs still gets media
  }

  private live(sup: CameraSupervisor | undefined, sender: RtpPsSender, session: Session): () => void {
    if (!sup) {
      this.end(session, 'camera not running', true);
      return () => undefined;
    }
    const onFrame = (f: MediaFrame) => {
      if (f.kind === 'video') sender.send(f);
      else sender.sendAudio(f, sup.audio);
    };
    sup.on('frame', onFrame);
    return () => sup.off('frame', onFrame);
  }

  /** A lower platform's channel, in the session the upper asked for (same range and transport). */
  private relay(channelId: string, offer: GbSdp, sender: RtpPsSender, session: Session): () => void {
    const sessionName = (['Play', 'Playback', 'Download'] as const).find((n) => n.toLowerCase() === offer.sessionName.trim().toLowerCase()) ?? 'Play';
    const r = relayRemote(this.d.remote!, channelId, {
      // Same TCP roles downwards as the upper asked of us (it connects to us → we connect down).
      session: sessionName, transport: offer.transport, ...(offer.transport === 'tcp' ? { tcpSetup: offer.setup === 'active' ? 'active' as const : 'passive' as const } : {}), ...(sessionName !== 'Play' ? { startSec: offer.startSec, endSec: offer.endSec } : {}),
      ...(offer.downloadSpeed !== undefined ? { downloadSpeed: offer.downloadSpeed } : {}),
    }, sender, (reason, fileEnd) => {
      if (!fileEnd) return this.end(session, reason, true);
      void this.fileEnd(session, channelId);
    });
    session.forward = (cmd) => r.control(cmd);
    return () => r.stop();
  }

  private recorded(cameraId: number, ctl: PlaybackControl, sender: RtpPsSender, session: Session, channelId: string): () => void {
    let stop = false;
    // Pacing anchor: real time ↔ media time at the current speed; reset by seek, pause and Scale.
    let anchor: { realMs: number; mediaMs: number; speed: number } | undefined;
    const pace = async (wallMs: number): Promise<'send' | 'seek' | 'stop'> => {
      for (;;) {
        if (stop) return 'stop';
        if (ctl.seekMs !== undefined) return 'seek';
        if (ctl.paused) {
          anchor = undefined;
          await ctl.sleep(60_000);
          continue;
        }
        if (ctl.speed === Infinity) return 'send';
        if (!anchor || anchor.speed !== ctl.speed) anchor = { realMs: Date.now(), mediaMs: wallMs, speed: ctl.speed };
        const wait = anchor.realMs + (wallMs - anchor.mediaMs) / anchor.speed - Date.now();
        if (wait <= 2) return 'send';
        await ctl.sleep(wait);
      }
    };
    const run = async (): Promise<void> => {
      let pos = ctl.fromMs;
      let seeking = true;
      while (seeking) {
        seeking = false;
        anchor = undefined;
        for await (const f of recordedFrames(this.d.store, this.d.files, cameraId, pos, ctl.toMs)) {
          const next = await pace(f.wallMs);
          if (next === 'stop') return;
          if (next === 'seek') {
            pos = ctl.seekMs!;
            ctl.seekMs = undefined;
            seeking = true;
            break; // closes the file; read again from the keyframe at or before pos
          }
          const frame: VideoFrame = { kind: 'video', pts90k: f.pts90k, keyframe: f.keyframe, nalus: f.nalus, receivedAtMs: f.wallMs };
          if (!sender.send(frame)) await sender.drained();
        }
      }
      if (stop) return;
      await this.fileEnd(session, channelId);
    };
    void run().catch((err: unknown) => {
      this.d.log.warn({ err, cameraId }, 'sending recordings failed');
      this.end(session, 'read error', true);
    });
    return () => {
      stop = true;
      ctl.changed();
    };
  }

  /**
   * MediaStatus 121 once every frame is handed to the socket: the upper then knows the file is
   * complete and hangs up itself (BYE). One that ignores 121 is hung up on after a while.
   */
  private async fileEnd(s: Session, channelId: string): Promise<void> {
    const over = () => this.sessions.get(s.callId) !== s;
    await s.sender.drained();
    const told = !over() && (await sendFileEnd(this.d.node, s.dialog, channelId, this.d.log));
    if (over()) return;
    if (!told) return this.end(s, 'end of recording', true);
    setTimeout(() => this.end(s, 'end of recording (no BYE after MediaStatus 121)', true), FILE_END_BYE_WAIT_MS).unref();
  }

  /** Ends a session; `bye` when we end it ourselves (the upper still has the dialog). */
  private end(s: Session, reason: string, bye = false): void {
    if (this.sessions.get(s.callId) !== s) return;
    this.sessions.delete(s.callId);
    if (s.viewer) void recordUpperViewEnd(this.d, s.viewer.actor, s.viewer.camera, s.viewer.startedAtMs, s.viewer.channelId).catch((err: unknown) => this.d.log.warn({ err }, 'upper viewing end not audited'));
    s.stop();
    s.sender.close(reason);
    if (bye) void this.d.node.transport.bye(s.dialog).catch(() => undefined);
  }

  closeAll(): void {
    for (const s of [...this.sessions.values()]) this.end(s, 'shutdown', true);
  }
}
