// Voice broadcast DOWN to a lower platform's channel, this node as the UPPER (GB/T 28181-2016
// §9.12, issue 15) — the other half of voice-broadcast.ts. The console's 喊话 to a camera whose
// source is a lower's channel (src/live/talk.ts) opens it as a speaker:
//   1. MESSAGE Notify CmdType=Broadcast to the lower that owns the channel: SourceID a voice-input
//      id of ours made for this broadcast (type 136), TargetID the channel; wait for its Response.
//      Result ERROR is the refusal (its Reason, classified for the console: no speaker, busy…).
//   2. The lower INVITEs our SourceID (s=Play, m=audio, recvonly, PCMA/PCMU, y= its SSRC); we
//      answer 200 sendonly with our sending port and the law chosen, UDP, or TCP where we connect
//      (its a=setup:passive) or where we listen and it connects (its a=setup:active).
//   3. The browser's G.711 is sent as plain RTP (audio-out.ts) until the operator stops (we BYE),
//      the lower hangs up (its BYE), or the audio connection closes.
import type { Logger } from 'pino';
import { bodyText, buildBroadcastNotify, buildDeviceId, buildGbSdp, createUasDialog, matchesDialog, parseGbSdp, parseUri, readBroadcastAnswer } from '../gb28181/index.ts';
import type { GbSdp, ReplyFn, RequestContext, SipDialog, SipRequest } from '../gb28181/index.ts';
import { OpenError } from '../ingest/source.ts';
import { SpeakerError } from '../ingest/speaker.ts';
import type { OpenSpeaker } from '../ingest/speaker.ts';
import type { G711Law } from '../media/g711/level.ts';
import { gbChannelIdOf } from '../recording/camera-spec.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { LowerRow } from '../store/repos/cascade-repo.ts';
import { G711RtpSender } from './audio-out.ts';
import type { SipNode } from './sip-node.ts';
import { userOf } from './sip-node.ts';
import type { UpperCalls } from './upper-calls.ts';
import type { UpperRegistry } from './upper-registry.ts';
import type { VoiceLegStatus } from './voice.ts';

export interface UpperBroadcastDeps {
  node: SipNode;
  registry: UpperRegistry;
  calls: UpperCalls;
  log: Logger;
  mediaHost: string;
  /** How long the lower may take to answer the Broadcast (it opens the camera's speaker first). Default 10 s. */
  answerTimeoutMs?: number;
  /** How long after its Result OK the lower may take to INVITE. Default 10 s. */
  inviteTimeoutMs?: number;
}

/** The speaker of a lower's channel; `detail` names the cascade leg for the console's audit record. */
export type LowerSpeaker = OpenSpeaker & { detail: { lower: string; channelId: string; sourceId: string; callId: string } };

interface Pending {
  sourceId: string;
  channelId: string;
  lower: LowerRow;
  /** Our camera row that pulls the channel, when the console opened it through one. */
  camera?: Pick<CameraRow, 'id' | 'name' | 'site_path'>;
  settle(leg: Leg | Error): void;
}

interface Leg {
  callId: string;
  dialog: SipDialog;
  sender: G711RtpSender;
  channelId: string;
  lower: string;
  sourceId: string;
  transport: 'udp' | 'tcp';
  view: VoiceLegStatus;
  stop(reason: string, bye: boolean): void;
}

/** A node whose cascade is not configured (or not started) has no way down. */
export const NO_CASCADE = (): SpeakerError => new SpeakerError('failed', 'GB/T 28181 cascade is not running on this node (configure gb28181)', '本节点未配置国标级联');

/** Lets the last packets handed to the socket reach the lower before it hears the BYE. */
const BYE_AFTER_MS = 60;

/**
 * A lower's refusal as the console words it: 551 / no back channel / no audio output at the node
 * → no speaker; a broadcast in progress → busy; anything else its reason as said.
 */
export function refusalOfLower(lowerSipId: string, reason: string): SpeakerError {
  const text = `lower platform ${lowerSipId} answered ERROR: ${reason}`;
  if (/already in progress|\bbusy\b/i.test(reason)) return new SpeakerError('busy', text);
  if (/\b551\b|no audio back channel|no audio output at this node|no back channel|no speaker/i.test(reason)) return new SpeakerError('no_speaker', text);
  if (/unknown target/i.test(reason)) return new SpeakerError('failed', text, '下级平台没有该通道');
  return new SpeakerError('failed', text, '下级平台拒绝了广播');
}

export class UpperBroadcasts {
  private readonly pending = new Map<string, Pending>();
  private readonly legs = new Map<string, Leg>();
  private serial = 0;

  constructor(private readonly d: UpperBroadcastDeps) {}

  /** Broadcasts running to lowers' channels (set-ups waiting for the lower not counted). */
  get count(): number {
    return this.legs.size;
  }

  /** The broadcasts running now (the 级联 page's voice list). */
  list(): VoiceLegStatus[] {
    return [...this.legs.values()].map((l) => l.view);
  }

  /** A voice-input id of ours for one broadcast: the lower INVITEs it, so it names the broadcast. */
  private nextSourceId(): string {
    const own = this.d.node.identity.id;
    this.serial = (this.serial % 999_999) + 1;
    return buildDeviceId({ centreCode: own.slice(0, 8), industryCode: own.slice(8, 10), typeCode: '136', serial: this.serial });
  }

  /** The speaker of a camera row that is a lower's channel (its main_stream holds the channel id). */
  openCamera(camera: CameraRow): Promise<LowerSpeaker> {
    const channelId = gbChannelIdOf(camera);
    if (!channelId) return Promise.reject(new SpeakerError('failed', `camera ${camera.name} names no 20-digit channel id`, '该通道的国标编码无效'));
    return this.open(channelId, camera);
  }

  /**
   * A channel in a lower's catalog as a voice target of our own upper (a province addressing a
   * site's channel through our relayed catalog): the voice goes down as our Broadcast. Undefined
   * when no lower owns it.
   */
  async relayedChannel(channelId: string): Promise<{ name: string; scopePath: string; open(): Promise<LowerSpeaker> } | undefined> {
    const ch = await this.d.calls.channelOf(channelId);
    return ch && { name: ch.name, scopePath: ch.lower.node_path, open: () => this.open(channelId) };
  }

  /** Opens the speaker of a lower's channel: Broadcast, its INVITE, then G.711 down. SpeakerError when it cannot. */
  async open(channelId: string, camera?: Pick<CameraRow, 'id' | 'name' | 'site_path'>): Promise<LowerSpeaker> {
    const { log } = this.d;
    let lower: LowerRow;
    try {
      lower = await this.d.calls.requireOwner(channelId);
    } catch (e) {
      const offline = e instanceof OpenError && e.code === 'network';
      throw new SpeakerError('failed', (e as Error).message, offline ? '下级平台不在线' : '下级平台目录中没有该通道');
    }
    const sourceId = this.nextSourceId();
    let settle!: (leg: Leg | Error) => void;
    const invited = new Promise<Leg>((resolve, reject) => {
      settle = (x) => (x instanceof Error ? reject(x) : resolve(x));
    });
    void invited.catch(() => undefined); // awaited below once the Response is OK
    this.pending.set(sourceId, { sourceId, channelId, lower, ...(camera ? { camera } : {}), settle });
    const sn = this.d.node.nextSn();
    log.info({ lower: lower.sip_id, channelId, sourceId, sn }, 'voice broadcast to a lower platform channel: Broadcast sent');
    let timer: NodeJS.Timeout | undefined;
    try {
      const answers = await this.d.registry.query(lower, { sn, text: buildBroadcastNotify({ sn, sourceId, targetId: channelId }) }, this.d.answerTimeoutMs ?? 10_000)
        .catch((e: unknown) => {
          throw new SpeakerError('failed', `lower platform ${lower.sip_id}: ${(e as Error).message}`, '下级平台未应答广播通知');
        });
      const answer = answers.map((m) => safeAnswer(m)).find((a) => a !== undefined);
      if (!answer) throw new SpeakerError('failed', `lower platform ${lower.sip_id} answered the Broadcast with something else`, '下级平台未应答广播通知');
      if (!answer.ok) throw refusalOfLower(lower.sip_id, answer.reason ?? 'ERROR');
      const waitMs = this.d.inviteTimeoutMs ?? 10_000;
      timer = setTimeout(() => settle(new SpeakerError('failed', `lower platform ${lower.sip_id} answered OK but did not INVITE ${sourceId} within ${waitMs} ms`, '下级平台未建立广播音频')), waitMs);
      const leg = await invited;
      return this.speakerOf(leg);
    } catch (e) {
      if (this.pending.get(sourceId)?.settle === settle) this.pending.delete(sourceId);
      // An INVITE taken before the refusal was read (a lower answering out of order): hung up.
      void invited.then((leg) => leg.stop('broadcast set-up failed', true), () => undefined);
      log.warn({ lower: lower.sip_id, channelId, sourceId, reason: (e as Error).message }, 'voice broadcast to a lower platform channel refused');
      throw e instanceof SpeakerError ? e : new SpeakerError('failed', (e as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * An INVITE that is not our upper's: ours when its Request-URI is the SourceID of a broadcast
   * being set up (answered here, true); false otherwise (the caller refuses it as before).
   */
  onInvite(req: SipRequest, reply: ReplyFn, ctx: RequestContext): boolean {
    let user: string | undefined;
    try {
      user = parseUri(req.uri).user;
    } catch {
      return false;
    }
    const p = user ? this.pending.get(user) : undefined;
    if (!p) return false;
    // Only the lower we sent the Broadcast to, from where it registered (R-SEC-6), may take it.
    if (!this.d.registry.fromRegisteredSource({ sipId: p.lower.sip_id }, ctx.source, 'broadcast INVITE')) {
      reply(403, { reason: 'Source Does Not Match Registration' });
      return true;
    }
    this.pending.delete(p.sourceId);
    void this.accept(req, reply, ctx, p).catch((err: unknown) => {
      reply(500);
      p.settle(err as Error);
    });
    return true;
  }

  /** Answers the lower's INVITE sendonly with our sending port; the leg runs until either side ends it. */
  private async accept(req: SipRequest, reply: ReplyFn, ctx: RequestContext, p: Pending): Promise<void> {
    let offer: GbSdp;
    try {
      offer = parseGbSdp(bodyText(req));
    } catch (e) {
      reply(400, { reason: 'Bad SDP' });
      return p.settle(new SpeakerError('failed', `the lower's broadcast INVITE has a bad SDP: ${(e as Error).message}`, '下级平台未建立广播音频'));
    }
    const law: G711Law | undefined = offer.rtpMaps.some((m) => m.payloadType === 8 || m.encoding === 'PCMA') ? 'pcma' : offer.rtpMaps.some((m) => m.payloadType === 0 || m.encoding === 'PCMU') ? 'pcmu' : undefined;
    const refuse = (reason: string): void => {
      reply(488, { reason: 'Not Acceptable Here' });
      p.settle(new SpeakerError('failed', `the lower's broadcast INVITE cannot be taken: ${reason}`, '下级平台未建立广播音频'));
    };
    if (!law) return refuse('no G.711 (PCMA/PCMU) in the offer');
    // TCP: we connect to where it listens (its a=setup:passive), or listen where it connects (active).
    const ssrc = offer.ssrc ? Number(offer.ssrc) : 0;
    const to = { host: offer.ip, port: offer.port };
    const weListen = offer.transport === 'tcp' && offer.setup === 'active';
    const opened = offer.transport === 'tcp'
      ? (weListen ? await G711RtpSender.tcpListen(this.d.mediaHost, law, ssrc) : await G711RtpSender.tcp(to, law, ssrc))
      : await G711RtpSender.udp(this.d.mediaHost, to, law, ssrc);
    const pt = law === 'pcma' ? 8 : 0;
    const answer = buildGbSdp({
      sessionName: offer.sessionName, originId: p.sourceId, ip: this.d.mediaHost, port: opened.port, transport: offer.transport, ...(offer.transport === 'tcp' ? { setup: weListen ? 'passive' as const : 'active' as const } : {}),
      direction: 'sendonly', startSec: 0, endSec: 0, media: 'audio', rtpMaps: [{ payloadType: pt, encoding: law === 'pcma' ? 'PCMA' : 'PCMU', clockRate: 8000 }],
      ...(offer.ssrc ? { ssrc: offer.ssrc } : {}), format: `v/////a/1/${pt}/1`,
    });
    const res = reply(200, { headers: { Contact: this.d.node.contact(ctx.source.transport), 'Content-Type': 'APPLICATION/SDP' }, body: new TextEncoder().encode(answer) });
    const dialog = createUasDialog(req, res, ctx.source);
    const leg = this.startLeg(dialog, opened.sender, p, offer.transport);
    this.d.log.info({ lower: p.lower.sip_id, channelId: p.channelId, sourceId: p.sourceId, from: userOf(req.headers.get('From')), transport: offer.transport, law, to: `${offer.ip}:${offer.port}` }, 'voice broadcast to a lower platform channel started');
    p.settle(leg);
  }

  private startLeg(dialog: SipDialog, sender: G711RtpSender, p: Pending, transport: 'udp' | 'tcp'): Leg {
    const startedAtMs = Date.now();
    const view: VoiceLegStatus = {
      callId: dialog.callId, direction: 'to_lower', kind: 'broadcast', twoWay: false, ...(p.camera ? { cameraId: p.camera.id, cameraName: p.camera.name } : {}),
      channelId: p.channelId, peerId: p.lower.sip_id, transport, startedAtMs, scopePath: p.camera?.site_path ?? p.lower.node_path,
    };
    const leg: Leg = {
      callId: dialog.callId, dialog, sender, channelId: p.channelId, lower: p.lower.sip_id, sourceId: p.sourceId, transport, view,
      stop: (reason, bye) => {
        if (this.legs.get(dialog.callId) !== leg) return;
        this.legs.delete(dialog.callId);
        const { packets, bytes, dropped } = sender;
        sender.close(reason);
        if (bye) setTimeout(() => void this.d.node.transport.bye(dialog).catch(() => undefined), BYE_AFTER_MS).unref();
        this.d.log.info({ lower: leg.lower, channelId: leg.channelId, reason, packets, bytes, dropped, durationMs: Date.now() - startedAtMs }, 'voice broadcast to a lower platform channel ended');
      },
    };
    this.legs.set(dialog.callId, leg);
    sender.once('close', (reason) => leg.stop(reason, true));
    return leg;
  }

  private speakerOf(leg: Leg): LowerSpeaker {
    return {
      law: leg.sender.law,
      send: (law, payload) => leg.sender.send(law, payload),
      onClose: (fn) => leg.sender.once('close', (reason) => fn(`broadcast to the lower platform ended: ${reason}`)),
      close: () => {
        leg.stop('closed by the operator', true);
        return Promise.resolve();
      },
      detail: { lower: leg.lower, channelId: leg.channelId, sourceId: leg.sourceId, callId: leg.callId },
    };
  }

  /** BYE from a lower for one of our broadcasts: true when it was ours (answered here). */
  onBye(req: SipRequest, reply: ReplyFn): boolean {
    const leg = this.legs.get(req.headers.get('Call-ID') ?? '');
    if (!leg || !matchesDialog(leg.dialog, req)) return false;
    reply(200);
    leg.stop('BYE from the lower platform', false);
    return true;
  }

  closeAll(): void {
    for (const p of [...this.pending.values()]) p.settle(new SpeakerError('failed', 'shutting down'));
    this.pending.clear();
    for (const leg of [...this.legs.values()]) leg.stop('shutdown', true);
  }
}

/** The Broadcast answer in a message, undefined when it is not one or is malformed. */
function safeAnswer(m: Parameters<typeof readBroadcastAnswer>[0]): ReturnType<typeof readBroadcastAnswer> {
  try {
    return readBroadcastAnswer(m);
  } catch {
    return undefined;
  }
}
