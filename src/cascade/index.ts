// The cascade module (docs/design/cascade.md): one SIP endpoint for both roles — lower (register
// to the configured upper, answer its queries, send media and alarms) and upper (accept lower
// platforms, merge their catalogs, receive alarms, pull their media). Built from the App; the
// composition root is untouched: `createCascadeModule(app)` returns the same module per app.
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import type { App } from '../app.ts';
import type { Gb28181Settings } from '../config/config.ts';
import { SipDroppedError, SipTransport } from '../gb28181/index.ts';
import type { RequestContext, ReplyFn, SipRequest, SipTimers } from '../gb28181/index.ts';
import { relayAlarms } from './alarm-relay.ts';
import { watchFaults } from './alarms-out.ts';
import { watchDutyAlarms } from './duty-alarms-out.ts';
import { PtzForwarder } from '../duty/ptz-forward.ts';
import { buildCatalog, onvifCapability } from './catalog.ts';
import { CatalogWatcher } from './catalog-watch.ts';
import { LowerHandlers } from './lower-handlers.ts';
import { LowerLink } from './lower-link.ts';
import type { LowerLinkStatus } from './lower-link.ts';
import { MediaSessions } from './media-sessions.ts';
import { VoiceBroadcasts } from './voice-broadcast.ts';
import type { VoiceLegStatus } from './voice.ts';
import { roomAudioOf } from './room-audio.ts';
import { CascadeService } from './service.ts';
import { LowerSubscriptions } from './subscriptions-lower.ts';
import type { LowerSubscriptionStatus } from './subscriptions-lower.ts';
import { UpperSubscriptions } from './subscriptions-upper.ts';
import type { UpperSubscriptionStatus } from './subscriptions-upper.ts';
import { SipNode, userOf } from './sip-node.ts';
import { GbCameraOpener, UpperCalls } from './upper-calls.ts';
import { NO_CASCADE, UpperBroadcasts } from './upper-broadcast.ts';
import type { LowerSpeaker } from './upper-broadcast.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { UpperRegistry } from './upper-registry.ts';
import type { RegisterGuardOptions } from './register-guard.ts';
import type { CascadeAlarmEvent } from './upper-registry.ts';
import { repos } from '../store/repos/index.ts';

export type { CascadeAlarmEvent } from './upper-registry.ts';
export type { LowerLinkStatus } from './lower-link.ts';
export { GbCameraOpener, UpperCalls } from './upper-calls.ts';
export { GbFrameSource } from './media-in.ts';
export type { MansRtspCommand, MansRtspRequest } from './mansrtsp.ts';

export type CascadeApp = Pick<App, 'config' | 'store' | 'audit' | 'clock' | 'log' | 'events' | 'recorder' | 'files'> & Partial<Pick<App, 'retention' | 'box'>>;

export interface CascadeOptions {
  /** Default: app.config.gb28181. */
  settings?: Gb28181Settings;
  timers?: Partial<SipTimers>;
  /** Items per Catalog/RecordInfo MESSAGE (default 20). */
  perMessage?: number;
  lowerBackoff?: { backoffMinMs?: number; backoffMaxMs?: number };
  /** Idle timeout of multi-part answers (default 10 s). */
  queryIdleMs?: number;
  /** No RTP for this long ends a stream pulled from a lower (default 10 s; not while paused). */
  mediaStallMs?: number;
  /** REGISTER digest guessing limits (tests shorten them). */
  registerGuard?: RegisterGuardOptions;
}

export interface CascadeStatus {
  enabled: boolean;
  sipId?: string;
  domain?: string;
  udpPort?: number;
  tcpPort?: number;
  upper?: LowerLinkStatus;
  mediaSessions: number;
  /** Voice legs now: broadcasts/talks from our upper to our cameras, and ours down to lowers' channels. */
  voiceSessions: { fromUpper: number; toLowers: number };
  /** Those legs one by one (CascadeService.status lists only the caller's scope). */
  voiceLegs: VoiceLegStatus[];
  /** Subscriptions our upper holds here (lower role) and ours at our lowers (upper role). */
  subscriptions: { fromUpper: LowerSubscriptionStatus[]; toLowers: UpperSubscriptionStatus[] };
  /** Lowers caught declaring one MANSCDP charset and sending another (decoded by the bytes). */
  charsetMismatches: Array<{ sipId: string; declared: string; actual: string; lastAtMs: number; count: number }>;
}

export class CascadeModule extends EventEmitter<{ alarm: [CascadeAlarmEvent] }> {
  node?: SipNode;
  link?: LowerLink;
  registry?: UpperRegistry;
  calls?: UpperCalls;
  opener?: GbCameraOpener;
  readonly service = new CascadeService(this);
  upperSubs?: UpperSubscriptions;
  lowerSubs?: LowerSubscriptions;
  private watcher?: CatalogWatcher;
  private sessions?: MediaSessions;
  /** Voice broadcasts from the upper to our cameras' speakers (lower role). */
  private voice?: VoiceBroadcasts;
  /** Voice broadcasts from us down to lower platforms' channels (upper role, the console's 喊话). */
  private broadcasts?: UpperBroadcasts;
  private handlers?: LowerHandlers;
  private unwatch?: () => void;

  constructor(
    readonly app: CascadeApp,
    readonly settings: Gb28181Settings | undefined,
    private readonly opts: CascadeOptions = {},
  ) {
    super();
  }

  get enabled(): boolean {
    return this.settings !== undefined;
  }

  async start(): Promise<void> {
    const s = this.settings;
    if (!s || this.node) return;
    const { app } = this;
    const transport = await SipTransport.listen({ host: s.host, udpPort: s.udpPort, tcpPort: s.tcpPort, advertisedHost: s.advertisedHost, timers: this.opts.timers });
    const node = (this.node = new SipNode(transport, { id: s.id, domain: s.domain }));
    const mediaHost = transport.advertisedHost;
    this.registry = new UpperRegistry(node, app.store, app.clock, app.log, { lowerKeepaliveS: s.lowerKeepaliveS, catalogIdleMs: this.opts.queryIdleMs, registerGuard: this.opts.registerGuard });
    const refusals = this.registry.refusals;
    // Dropped datagrams (malformed SIP), socket errors: warn, once per kind and minute.
    transport.on('error', (err) => {
      if (err instanceof SipDroppedError) refusals.warn(`dropped:${err.peerHost}`, { peer: err.peer, reason: err.reason }, err.message.split(' from ')[0]);
      else refusals.warn(`sip-error:${err.message.slice(0, 60)}`, { err: err.message }, 'SIP transport error');
    });
    this.registry.on('alarm', (a) => {
      this.emit('alarm', a);
      // On the node's bus too (consumers: alarm views, fault tickets). Key not yet in EventMap.
      app.events.emit('cascade.alarm', a);
    });
    this.upperSubs = new UpperSubscriptions({ node, registry: this.registry, store: app.store, clock: app.clock, log: app.log, expiresS: s.subscribeExpiresS });
    this.registry.hooks = this.upperSubs;
    this.calls = new UpperCalls(node, this.registry, app.store, app.log, mediaHost, this.opts.mediaStallMs);
    this.opener = new GbCameraOpener(this.calls);
    this.broadcasts = new UpperBroadcasts({ node, registry: this.registry, calls: this.calls, log: app.log, mediaHost });
    this.sessions = new MediaSessions({
      node, store: app.store, audit: app.audit, files: app.files, clock: app.clock, log: app.log, mediaHost,
      supervisor: (id) => app.recorder.supervisor(id), remote: this.calls, voice: () => this.voice,
    });
    if (s.upper) {
      this.link = new LowerLink(node, s.upper, app.clock, app.log, this.opts.lowerBackoff);
      const calls = this.calls;
      // Catalog Info PTZType: a camera with an ONVIF address may be moved (type unknown), one without is fixed.
      const onvifCapable = onvifCapability(app.box);
      const ptz = app.box && new PtzForwarder({ box: app.box, log: app.log, gbPtz: (channelId, cmd) => calls.ptz(channelId, cmd) });
      const link = this.link;
      this.voice = new VoiceBroadcasts({
        node, store: app.store, audit: app.audit, log: app.log, mediaHost, ...(app.box ? { box: app.box } : {}),
        upper: () => ({ destination: link.destination, id: link.upper.id }),
        roomAudio: (cameraId) => roomAudioOf(app.recorder.supervisor(cameraId)),
        // A camera of ours that pulls a lower platform's channel (a city's camera of a site room):
        // the upper's voice is relayed down as our own Broadcast to that lower (upper-broadcast.ts).
        openLowerSpeaker: (c) => this.openLowerSpeaker(c),
        // A lower's channel this node relays in its catalog without a camera row: the same, by channel id.
        relayedChannel: (channelId) => this.broadcasts?.relayedChannel(channelId) ?? Promise.resolve(undefined),
      });
      this.handlers = new LowerHandlers({
        node, link: this.link, store: app.store, audit: app.audit, clock: app.clock, log: app.log, box: app.box, perMessage: this.opts.perMessage,
        cameraState: (id) => {
          const st = app.recorder.status(id);
          const video = app.recorder.supervisor(id)?.video;
          return { online: st?.state === 'online', recording: st?.recording ?? false, ...(st ? { state: st.state } : {}), ...(video ? { video: { width: video.width, height: video.height } } : {}) };
        },
        // RecordCmd from the upper (outside exam windows, lower-commands.ts): the camera's mode, applied now.
        setRecordingMode: async (cameraId, mode) => {
          await repos(app.store.db).cameras.update(cameraId, { recording_mode: mode, updated_at_ms: app.clock.nowMs() });
          await app.recorder.reconcile();
        },
        // IFameCmd: RTCP PLI/FIR to the camera and our live sessions of it restart at the next keyframe.
        requestKeyframe: (cameraId) => {
          const via = app.recorder.supervisor(cameraId)?.requestKeyframe();
          const sessions = this.sessions?.resyncLive(cameraId) ?? 0;
          app.log.info({ cameraId, via: via ?? 'none', sessions }, 'keyframe requested by the upper (IFameCmd)');
          return { ...(via ? { via } : {}), sessions };
        },
        // SDCardStatus of the node: its recording disk (MB), as the retention job measures it.
        storage: async () => {
          try {
            if (!app.retention) return [];
            const d = await app.retention.meter.measure();
            return [{ id: 1, name: 'recordings', status: 'ok' as const, capacityMb: d.totalBytes / 2 ** 20, freeMb: d.freeBytes / 2 ** 20 }];
          } catch {
            return [{ id: 1, name: 'recordings', status: 'error' as const, capacityMb: 0, freeMb: 0 }];
          }
        },
        remote: this.calls,
        voice: this.voice,
        resyncRelayed: (channelId) => this.sessions?.resyncLive(channelId) ?? 0,
        refusals,
        // Allowed PTZ from the upper moves our ONVIF camera; our own GB channels go on down.
        ptzForward: ptz ? (camera, cmd) => ptz.forward(camera, cmd) : undefined,
        onvifCapable,
        // PresetQuery from the upper: an ONVIF camera lists its own presets (GetPresets).
        onvifPresets: ptz ? (camera) => ptz.presets(camera) : undefined,
      });
      // What our upper sees changes with our cameras and org, and with our lowers' catalogs
      // (province ← city ← site): each hint re-diffs the catalog into ADD/DEL/ON/OFF/UPDATE events.
      const watcher = (this.watcher = new CatalogWatcher({
        build: () => buildCatalog({ store: app.store, cameraOnline: (id) => app.recorder.status(id)?.state === 'online', onvifCapable }, node.identity.id, { includeRemote: true, gbVersion: s.upper?.gbVersion }),
        onChanges: (items) => lowerSubs.publishCatalog(items),
        log: app.log,
      }));
      const lowerSubs = (this.lowerSubs = new LowerSubscriptions({ node, link: this.link, clock: app.clock, log: app.log, watcher, perMessage: this.opts.perMessage }));
      const unwatchFaults = watchFaults(app.events, app.store, node, (build) => lowerSubs.publishAlarm(build));
      // Fewer than two on duty in an exam/custody window (issue 18): a GB alarm too, not only the uplink item.
      const unwatchDuty = watchDutyAlarms(app.events, app.store, node, (build) => lowerSubs.publishAlarm(build), s.id);
      // Alarms from our lowers go on up as well (site → city → province), once each.
      const unrelay = relayAlarms({ registry: this.registry, node, upperId: this.link.upper.id, sink: (build) => lowerSubs.publishAlarm(build) });
      const trigger = (): void => watcher.trigger();
      app.events.on('camera.status', trigger);
      app.events.on('org.changed', trigger);
      for (const e of ['catalog', 'online', 'offline', 'alarm'] as const) this.registry.on(e, trigger);
      this.upperSubs.on('catalog-events', trigger);
      this.unwatch = () => {
        unwatchFaults();
        unwatchDuty();
        unrelay();
        app.events.off('camera.status', trigger);
        app.events.off('org.changed', trigger);
      };
    }
    transport.on('request', (req, reply, ctx) => this.dispatch(req, this.loggedReply(req, reply, ctx), ctx));
    transport.on('ack', (ack) => this.sessions?.onAck(ack.headers.get('Call-ID') ?? ''));
    await this.registry.start();
    await this.watcher?.start();
    await this.upperSubs.start();
    this.link?.start();
  }

  /**
   * Every refused request (any answer ≥ 400; the 401 challenge to REGISTER is not a refusal) is
   * logged at warn with the peer and the reason, once per peer, method and status a minute —
   * unless the handler logged it with its own details in the same turn.
   */
  private loggedReply(req: SipRequest, reply: ReplyFn, ctx: RequestContext): ReplyFn {
    return (status, init) => {
      const refusals = this.registry?.refusals;
      if (refusals && status >= 400 && !(status === 401 && req.method === 'REGISTER') && !refusals.warnedThisTurn()) {
        const { host, port, transport } = ctx.source;
        const reason = init?.reason ?? '';
        refusals.warn(`refused:${host}:${req.method}:${status}`, { peer: `${transport}:${host}:${port}`, from: userOf(req.headers.get('From')), method: req.method, status, ...(reason ? { reason } : {}) }, `SIP ${req.method} refused (${status}${reason ? ` ${reason}` : ''})`);
      }
      return reply(status, init);
    };
  }

  private dispatch(req: SipRequest, reply: ReplyFn, ctx: RequestContext): void {
    const from = userOf(req.headers.get('From'));
    const fromUpper = this.link !== undefined && from === this.link.upper.id;
    if (fromUpper && !this.fromUpperHost(ctx)) {
      // Claims to be our upper from another host (R-SEC-6): refused, nothing done.
      this.registry!.refusals.warn(`spoof-upper:${ctx.source.host}`, { peer: `${ctx.source.transport}:${ctx.source.host}:${ctx.source.port}`, method: req.method }, 'request claiming to be the upper platform from another host refused (403)');
      if (req.method !== 'ACK') reply(403, { reason: 'Source Does Not Match Upper' });
      return;
    }
    switch (req.method) {
      case 'REGISTER':
        return this.registry!.onRegister(req, reply, ctx);
      case 'MESSAGE': {
        if (fromUpper) return this.handlers!.onMessage(req, reply, ctx);
        if (this.calls!.onMessage(req, reply)) return; // MediaStatus 121 inside a download we pull
        return this.registry!.onMessage(req, reply, ctx, from);
      }
      case 'INVITE':
        // A lower taking the voice of a broadcast we sent it INVITEs our SourceID (upper-broadcast.ts).
        if (!fromUpper && this.broadcasts?.onInvite(req, reply, ctx)) return;
        if (!fromUpper) return void reply(403, { reason: 'Only the upper platform may INVITE' });
        return this.sessions!.onInvite(req, reply, ctx, from);
      case 'INFO':
        // MANSRTSP playback control inside a Playback/Download dialog we serve (from our upper).
        if (fromUpper && this.sessions!.onInfo(req, reply)) return;
        return void reply(481);
      case 'SUBSCRIBE':
        // Catalog/alarm subscriptions are our upper's to make (we are its lower platform).
        if (!fromUpper || !this.lowerSubs) return void reply(403, { reason: 'Only the upper platform may SUBSCRIBE' });
        return this.lowerSubs.onSubscribe(req, reply);
      case 'NOTIFY':
        return this.upperSubs!.onNotify(req, reply, ctx);
      case 'BYE':
        if (this.sessions!.onBye(req, reply)) return;
        if (this.voice?.onBye(req, reply)) return; // From is the SourceID we called, not the upper's id
        if (this.broadcasts?.onBye(req, reply)) return; // a lower ending the voice we send down
        if (this.calls!.onBye(req.headers.get('Call-ID') ?? '')) return void reply(200);
        return void reply(481);
      default:
        reply(405);
    }
  }

  /** The speaker of a lower platform's channel (source_kind 'gb28181'): voice down as a broadcast (upper-broadcast.ts). */
  openLowerSpeaker(camera: CameraRow): Promise<LowerSpeaker> {
    return this.broadcasts ? this.broadcasts.openCamera(camera) : Promise.reject(NO_CASCADE());
  }

  /** Whether a request claiming our upper's id comes from its configured host (when that is an IP address). */
  private fromUpperHost(ctx: RequestContext): boolean {
    const host = this.link?.upper.host ?? '';
    return isIP(host) === 0 || ctx.source.host === host;
  }

  status(): CascadeStatus {
    const t = this.node?.transport;
    return {
      enabled: this.enabled, sipId: this.settings?.id, domain: this.settings?.domain, udpPort: t?.udpPort, tcpPort: t?.tcpPort,
      upper: this.link ? { ...this.link.status } : undefined, mediaSessions: this.sessions?.count ?? 0,
      voiceSessions: { fromUpper: this.voice?.count ?? 0, toLowers: this.broadcasts?.count ?? 0 },
      voiceLegs: [...(this.voice?.list() ?? []), ...(this.broadcasts?.list() ?? [])],
      subscriptions: { fromUpper: this.lowerSubs?.status() ?? [], toLowers: this.upperSubs?.status() ?? [] },
      charsetMismatches: [...(this.registry?.charsetMismatches ?? new Map<string, never>())].map(([sipId, m]) => ({ sipId, ...m })),
    };
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.watcher?.stop();
    await this.lowerSubs?.stop(); // terminated NOTIFYs before we unregister
    this.upperSubs?.stop();
    await this.link?.stop();
    this.sessions?.closeAll();
    this.voice?.closeAll();
    this.broadcasts?.closeAll();
    await this.registry?.stop();
    this.node?.close();
    await this.node?.transport.close();
    this.node = undefined;
  }
}

const modules = new WeakMap<object, CascadeModule>();

/** The cascade module of an app (one per app; options only count on the first call). */
export function createCascadeModule(app: CascadeApp, opts: CascadeOptions = {}): CascadeModule {
  let m = modules.get(app);
  if (!m) {
    m = new CascadeModule(app, opts.settings ?? app.config.gb28181, opts);
    modules.set(app, m);
  }
  return m;
}
