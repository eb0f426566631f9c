// Voice broadcast to an exam room as a LOWER platform (GB/T 28181-2016 §9.12, issue 15): the
// upper sends a Broadcast Notify (SourceID: its audio source, TargetID: our camera). When the
// camera has a speaker — its ONVIF RTSP back channel opens (src/media/rtsp/backchannel.ts) — we
// answer Result OK and, as the standard's flow and wvp-GB28181-pro expect, this node then INVITEs
// the SourceID: s=Play, m=audio, a=recvonly, PCMA/8000, y= our SSRC (UDP, or TCP passive when the
// SIP link is TCP). The upper answers 200 with its sending address and sends plain RTP G.711 (no
// PS: wvp's broadcast sends pt 8, use_ps false), which is forwarded packet by packet to the
// camera's back channel. BYE from either side, the camera closing, or 30 s without audio ends it.
// A camera without a speaker (551) or unreachable keeps the refusal: Result ERROR with the reason.
// INVITE s=Talk: the upper's voice to the room, and the room's G.711 microphone up in the same
// session when the upper offers sendrecv (talk() below). The upper's half: upper-broadcast.ts.
// Audited like a live view of the camera: cascade.broadcast, outcome ok / denied.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { buildGbSdp, buildSsrc, createRequest, createUasDialog, matchesDialog, parseUri, readBroadcast } from '../gb28181/index.ts';
import type { GbSdp, OtherMessage, ReplyFn, RequestContext, SipDestination, SipDialog, SipRequest } from '../gb28181/index.ts';
import { openRtspSpeaker } from '../ingest/speaker.ts';
import type { OpenSpeaker } from '../ingest/speaker.ts';
import type { Store } from '../store/db.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { repos } from '../store/repos/index.ts';
import { G711RtpReceiver } from './audio-in.ts';
import { G711RtpSender } from './audio-out.ts';
import type { RoomAudio } from './room-audio.ts';
import { responseXml } from './lower-commands.ts';
import type { SipNode } from './sip-node.ts';
import { NO_AUDIO_OUTPUT } from './voice.ts';
import type { VoiceLegStatus } from './voice.ts';


/** The camera's speaker, open: G.711 in, closed once (tests pass their own). */
export type CameraSpeaker = Omit<OpenSpeaker, 'law'>;

export interface VoiceBroadcastDeps {
  node: SipNode;
  store: Store;
  audit: AuditService;
  log: Logger;
  box?: SecretBox;
  mediaHost: string;
  /** The upper: where our INVITE goes and its SIP domain. */
  upper(): { destination: SipDestination; id: string };
  /** Opens a camera's speaker; default: the RTSP back channel of its main stream. */
  openSpeaker?(camera: CameraRow): Promise<CameraSpeaker>;
  /**
   * The speaker of a camera that pulls a lower platform's channel (source_kind gb28181): our own
   * Broadcast down to that lower (upper-broadcast.ts), so a province's voice reaches a site's room
   * through the city. Absent: such a camera has no speaker here.
   */
  openLowerSpeaker?(camera: CameraRow): Promise<CameraSpeaker>;
  /**
   * A channel this node knows only from a lower platform's catalog (a province addressing a site's
   * channel through the city's relayed catalog): its name, where it belongs, and its speaker — our
   * own Broadcast down to that lower. Undefined when no lower owns it.
   */
  relayedChannel?(channelId: string): Promise<{ name: string; scopePath: string; open(): Promise<CameraSpeaker> } | undefined>;
  /** No audio for this long ends a broadcast. Default 30 s. */
  stallMs?: number;
  /** The room's microphone (the camera's G.711 as received here) for a two-way talk; absent: one-way. */
  roomAudio?(cameraId: number): RoomAudio | undefined;
}

/** What the upper's voice goes into: one of our cameras, or a lower's channel relayed down. */
interface VoiceTarget {
  channelId: string;
  camera?: CameraRow;
  name: string;
  /** The camera's site, or the owning lower's org node. */
  scopePath: string;
  /** Opens its speaker: the camera's back channel, or our Broadcast down to the lower. */
  open(): Promise<CameraSpeaker>;
}

/** The audit record's object: the camera, or the relayed channel by its id. */
function auditObject(t: VoiceTarget): { objectType: 'camera' | 'device'; objectId: number | string; scopePath: string } {
  return t.camera ? { objectType: 'camera', objectId: t.camera.id, scopePath: t.scopePath } : { objectType: 'device', objectId: t.channelId, scopePath: t.scopePath };
}

interface Leg {
  callId: string;
  dialog: SipDialog;
  target: VoiceTarget;
  view: VoiceLegStatus;
  stop(reason: string, bye: boolean): void;
}

export class VoiceBroadcasts {
  private readonly legs = new Map<string, Leg>();
  /** Channel ids with a broadcast being set up or running: one voice at a time per room speaker. */
  private readonly busy = new Set<string>();
  private serial = 0;

  constructor(private readonly d: VoiceBroadcastDeps) {}

  get count(): number {
    return this.legs.size;
  }

  /** The legs running now (the 级联 page's voice list). */
  list(): VoiceLegStatus[] {
    return [...this.legs.values()].map((l) => l.view);
  }

  /**
   * Answers a Broadcast Notify: the Response XML to send now, and (when OK) what to run once it is
   * sent — the INVITE to the SourceID and the forwarding.
   */
  async answer(msg: OtherMessage, actor: Actor, selfId: string): Promise<{ xml: string; refused?: string; after?: () => Promise<void> }> {
    let ids: { sourceId: string; targetId: string };
    try {
      ids = readBroadcast(msg.tree);
    } catch (e) {
      return this.refuse(actor, msg.deviceId, undefined, undefined, (e as Error).message, msg.sn);
    }
    const target = await this.resolve(ids.targetId);
    if (!target) {
      const reason = ids.targetId === selfId ? NO_AUDIO_OUTPUT : `unknown target ${ids.targetId}: not a camera of this node nor a channel of its lower platforms`;
      return this.refuse(actor, ids.targetId, undefined, ids.sourceId, reason, msg.sn);
    }
    if (this.busy.has(target.channelId)) return this.refuse(actor, ids.targetId, target, ids.sourceId, `a broadcast to ${ids.targetId} is already in progress`, msg.sn);
    this.busy.add(target.channelId);
    let speaker: CameraSpeaker;
    try {
      speaker = await target.open();
    } catch (e) {
      this.busy.delete(target.channelId);
      return this.refuse(actor, ids.targetId, target, ids.sourceId, `no audio output: the speaker of ${target.name} could not be opened: ${(e as Error).message}`, msg.sn);
    }
    const xml = responseXml('Broadcast', msg.sn, ids.targetId, [{ name: 'Result', text: 'OK' }]);
    return { xml, after: () => this.invite(ids, target, speaker, actor) };
  }

  /** One of our cameras by its channel id, else a lower's channel this node relays; undefined: neither. */
  private async resolve(channelId: string): Promise<VoiceTarget | undefined> {
    const camera = await repos(this.d.store.db).cameras.getByGbCode({ kind: 'all' }, channelId);
    if (camera) return { channelId, camera, name: camera.name, scopePath: camera.site_path, open: () => (this.d.openSpeaker ?? ((c) => this.openRtspSpeaker(c)))(camera) };
    const relayed = await this.d.relayedChannel?.(channelId);
    return relayed ? { channelId, name: relayed.name, scopePath: relayed.scopePath, open: relayed.open } : undefined;
  }

  /** BYE from the upper for one of our broadcast legs; false when it is not ours. */
  onBye(req: SipRequest, reply: ReplyFn): boolean {
    const leg = this.legs.get(req.headers.get('Call-ID') ?? '');
    if (!leg || !matchesDialog(leg.dialog, req)) return false;
    reply(200);
    leg.stop('BYE from the upper', false);
    return true;
  }

  closeAll(): void {
    for (const leg of [...this.legs.values()]) leg.stop('shutdown', true);
  }

  private async refuse(actor: Actor, targetId: string, target: VoiceTarget | undefined, sourceId: string | undefined, reason: string, sn: number): Promise<{ xml: string; refused: string }> {
    await this.d.audit.record(actor, {
      action: 'cascade.broadcast', ...(target ? auditObject(target) : { objectType: 'device', objectId: targetId }), outcome: 'denied',
      detail: { sourceId, targetId, reason },
    });
    return { xml: responseXml('Broadcast', sn, targetId, [{ name: 'Result', text: 'ERROR' }, { name: 'Reason', text: reason }]), refused: reason };
  }

  /** The camera's RTSP back channel (the same opener as the console's 喊话), or the lower's for a pulled channel. */
  private async openRtspSpeaker(camera: CameraRow): Promise<CameraSpeaker> {
    if (camera.source_kind === 'gb28181') {
      if (!this.d.openLowerSpeaker) throw new Error('the channel of a lower platform has no speaker here');
      return this.d.openLowerSpeaker(camera);
    }
    if (!this.d.box) throw new Error('the camera is not reached over RTSP, so it has no back channel here');
    return openRtspSpeaker(camera, this.d.box);
  }

  /** Our INVITE to the SourceID, then G.711 from the upper to the camera until either side ends. */
  private async invite(ids: { sourceId: string; targetId: string }, target: VoiceTarget, speaker: CameraSpeaker, actor: Actor): Promise<void> {
    const { node, log } = this.d;
    const upper = this.d.upper();
    const transport = upper.destination.transport === 'tcp' ? 'tcp' : 'udp';
    let receiver: G711RtpReceiver | undefined;
    let dialog: SipDialog | undefined;
    try {
      const opened = await G711RtpReceiver.listen(transport, this.d.mediaHost, this.d.stallMs);
      receiver = opened.receiver;
      this.serial = (this.serial + 1) % 10_000;
      const ssrc = buildSsrc({ playback: false, domainId: node.identity.domain, serial: this.serial });
      const sdp = buildGbSdp({
        sessionName: 'Play', originId: ids.targetId, ip: this.d.mediaHost, port: opened.port, transport, ...(transport === 'tcp' ? { setup: 'passive' as const } : {}),
        direction: 'recvonly', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: 8, encoding: 'PCMA', clockRate: 8000 }], ssrc: ssrc.text, format: 'v/////a/1/8/1',
      });
      const domain = upper.id.slice(0, 10);
      const req = createRequest({
        method: 'INVITE', uri: `sip:${ids.sourceId}@${domain}`, from: `<sip:${ids.targetId}@${node.identity.domain}>`, to: `<sip:${ids.sourceId}@${domain}>`,
        // Subject: sender (the upper's source) : its stream, receiver (our camera) : ours (§I.2.1).
        headers: { Contact: node.contact(transport), Subject: `${ids.sourceId}:${ssrc.text},${ids.targetId}:0` },
        contentType: 'APPLICATION/SDP', body: new TextEncoder().encode(sdp),
      });
      const res = await node.transport.invite(req, upper.destination);
      if (!res.dialog) throw new Error(`the upper answered our broadcast INVITE ${res.response.status} ${res.response.reason}`);
      dialog = res.dialog;
    } catch (e) {
      receiver?.close('INVITE failed');
      this.busy.delete(target.channelId);
      await speaker.close();
      log.warn({ err: (e as Error).message, targetId: ids.targetId, sourceId: ids.sourceId }, 'voice broadcast: INVITE to the upper failed');
      await this.d.audit.record(actor, {
        action: 'cascade.broadcast', ...auditObject(target), outcome: 'error',
        detail: { sourceId: ids.sourceId, targetId: ids.targetId, reason: (e as Error).message },
      });
      return;
    }
    this.startLeg('broadcast', dialog, target, transport, speaker, receiver);
    await this.d.audit.record(actor, {
      action: 'cascade.broadcast', ...auditObject(target), outcome: 'ok',
      detail: { sourceId: ids.sourceId, targetId: ids.targetId, transport, callId: dialog.callId },
    });
    log.info({ cameraId: target.camera?.id, relayed: target.camera ? undefined : true, targetId: ids.targetId, sourceId: ids.sourceId, transport }, 'voice broadcast from the upper to an exam room started');
  }

  /**
   * INVITE s=Talk (or an audio-only INVITE) from the upper for one of our cameras: answered 200
   * with our receiving port — the upper's voice goes to the room's speaker. Both ways (a=sendrecv)
   * when the upper offers sendrecv over UDP and the camera's own audio is G.711 and received here:
   * the room's microphone goes up as RTP in the same session (to the offer's address, the y= SSRC).
   * Otherwise a=recvonly (RFC 3264 §6.1 lets a sendrecv offer be answered so). Returns
   * the refusal reason when the camera cannot take it (the caller answers 488, media-sessions.ts).
   */
  async talk(req: SipRequest, reply: ReplyFn, ctx: RequestContext, actor: Actor, offer: GbSdp): Promise<{ refused?: string }> {
    let channelId = offer.originId;
    try {
      channelId = parseUri(req.uri).user ?? channelId;
    } catch {
      // an odd Request-URI: the camera lookup below fails and says so
    }
    const target = await this.resolve(channelId);
    if (!target) return { refused: NO_AUDIO_OUTPUT };
    // The upper connects to us over TCP (its a=setup:active); we do not dial out for voice.
    if (offer.transport === 'tcp' && offer.setup === 'passive') return { refused: 'TCP with a=setup:passive is not supported for voice: offer active' };
    const law = offer.rtpMaps.find((m) => m.payloadType === 8 || /^PCMA$/i.test(m.encoding)) ? 'pcma' : offer.rtpMaps.find((m) => m.payloadType === 0 || /^PCMU$/i.test(m.encoding)) ? 'pcmu' : undefined;
    if (!law) return { refused: 'no G.711 (PCMA/PCMU) in the offer' };
    if (this.busy.has(target.channelId)) return { refused: `a broadcast or talk to ${channelId} is already in progress` };
    this.busy.add(target.channelId);
    let speaker: CameraSpeaker | undefined;
    let receiver: G711RtpReceiver | undefined;
    let up: { sender: G711RtpSender; room: RoomAudio } | undefined;
    try {
      speaker = await target.open();
      const opened = await G711RtpReceiver.listen(offer.transport, this.d.mediaHost, this.d.stallMs);
      receiver = opened.receiver;
      // The room's microphone is ours only for our own camera (a relayed channel's broadcast is one-way).
      const room = offer.direction === 'sendrecv' && offer.transport === 'udp' && target.camera ? this.d.roomAudio?.(target.camera.id) : undefined;
      if (room) up = { sender: (await G711RtpSender.udp(this.d.mediaHost, { host: offer.ip, port: offer.port }, law, Number(offer.ssrc ?? 0))).sender, room };
      const answer = buildGbSdp({
        sessionName: offer.sessionName, originId: channelId, ip: this.d.mediaHost, port: opened.port, transport: offer.transport, ...(offer.transport === 'tcp' ? { setup: 'passive' as const } : {}),
        direction: up ? 'sendrecv' : 'recvonly', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [law === 'pcma' ? { payloadType: 8, encoding: 'PCMA', clockRate: 8000 } : { payloadType: 0, encoding: 'PCMU', clockRate: 8000 }],
        ...(offer.ssrc ? { ssrc: offer.ssrc } : {}), format: `v/////a/1/${law === 'pcma' ? 8 : 0}/1`,
      });
      const res = reply(200, { headers: { Contact: this.d.node.contact(ctx.source.transport), 'Content-Type': 'APPLICATION/SDP' }, body: new TextEncoder().encode(answer) });
      const dialog = createUasDialog(req, res, ctx.source);
      this.startLeg('talk', dialog, target, offer.transport, speaker, receiver, up);
      const direction = up ? `both ways (sendrecv): the room's ${up.room.law} microphone to the upper` : 'to the room only (recvonly)';
      this.d.log.info({ cameraId: target.camera?.id, channelId, transport: offer.transport, direction }, 'voice talk from the upper to an exam room started');
      // Answered 200 already: an audit failure must not turn into a second (488) answer.
      await this.d.audit.record(actor, {
        action: 'cascade.talk', ...auditObject(target), outcome: 'ok',
        detail: { channelId, session: offer.sessionName, transport: offer.transport, direction, callId: dialog.callId },
      }).catch((err: unknown) => {
        this.d.log.error({ err, channelId }, 'talk not audited: ending it');
        this.legs.get(dialog.callId)?.stop('audit failed', true);
      });
      return {};
    } catch (e) {
      this.busy.delete(target.channelId);
      receiver?.close('talk failed');
      up?.sender.close('talk failed');
      await speaker?.close();
      return { refused: `no audio output: the speaker of ${target.name} could not be opened: ${(e as Error).message}` };
    }
  }

  /** Forwards the upper's G.711 to the camera until BYE, the camera closing, or silence. */
  private startLeg(kind: 'broadcast' | 'talk', d: SipDialog, target: VoiceTarget, transport: 'udp' | 'tcp', speaker: CameraSpeaker, rx: G711RtpReceiver, up?: { sender: G711RtpSender; room: RoomAudio }): void {
    const { node, log } = this.d;
    rx.on('audio', (law, payload) => speaker.send(law, payload));
    // Two-way talk: the room's microphone up, from now until the leg ends.
    const unsubscribe = up?.room.subscribe((payload) => up.sender.send(up.room.law, payload));
    const startedAtMs = Date.now();
    const view: VoiceLegStatus = {
      callId: d.callId, direction: 'from_upper', kind, twoWay: up !== undefined, ...(target.camera ? { cameraId: target.camera.id } : {}), cameraName: target.name, channelId: target.channelId,
      peerId: this.d.upper().id, transport, startedAtMs, scopePath: target.scopePath,
    };
    const leg: Leg = {
      callId: d.callId, dialog: d, target, view,
      stop: (reason, bye) => {
        if (this.legs.get(d.callId) !== leg) return;
        this.legs.delete(d.callId);
        this.busy.delete(target.channelId);
        rx.close(reason);
        unsubscribe?.();
        up?.sender.close(reason);
        void speaker.close();
        if (bye) void node.transport.bye(d).catch(() => undefined);
        log.info({ kind, cameraId: target.camera?.id, channelId: target.channelId, reason, packets: rx.packets, bytes: rx.bytes, ...(up ? { packetsUp: up.sender.packets } : {}), durationMs: Date.now() - startedAtMs }, `voice ${kind} to an exam room ended`);
      },
    };
    this.legs.set(d.callId, leg);
    rx.once('close', (reason) => leg.stop(reason, true));
    speaker.onClose((reason) => leg.stop(reason, true));
  }
}
