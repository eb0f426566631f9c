// Answers the upper platform's MANSCDP requests (this node as lower): Catalog, DeviceInfo,
// DeviceStatus, RecordInfo, PresetQuery (preset-answer.ts) and DeviceControl (PTZ policed, R-DIS-2). Requests for channels of
// this node's own lower platforms pass through to them.
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import { formatGbTime, parseGbTime, parseManscdp, resolutionCode, splitCatalog, splitToFit, UDP_BODY_BUDGET_BYTES } from '../gb28181/index.ts';
import type { ManscdpMessage, RecordItem, RequestContext, ReplyFn, SipRequest } from '../gb28181/index.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { VERSION } from '../version.ts';
import { buildCatalog } from './catalog.ts';
import { answerQuery, classifyControl, controlOther, dutyStatusOf, responseXml, unsupportedAnswer } from './lower-commands.ts';
import type { CameraState, CommandDeps } from './lower-commands.ts';
import type { RefusalLog } from './refusal-log.ts';
import { answerConfig } from './lower-config.ts';
import { lookupPresets, presetResponses } from './preset-answer.ts';
import type { OnvifPresets } from './preset-answer.ts';
import type { LowerLink } from './lower-link.ts';
import type { GbDeviceStatus } from './upper-calls.ts';
import { gbActor, policePtz } from './ptz-policy.ts';
import { recordedSpans } from './record-info.ts';
import type { SipNode } from './sip-node.ts';
import { answerBroadcast, isBroadcast } from './voice.ts';
import type { VoiceBroadcasts } from './voice-broadcast.ts';
import { sipDateText } from './upper-clock.ts';

/** Passthrough to this node's own lower platforms (when it is also an upper). */
export interface RemotePassthrough {
  owns(deviceId: string): Promise<boolean>;
  recordInfo(deviceId: string, startTime: string, endTime: string): Promise<RecordItem[]>;
  ptz(deviceId: string, ptzCmd: string): Promise<string>;
  /** DeviceStatus of a channel of a lower of ours (an upper's readiness probe through the cascade). */
  deviceStatus?(deviceId: string): Promise<GbDeviceStatus>;
  /** DeviceControl other than PTZ (IFameCmd, RecordCmd…), decided by the lower. */
  deviceControl(deviceId: string, other: Record<string, string>): Promise<string>;
  /** PresetQuery of a channel, answered by the lower that owns it (all parts); throws when it does not answer. */
  presets?(deviceId: string): Promise<Array<{ id: string; name: string }>>;
}

export interface LowerHandlerDeps {
  node: SipNode;
  link: LowerLink;
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  cameraState(cameraId: number): CameraState;
  setRecordingMode?: CommandDeps['setRecordingMode'];
  requestKeyframe?: CommandDeps['requestKeyframe'];
  storage?: CommandDeps['storage'];
  /** Rate-limits the warn lines of refused commands (the upper role's, shared). */
  refusals?: RefusalLog;
  remote?: RemotePassthrough;
  /** IFameCmd for a relayed channel: our live relays of it restart at the next keyframe. */
  resyncRelayed?(channelId: string): number;
  /** Items per Catalog/RecordInfo MESSAGE. */
  perMessage?: number;
  /** Moves one of our cameras once the PTZ lock allowed the upper's command (duty/ptz-forward.ts). */
  ptzForward?: (camera: CameraRow, ptzCmd: string) => Promise<{ forwarded: boolean; via: string | null }>;
  /** Whether a camera has an ONVIF address (catalog Info PTZType); unknown when absent. */
  onvifCapable?(camera: CameraRow): boolean | undefined;
  /** PresetQuery: the presets an ONVIF camera holds (PtzForwarder.presets); absent: approved presets only. */
  onvifPresets?: OnvifPresets;
  /** The PTZ lock finds a camera added twice with it (duty/camera-twins.ts). */
  box?: SecretBox;
  /** Voice broadcast to our cameras' speakers (voice-broadcast.ts); absent: refused (voice.ts). */
  voice?: VoiceBroadcasts;
}

/** What this node calls itself to its upper (DeviceInfo DeviceName, BasicParam Name). */
const NODE_NAME = 'xuncha 巡查';

export class LowerHandlers {
  constructor(private readonly d: LowerHandlerDeps) {}

  onMessage(req: SipRequest, reply: ReplyFn, ctx: RequestContext): void {
    let msg: ManscdpMessage;
    try {
      msg = parseManscdp(req.body);
    } catch (err) {
      // The dispatcher logs the refusal at warn (rate-limited, with the peer); the detail here.
      this.d.log.debug({ err }, 'bad MANSCDP from upper');
      reply(400, { reason: 'Bad MANSCDP' });
      return;
    }
    // Date: this node's clock, as GB devices write theirs; the upper bounds our offset by its send
    // and receive times (answer-clock.ts, readiness R-PRE-6).
    reply(200, { headers: { Date: sipDateText(this.d.clock.nowMs()) } });
    void this.answer(msg, ctx).catch((err: unknown) => this.d.log.error({ err, kind: msg.kind }, 'answering the upper failed'));
  }

  /** Byte budget of an answer's body: under the path MTU over UDP (issue 15 defect 5), none over TCP. */
  private bodyBudget(): number | undefined {
    return this.d.link.upper.transport === 'udp' ? UDP_BODY_BUDGET_BYTES : undefined;
  }

  private send(msgs: Array<ManscdpMessage | string>): Promise<void> {
    const { node, link } = this.d;
    // Four MESSAGEs in flight: fast on a LAN, gentle on a UDP receive buffer.
    let i = 0;
    const worker = async (): Promise<void> => {
      while (i < msgs.length) {
        const m = msgs[i++];
        await node.message(link.destination, link.upper.id, m);
      }
    };
    return Promise.all([worker(), worker(), worker(), worker()]).then(() => undefined);
  }

  private async answer(msg: ManscdpMessage, ctx: RequestContext): Promise<void> {
    const { node, store } = this.d;
    const self = node.identity.id;
    const r = repos(store.db);
    const camera = msg.deviceId === self ? undefined : await r.cameras.getByGbCode({ kind: 'all' }, msg.deviceId);
    const head = { sn: msg.sn, deviceId: msg.deviceId };
    switch (msg.kind) {
      case 'catalog-query': {
        const items = await buildCatalog({ store, cameraOnline: (id) => this.d.cameraState(id).online, onvifCapable: this.d.onvifCapable }, self, { includeRemote: Boolean(this.d.remote), gbVersion: this.d.link.upper.gbVersion });
        return this.send(splitCatalog(items, this.d.perMessage ?? 20, { sn: msg.sn, deviceId: self }, this.bodyBudget()));
      }
      case 'device-info-query': {
        if (msg.deviceId === self) {
          const cams = await r.cameras.list({ kind: 'all' });
          return this.send([{ kind: 'device-info-response', ...head, result: 'OK', deviceName: NODE_NAME, manufacturer: 'xuncha', model: 'patrol-node', firmware: VERSION, channel: cams.length }]);
        }
        if (camera) {
          // The camera's own facts from this node's ledger (filled by ONVIF, issue 19) when known.
          // The ledger keeps "<manufacturer> <model>" in one field (ONVIF fills both); uppers list Manufacturer.
          const facts = await r.ledger.deviceOfCamera({ kind: 'all' }, camera.id);
          const [maker, ...modelWords] = (facts?.model ?? '').trim().split(/\s+/);
          // Resolution (Annex F code): the live session's frame size, else the last recording's.
          const size = this.d.cameraState(camera.id).video ?? (await r.recordings.latestVideoSize(camera.id));
          const code = size ? resolutionCode(size.width, size.height) : undefined;
          return this.send([{ kind: 'device-info-response', ...head, result: 'OK', deviceName: camera.name, manufacturer: maker || 'xuncha', model: modelWords.join(' ') || maker || camera.source_kind, firmware: facts?.firmware || VERSION, channel: 1, ...(code !== undefined ? { resolution: String(code) } : {}) }]);
        }
        return this.send([{ kind: 'device-info-response', ...head, result: 'ERROR' }]);
      }
      case 'device-status-query': {
        const now = formatGbTime(this.d.clock.nowMs());
        if (msg.deviceId === self) {
          // The node encodes (serves) while any camera is online and records while any camera records.
          const states = (await r.cameras.list({ kind: 'all' })).map((c) => this.d.cameraState(c.id));
          return this.send([{ kind: 'device-status-response', ...head, result: 'OK', online: 'ONLINE', status: 'OK', encode: states.some((x) => x.online) ? 'ON' : 'OFF', record: states.some((x) => x.recording) ? 'ON' : 'OFF', deviceTime: now }]);
        }
        if (!camera && this.d.remote?.deviceStatus && (await this.d.remote.owns(msg.deviceId))) {
          // A channel of our own lower: relayed, so an upper two levels up hears the site itself.
          const s = await this.d.remote.deviceStatus(msg.deviceId).catch((err: unknown) => ({ result: 'ERROR', online: 'OFFLINE', status: 'ERROR', reason: `lower did not answer: ${(err as Error).message}`.slice(0, 120) }) as GbDeviceStatus);
          return this.send([{ kind: 'device-status-response', ...head, result: s.result, online: s.online, status: s.status, ...(s.reason ? { reason: s.reason } : {}), ...(s.encode ? { encode: s.encode } : {}), ...(s.record ? { record: s.record } : {}), deviceTime: s.deviceTime ?? now }]);
        }
        if (!camera) return this.send([{ kind: 'device-status-response', ...head, result: 'ERROR', online: 'OFFLINE', status: 'ERROR', reason: 'unknown device' }]);
        const s = this.d.cameraState(camera.id);
        // Alarmstatus: the camera's own alarm (video loss) as DutyStatus (dutyStatusOf).
        const dutyStatus = dutyStatusOf(s.state);
        return this.send([{ kind: 'device-status-response', ...head, result: 'OK', online: s.online ? 'ONLINE' : 'OFFLINE', status: s.online ? 'OK' : 'ERROR', encode: s.online ? 'ON' : 'OFF', record: s.recording ? 'ON' : 'OFF', deviceTime: now, alarmStatus: [{ deviceId: camera.gb_code, dutyStatus }] }]);
      }
      case 'record-info-query': {
        let items: RecordItem[] = [];
        let name = camera?.name;
        if (camera) {
          const room = await r.rooms.get({ kind: 'all' }, camera.room_id);
          items = await recordedSpans(store, camera, parseGbTime(msg.startTime), parseGbTime(msg.endTime), this.d.clock.nowMs(), { type: msg.type, recorderId: self, ...(room ? { address: room.name } : {}) });
        } else if (this.d.remote && (await this.d.remote.owns(msg.deviceId))) {
          items = await this.d.remote.recordInfo(msg.deviceId, msg.startTime, msg.endTime);
          name = items[0]?.name;
        }
        const make = (slice: RecordItem[]): ManscdpMessage => ({ kind: 'record-info-response', ...head, ...(name !== undefined ? { name } : {}), sumNum: items.length, items: slice });
        return this.send(splitToFit(items, make, { maxItems: this.d.perMessage ?? 20, maxBodyBytes: this.bodyBudget() }));
      }
      case 'device-control': {
        const actor = gbActor(this.d.link.upper.id, ctx.source.host);
        const lens = msg.ptzCmd === undefined ? classifyControl(msg.other ?? {}) : undefined;
        if (lens?.lens && camera) {
          // HomePosition / DragZoomIn/Out move the lens: the same R-DIS-2 guard as PTZCmd.
          const d = await policePtz(this.d, actor, camera, lens.command, msg.other);
          return this.send([{ kind: 'control-response', ...head, result: d.allowed ? 'OK' : 'ERROR' }]);
        }
        if (msg.ptzCmd === undefined && !camera && msg.deviceId !== self && this.d.remote && (await this.d.remote.owns(msg.deviceId))) {
          // A lower platform's channel (province → city → site): the site's rules decide and audit;
          // our live relays of it restart at the next keyframe when it is IFameCmd.
          const other = msg.other ?? {};
          if (classifyControl(other).command === 'IFameCmd') this.d.resyncRelayed?.(msg.deviceId);
          const result = await this.d.remote.deviceControl(msg.deviceId, other);
          await this.d.audit.record(actor, { action: 'cascade.control', objectType: 'remote_channel', objectId: msg.deviceId, outcome: result === 'OK' ? 'ok' : 'denied', scopePath: '/', detail: { command: classifyControl(other).command, other, reason: `passed to the lower platform: ${result}` } });
          return this.send([{ kind: 'control-response', ...head, result }]);
        }
        if (msg.ptzCmd === undefined) {
          const out = await controlOther(this.commandDeps(), actor, camera, msg.deviceId, msg.other ?? {});
          // Refused by a rule (StopRecord in an exam window, TeleBoot): audited, and at warn once a minute.
          if (out.reason.startsWith('refused')) this.refused(`control:${classifyControl(msg.other ?? {}).command}:${msg.deviceId}`, ctx, { target: msg.deviceId, reason: out.reason }, 'DeviceControl from the upper refused');
          return this.send([{ kind: 'control-response', ...head, result: out.result }]);
        }
        if (camera) {
          const d = await policePtz(this.d, actor, camera, msg.ptzCmd);
          // Allowed: the camera is moved (ONVIF); ERROR when it has PTZ and did not take it. A camera
          // without PTZ control (no ONVIF address) is answered OK as before (decision audited).
          const sent = d.allowed && this.d.ptzForward ? await this.d.ptzForward(camera, msg.ptzCmd) : undefined;
          const ok = d.allowed && (!sent || sent.forwarded || sent.via === null);
          return this.send([{ kind: 'control-response', ...head, result: ok ? 'OK' : 'ERROR' }]);
        }
        if (this.d.remote && (await this.d.remote.owns(msg.deviceId))) {
          return this.send([{ kind: 'control-response', ...head, result: await this.d.remote.ptz(msg.deviceId, msg.ptzCmd) }]);
        }
        return this.send([{ kind: 'control-response', ...head, result: 'ERROR' }]);
      }
      case 'alarm-query':
        // Alarms go up as they happen (Notify); a query is acknowledged.
        return this.send([responseXml('Alarm', msg.sn, msg.deviceId, [{ name: 'Result', text: 'OK' }])]);
      case 'other': {
        if (msg.root === 'Query' && msg.cmdType === 'PresetQuery') {
          const found = await lookupPresets({ store, onvifPresets: this.d.onvifPresets, remote: this.d.remote }, msg.deviceId, camera, msg.deviceId === self);
          this.d.log.info({ upper: this.d.link.upper.id, deviceId: msg.deviceId, origin: found.origin, presets: found.items.length, ...(found.error ? { error: found.error } : {}) }, 'PresetQuery from the upper answered');
          return this.send(presetResponses(msg, found, { perMessage: this.d.perMessage ?? 20, maxBodyBytes: this.bodyBudget() }));
        }
        if (isBroadcast(msg) && this.d.voice) {
          const a = await this.d.voice.answer(msg, gbActor(this.d.link.upper.id, ctx.source.host), self);
          if (a.refused !== undefined) this.refused(`broadcast:${msg.deviceId}`, ctx, { target: msg.deviceId, reason: a.refused }, 'voice broadcast from the upper refused (Result ERROR)');
          await this.send([a.xml]);
          // The standard's order: Response OK first, then our INVITE for the audio (voice-broadcast.ts).
          if (a.after) void a.after().catch((err: unknown) => this.d.log.warn({ err }, 'voice broadcast failed'));
          return;
        }
        if (isBroadcast(msg)) {
          const xml = await answerBroadcast(msg, { ...this.d, selfId: self }, gbActor(this.d.link.upper.id, ctx.source.host));
          this.refused(`broadcast:${msg.deviceId}`, ctx, { target: msg.deviceId }, 'voice broadcast from the upper refused: no audio output here (Result ERROR)');
          return this.send([xml]);
        }
        const cfg = await answerConfig(msg, { link: this.d.link, audit: this.d.audit, name: NODE_NAME, isNode: msg.deviceId === self }, gbActor(this.d.link.upper.id, ctx.source.host));
        const xml = cfg ?? (await answerQuery(msg, this.commandDeps(), camera?.name ?? NODE_NAME, msg.deviceId === self));
        if (xml) return this.send([xml]);
        const refusal = unsupportedAnswer(msg);
        this.refused(`unsupported:${msg.root}:${msg.cmdType}`, ctx, { root: msg.root, cmdType: msg.cmdType }, `MANSCDP command from the upper not supported: ${refusal ? 'answered Result ERROR' : 'not answered'}`);
        return refusal ? this.send([refusal]) : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A refused command of the upper, at warn with the peer, once per kind a minute when a RefusalLog is given. */
  private refused(key: string, ctx: RequestContext, fields: Record<string, unknown>, msg: string): void {
    const f = { upper: this.d.link.upper.id, peer: `${ctx.source.transport}:${ctx.source.host}:${ctx.source.port}`, ...fields };
    if (this.d.refusals) this.d.refusals.warn(key, f, msg);
    else this.d.log.warn(f, msg);
  }

  private commandDeps(): CommandDeps {
    return { store: this.d.store, audit: this.d.audit, clock: this.d.clock, upper: this.d.link.upper, cameraState: this.d.cameraState, ...(this.d.setRecordingMode ? { setRecordingMode: this.d.setRecordingMode } : {}),
      ...(this.d.requestKeyframe ? { requestKeyframe: this.d.requestKeyframe } : {}), ...(this.d.storage ? { storage: this.d.storage } : {}),
      ...(this.d.remote ? { forwardControl: (channelId: string, other: Record<string, string>) => this.d.remote!.deviceControl(channelId, other) } : {}) };
  }
}
