// Calls this node makes to its lower platforms: live INVITE of a remote channel (RTP/PS received
// into a GbFrameSource), RecordInfo and PTZ passthrough. GbCameraOpener makes a remote channel
// openable like any camera (`gb28181://<channel id>` stream specs).
import type { Logger } from 'pino';
import { bodyText, buildGbSdp, buildInDialogRequest, buildSsrc, createRequest, parseGbSdp, xmlDocument } from '../gb28181/index.ts';
import type { RecordItem, ReplyFn, SipDialog, SipRequest } from '../gb28181/index.ts';
import type { CameraOpener, FrameSource, StreamSpec } from '../ingest/source.ts';
import { OpenError } from '../ingest/source.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { LowerRow } from '../store/repos/cascade-repo.ts';
import { MEDIA_STATUS_FILE_END, mediaStatusIn } from './file-end.ts';
import { buildMansRtsp, MANSRTSP_CONTENT_TYPE } from './mansrtsp.ts';
import { readPresetPart } from '../gb28181/index.ts';
import type { MansRtspRequest } from './mansrtsp.ts';
import { GbFrameSource } from './media-in.ts';
import type { RtpPsReceiverOptions } from './media-in.ts';
import type { SipNode } from './sip-node.ts';
import type { LowerClock, UpperRegistry } from './upper-registry.ts';

/** A DeviceStatus answer's fields (GB/T 28181 §A.2.6). */
export interface GbDeviceStatus {
  result: string;
  online: string;
  status: string;
  reason?: string;
  encode?: string;
  record?: string;
  deviceTime?: string;
}

export interface OpenLiveOptions {
  transport?: 'udp' | 'tcp';
  /** TCP: 'passive' (default: we listen, the lower connects) or 'active' (we connect to the lower). */
  tcpSetup?: 'active' | 'passive';
  /** Default Play (live). Playback/Download need startSec/endSec (Unix seconds). */
  session?: 'Play' | 'Playback' | 'Download';
  startSec?: number;
  endSec?: number;
  /** Download: speed asked of the lower (a=downloadspeed; a relay passes its upper's on). */
  downloadSpeed?: number;
  tap?: (payload: Uint8Array) => void;
  rtpTap?: RtpPsReceiverOptions['rtpTap'];
  stallMs?: number;
}

export class UpperCalls {
  private ssrcSerial = 0;
  /** Our INVITE dialogs by Call-ID: a BYE from the lower (end of a Download) ends the source. */
  private readonly open = new Map<string, GbFrameSource>();
  private readonly dialogs = new WeakMap<GbFrameSource, SipDialog>();
  private rtspSeq = 0;
  /** Catalog queries in flight by lower id (readiness probes of many channels share one). */
  private readonly catalogRefresh = new Map<number, Promise<void>>();

  constructor(
    private readonly node: SipNode,
    private readonly registry: UpperRegistry,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly mediaHost: string,
    /** No RTP for this long ends a source we opened (unless paused). */
    private readonly stallMs = 10_000,
  ) {}

  /** The online lower platform that reported `deviceId` in its catalog. */
  async ownerOf(deviceId: string): Promise<LowerRow | undefined> {
    const r = repos(this.store.db).cascade;
    const ch = await r.channelByDeviceId(deviceId);
    if (!ch) return undefined;
    return r.getLower({ kind: 'all' }, ch.lower_id);
  }

  /** The lower that reported `deviceId` and the channel's name in its catalog; undefined when in no catalog. */
  async channelOf(deviceId: string): Promise<{ lower: LowerRow; name: string } | undefined> {
    const r = repos(this.store.db).cascade;
    const ch = await r.channelByDeviceId(deviceId);
    const lower = ch ? await r.getLower({ kind: 'all' }, ch.lower_id) : undefined;
    return ch && lower ? { lower, name: ch.name || deviceId } : undefined;
  }

  /** BYE from a lower for one of our sessions: true when it was ours. */
  onBye(callId: string): boolean {
    const src = this.open.get(callId);
    if (!src) return false;
    this.open.delete(callId);
    src.ended = true;
    void src.stop();
    return true;
  }

  /**
   * MESSAGE inside one of our INVITE dialogs: MediaStatus 121 from the lower means the
   * Playback/Download is complete, so the source ends with 'end-of-file' (after its last packets)
   * and we hang up. True when the request was ours (answered here).
   */
  onMessage(req: SipRequest, reply: ReplyFn): boolean {
    if (this.open.size === 0) return false; // no stream pulled: every keepalive passes here
    const src = this.open.get(req.headers.get('Call-ID') ?? '');
    const dialog = src && this.dialogs.get(src);
    if (!src || !dialog) return false;
    const notifyType = mediaStatusIn(dialog, req);
    if (notifyType === undefined) return false;
    reply(200);
    if (notifyType === MEDIA_STATUS_FILE_END) void src.endOfFile().catch((err: unknown) => this.log.debug({ err }, 'ending a finished download failed'));
    // Answered 200 (it is in our dialog) but not acted on: a refusal, at warn once a minute per kind.
    else this.registry.refusals.warn(`mediastatus:${notifyType}`, { notifyType, from: req.headers.get('From') ?? '', callId: req.headers.get('Call-ID') ?? '' }, 'MediaStatus with an unknown NotifyType ignored');
    return true;
  }

  async owns(deviceId: string): Promise<boolean> {
    return (await this.ownerOf(deviceId)) !== undefined;
  }

  /** The online lower that owns a channel; OpenError 'refused' (in no catalog) or 'network' (offline). */
  async requireOwner(deviceId: string): Promise<LowerRow> {
    const lower = await this.ownerOf(deviceId);
    if (!lower) throw new OpenError('refused', `channel ${deviceId} is in no lower platform's catalog`);
    if (!this.registry.isOnline(lower.id)) throw new OpenError('network', `lower platform ${lower.sip_id} is offline`);
    return lower;
  }

  async openLive(deviceId: string, opts: OpenLiveOptions = {}): Promise<GbFrameSource> {
    const lower = await this.requireOwner(deviceId);
    const dest = this.registry.destinationOf(lower)!;
    const transport = opts.transport ?? 'udp';
    const session = opts.session ?? 'Play';
    const ssrc = buildSsrc({ playback: session !== 'Play', domainId: this.node.identity.domain, serial: (this.ssrcSerial = (this.ssrcSerial + 1) % 10_000) });
    const setup = transport === 'tcp' ? (opts.tcpSetup ?? 'passive') : undefined;
    const { source, port } = await GbFrameSource.listen({ transport, setup, bindHost: this.mediaHost, ssrc: ssrc.value, tap: opts.tap, rtpTap: opts.rtpTap, stallMs: opts.stallMs ?? this.stallMs });
    const sdp = buildGbSdp({
      sessionName: session, originId: this.node.identity.id, ip: this.mediaHost, port, transport, setup,
      direction: 'recvonly', startSec: opts.startSec ?? 0, endSec: opts.endSec ?? 0, ...(session === 'Download' && opts.downloadSpeed !== undefined ? { downloadSpeed: opts.downloadSpeed } : {}), ...(session !== 'Play' ? { uri: `${deviceId}:0` } : {}), rtpMaps: [{ payloadType: 96, encoding: 'PS', clockRate: 90000 }], ssrc: ssrc.text,
    });
    const lowerDomain = lower.sip_id.slice(0, 10);
    const req = createRequest({
      method: 'INVITE', uri: `sip:${deviceId}@${lowerDomain}`, from: `<${this.node.fromUri}>`, to: `<sip:${deviceId}@${lowerDomain}>`,
      headers: { Contact: this.node.contact(dest.transport), Subject: `${deviceId}:${ssrc.text},${this.node.identity.id}:0` },
      contentType: 'APPLICATION/SDP', body: new TextEncoder().encode(sdp),
    });
    let dialog: SipDialog | undefined;
    try {
      const sentAtMs = this.registry.nowMs();
      const res = await this.node.transport.invite(req, dest);
      this.registry.noteAnswer(lower.sip_id, res.response, sentAtMs, this.registry.nowMs());
      if (!res.dialog) throw new OpenError('refused', `INVITE for ${deviceId} answered ${res.response.status} ${res.response.reason}`);
      dialog = res.dialog;
      const answer = parseGbSdp(bodyText(res.response));
      if (answer.ssrc) source.expectSsrc(Number(answer.ssrc));
      if (setup === 'active') {
        // We connect to where the lower listens (its answer: a=setup:passive, c= and m= port).
        if (answer.transport !== 'tcp' || answer.setup === 'active' || !answer.port) throw new OpenError('refused', `lower answered TCP active with ${answer.transport}/${answer.setup ?? '-'} port ${answer.port}`);
        await source.connect(answer.ip || dest.host, answer.port);
      }
    } catch (err) {
      await source.stop();
      if (dialog) await this.node.transport.bye(dialog).catch(() => undefined);
      throw err instanceof OpenError ? err : new OpenError('network', `INVITE for ${deviceId} failed: ${(err as Error).message}`);
    }
    const d = dialog;
    this.open.set(d.callId, source);
    this.dialogs.set(source, d);
    source.once('close', () => this.open.delete(d.callId));
    source.onStop = async () => {
      if (!this.open.has(d.callId) && source.ended) return; // the lower hung up first
      await this.node.transport.bye(d).catch((err: unknown) => this.log.debug({ err }, 'BYE to lower failed'));
    };
    return source;
  }

  /**
   * MANSRTSP playback control of a Playback/Download source we opened (SIP INFO in its dialog):
   * PLAY with `rangeSec` (seek, s from the range start) and/or `scale`, PAUSE, TEARDOWN. Resolves
   * with the RTSP status the lower answered (200 when it sends no body); rejects when the INFO fails.
   */
  async control(source: GbFrameSource, cmd: MansRtspRequest): Promise<number> {
    const d = this.dialogs.get(source);
    if (!d || !this.open.has(d.callId)) throw new OpenError('stopped', 'the session has ended');
    const body = buildMansRtsp({ ...cmd, cseq: ++this.rtspSeq });
    const res = await this.node.transport.request(buildInDialogRequest(d, 'INFO', { contentType: MANSRTSP_CONTENT_TYPE, body: new TextEncoder().encode(body) }), d.destination);
    if (res.status !== 200) throw new Error(`INFO answered ${res.status} ${res.reason}`);
    const rtsp = /^RTSP\/1\.0\s+(\d{3})/.exec(bodyText(res));
    const status = rtsp ? Number(rtsp[1]) : 200;
    if (status === 200 && cmd.method !== 'TEARDOWN') source.setPaused(cmd.method === 'PAUSE');
    return status;
  }

  /** RecordInfo passthrough: the lower that owns the channel answers from its own index. */
  async recordInfo(deviceId: string, startTime: string, endTime: string): Promise<RecordItem[]> {
    const lower = await this.requireOwner(deviceId);
    const answers = await this.registry.query(lower, { kind: 'record-info-query', sn: this.node.nextSn(), deviceId, startTime, endTime, secrecy: 0, type: 'all' });
    // Parts of a multi-part answer may arrive in any order (several MESSAGEs in flight): by start time.
    return answers.flatMap((a) => (a.kind === 'record-info-response' ? a.items : [])).sort((x, y) => (x.startTime < y.startTime ? -1 : x.startTime > y.startTime ? 1 : 0));
  }

  /** DeviceInfo of a channel, answered by the lower that owns it (or by the device): maker, model, firmware. */
  async deviceInfo(deviceId: string): Promise<{ result: string; manufacturer?: string; model?: string; firmware?: string }> {
    const lower = await this.requireOwner(deviceId);
    const answers = await this.registry.query(lower, { kind: 'device-info-query', sn: this.node.nextSn(), deviceId }, 5000);
    const a = answers.find((x) => x.kind === 'device-info-response');
    if (!a || a.kind !== 'device-info-response') throw new Error('DeviceInfo 无应答 (no DeviceInfo answer)');
    return { result: a.result, manufacturer: a.manufacturer, model: a.model, firmware: a.firmware };
  }

  /**
   * DeviceStatus of a channel (GB/T 28181 §9.5.2), answered by the lower that owns it; a middle
   * level relays it to its own lower (lower-handlers.ts), so a province reaches a site's camera.
   */
  async deviceStatus(deviceId: string): Promise<GbDeviceStatus> {
    const lower = await this.requireOwner(deviceId);
    const answers = await this.registry.query(lower, { kind: 'device-status-query', sn: this.node.nextSn(), deviceId }, 5000);
    const a = answers.find((x) => x.kind === 'device-status-response');
    if (!a || a.kind !== 'device-status-response') throw new Error('DeviceStatus 无应答 (no DeviceStatus answer)');
    return { result: a.result, online: a.online, status: a.status, reason: a.reason, encode: a.encode, record: a.record, deviceTime: a.deviceTime };
  }

  /**
   * A channel's Status in its lower's catalog. A catalog received before `notBeforeMs` (default: a
   * minute ago) is asked again first — the stored one may predate the camera coming online — once
   * per lower however many of its channels are being probed (concurrent callers share the query;
   * a readiness run passes its start, so one query per lower per run). Undefined: not in it.
   */
  async catalogStatus(deviceId: string, notBeforeMs = this.registry.nowMs() - 60_000): Promise<{ status: string; updatedAtMs: number } | undefined> {
    const lower = await this.ownerOf(deviceId);
    if (lower && this.registry.isOnline(lower.id) && Number(lower.catalog_at_ms ?? 0) < notBeforeMs) {
      let p = this.catalogRefresh.get(lower.id);
      if (!p) {
        p = this.registry.refreshCatalog(lower.id)
          .then(() => undefined, (err: unknown) => this.log.warn({ err, lower: lower.sip_id }, 'catalog query for a readiness probe failed'))
          .finally(() => this.catalogRefresh.delete(lower.id));
        this.catalogRefresh.set(lower.id, p);
      }
      await p;
    }
    const ch = await repos(this.store.db).cascade.channelByDeviceId(deviceId);
    return ch ? { status: ch.status ?? '', updatedAtMs: Number(ch.updated_at_ms) } : undefined;
  }

  /** The clock of the device owning a channel: the Dates of its answers to our requests, else of its last REGISTER/keepalive (readiness R-PRE-6). */
  async clockOf(deviceId: string): Promise<LowerClock | undefined> {
    const lower = await this.ownerOf(deviceId);
    return lower ? this.registry.clockOf(lower.sip_id) : undefined;
  }

  /**
   * DeviceControl other than PTZ (IFameCmd, RecordCmd…) passed to the lower that owns the channel;
   * its rules decide and audit. Returns its Result, 'ERROR' when it never answers.
   */
  async deviceControl(deviceId: string, other: Record<string, string>): Promise<string> {
    const lower = await this.requireOwner(deviceId);
    try {
      const answers = await this.registry.query(lower, { kind: 'device-control', sn: this.node.nextSn(), deviceId, other }, 5000);
      const a = answers[0];
      return a?.kind === 'control-response' ? a.result : 'ERROR';
    } catch (err) {
      this.log.warn({ err, deviceId }, 'DeviceControl passthrough got no answer');
      return 'ERROR';
    }
  }

  /**
   * PresetQuery passed to the lower that owns the channel (issue 15): every part of its answer
   * (SumNum/Num), the items in PresetID order. Throws when it does not answer in time (5 s
   * between parts) or answers Result ERROR (its Reason).
   */
  async presets(deviceId: string): Promise<Array<{ id: string; name: string }>> {
    const lower = await this.requireOwner(deviceId);
    const sn = this.node.nextSn();
    const text = xmlDocument({ name: 'Query', children: [{ name: 'CmdType', text: 'PresetQuery' }, { name: 'SN', text: sn }, { name: 'DeviceID', text: deviceId }] }, 'GB2312');
    const parts = (await this.registry.query(lower, { sn, text }, 5000)).flatMap((m) => readPresetPart(m) ?? []);
    const error = parts.find((p) => p.error)?.error;
    if (error !== undefined || parts.length === 0) throw new Error(`lower answered ${error ?? 'no preset list'}`);
    const byId = new Map(parts.flatMap((p) => p.items).map((i) => [i.id, i]));
    return [...byId.values()].sort((a, b) => Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** PTZ passthrough; the lower's policy decides (R-DIS-2). Returns its Result, 'ERROR' when it never answers. */
  async ptz(deviceId: string, ptzCmd: string): Promise<string> {
    const lower = await this.requireOwner(deviceId);
    try {
      const answers = await this.registry.query(lower, { kind: 'device-control', sn: this.node.nextSn(), deviceId, ptzCmd }, 5000);
      const a = answers[0];
      return a?.kind === 'control-response' ? a.result : 'ERROR';
    } catch (err) {
      this.log.warn({ err, deviceId }, 'PTZ passthrough got no answer');
      return 'ERROR';
    }
  }
}

/** Opens `gb28181://<20-digit channel id>` specs through the cascade (cameras with source_kind 'gb28181'). */
export class GbCameraOpener implements CameraOpener {
  constructor(private readonly calls: UpperCalls) {}

  async open(spec: StreamSpec): Promise<FrameSource> {
    const m = /^gb28181:\/\/(\d{20})$/.exec(spec.url);
    if (!m) throw new OpenError('unsupported', `not a gb28181:// stream: ${spec.url}`);
    return this.calls.openLive(m[1], { transport: spec.transport === 'tcp' ? 'tcp' : 'udp' });
  }
}
