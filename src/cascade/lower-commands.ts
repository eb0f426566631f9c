// The MANSCDP commands an upper may send beyond Catalog/DeviceInfo/DeviceStatus/RecordInfo/PTZ
// (issue 15 "Missing"), each answered with a Response, as docs/design/cascade.md's command table
// says: supported, answered-not-applicable (Result ERROR, never silence: a real peer waits for
// the answer), or refused for exam rules. Every DeviceControl is audited at this node.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { answerDeviceQuery, readDeviceQuery, xmlDocument } from '../gb28181/index.ts';
import type { DeviceQuery, OtherMessage, StorageCard, XmlElement } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import type { Clock } from '../util/clock.ts';

/** What this node knows of a camera right now. */
export interface CameraState {
  online: boolean;
  recording: boolean;
  /** The supervisor's state (connecting, online, error, stopped); undefined when the camera is not run here (disabled). */
  state?: string;
  /** Frame size of the current session, when one delivers video. */
  video?: { width: number; height: number };
}

export interface CommandDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  /** What this node tells its upper in BasicParam: its registration expiry and keepalive. */
  upper: { expiresS: number; keepaliveS: number };
  cameraState(cameraId: number): CameraState;
  /** Sets a camera's recording mode and applies it now (RecordCmd); absent: RecordCmd only reports. */
  setRecordingMode?(cameraId: number, mode: 'continuous' | 'scheduled'): Promise<void>;
  /**
   * IFameCmd: asks the camera for a keyframe (`via`: how, e.g. 'rtcp-tcp'; undefined when its
   * session has no way to ask) and restarts the camera's live sessions to the upper at the next
   * keyframe (`sessions`: how many).
   */
  requestKeyframe?(cameraId: number): { via?: string; sessions: number };
  /**
   * DeviceControl passed to the lower GB platform/device that owns a channel (its Result; 'ERROR'
   * when it does not answer). IFameCmd for a camera whose source is such a channel goes there:
   * the keyframe can only come from the device that encodes.
   */
  forwardControl?(channelId: string, other: Record<string, string>): Promise<string>;
  /** This node's recording storage, for SDCardStatus asked of the node (none: an empty list). */
  storage?(): Promise<StorageCard[]>;
}

const el = (name: string, text: string | number): XmlElement => ({ name, text });

/** A Response document: CmdType, SN, DeviceID, then `rest`. */
export function responseXml(cmdType: string, sn: number, deviceId: string, rest: XmlElement[]): string {
  return xmlDocument({ name: 'Response', children: [el('CmdType', cmdType), el('SN', sn), el('DeviceID', deviceId), ...rest] }, 'GB2312');
}

/** Text of a direct child of an unknown message's tree. */
function field(msg: OtherMessage, name: string): string | undefined {
  const v = typeof msg.tree === 'object' ? (msg.tree as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * The 2022 device queries (manscdp/device-queries.ts). Cameras here are fixed and reached over
 * RTSP: no home position, cruise tracks or PTZ position (ONVIF PTZ positions are not read back), and their SD
 * cards are not visible — each is answered with the empty form. The node itself answers
 * SDCardStatus with its recording disk. A malformed one (CruiseTrackQuery without Number) is
 * answered ERROR with what is wrong (`unsupportedAnswer`), as an unknown command.
 */
async function answerDevice(msg: OtherMessage, deps: CommandDeps, isNode: boolean): Promise<string | undefined> {
  let q: DeviceQuery | undefined;
  try {
    q = readDeviceQuery(msg);
  } catch {
    return undefined;
  }
  if (!q) return undefined;
  const storageCards = q.kind === 'sd-card-status' && isNode && deps.storage ? await deps.storage() : [];
  return answerDeviceQuery(q, { storageCards });
}

/**
 * A Query or Control this node does not know (or cannot read) still gets a Response, Result ERROR
 * with the reason, so the upper does not wait for an answer that never comes (issue 15 "Missing").
 * Notify messages need nothing beyond the SIP 200. A CmdType that is not a plain name is not echoed.
 */
export function unsupportedAnswer(msg: OtherMessage): string | undefined {
  if (msg.root !== 'Query' && msg.root !== 'Control') return undefined;
  if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(msg.cmdType)) return undefined;
  let reason = `${msg.root}/${msg.cmdType} is not supported here`;
  try {
    readDeviceQuery(msg);
  } catch (e) {
    reason = (e as Error).message; // a known query in a malformed form (CruiseTrackQuery without Number)
  }
  return responseXml(msg.cmdType, msg.sn, msg.deviceId, [el('Result', 'ERROR'), el('Reason', reason)]);
}

/**
 * Queries without a typed model: ConfigDownload, MobilePosition and the 2022 device queries
 * (PresetQuery: preset-answer.ts). Returns the answer (XML) or undefined for a command this node does not know (then
 * nothing is sent, and the caller logs the refusal).
 */
export async function answerQuery(msg: OtherMessage, deps: CommandDeps, name: string, isNode = false): Promise<string | undefined> {
  if (msg.root !== 'Query') return undefined;
  const device = await answerDevice(msg, deps, isNode);
  if (device !== undefined) return device;
  switch (msg.cmdType) {
    case 'ConfigDownload': {
      const wanted = (field(msg, 'ConfigType') ?? '').split('/').map((s) => s.trim()).filter(Boolean);
      const parts: XmlElement[] = [];
      for (const t of wanted) {
        if (t === 'BasicParam') {
          parts.push({ name: 'BasicParam', children: [el('Name', name), el('Expiration', deps.upper.expiresS), el('HeartBeatInterval', deps.upper.keepaliveS), el('HeartBeatCount', 3)] });
        } else if (t === 'VideoParamOpt') {
          // What a Download may ask for (a=downloadspeed) and that we re-mux, never transcode.
          parts.push({ name: 'VideoParamOpt', children: [el('DownloadSpeed', '1/2/4/8'), el('Resolution', '')] });
        }
      }
      // Other types (SVAC, OSD, record plans…) are managed in this node's console, not remotely.
      return responseXml('ConfigDownload', msg.sn, msg.deviceId, [el('Result', parts.length > 0 ? 'OK' : 'ERROR'), ...parts]);
    }
    case 'MobilePosition':
      // Exam-site cameras do not move: no position to report (not applicable).
      return responseXml('MobilePosition', msg.sn, msg.deviceId, [el('Result', 'ERROR'), el('Reason', 'not a mobile device')]);
    default:
      return undefined;
  }
}

/**
 * IFameCmd: frames are re-muxed, never encoded here, so the keyframe must come from the camera:
 * RTCP PLI + FIR on its RTSP session when it has an RTCP channel, and in any case the live
 * sessions to the upper restart at the camera's next keyframe. OK when either was done.
 */
export function iFrameOutcome(camera: CameraRow | undefined, state: CameraState | undefined, ask: CommandDeps['requestKeyframe']): ControlOutcome {
  if (!camera) return { result: 'ERROR', reason: 'unknown camera' };
  if (!ask) return { result: 'ERROR', reason: 'not possible here: no camera connection to ask' };
  if (!state?.online) return { result: 'ERROR', reason: 'camera offline: no stream to ask a keyframe of' };
  const { via, sessions } = ask(camera.id);
  const live = `${sessions} live session(s) to the upper restart at the next keyframe`;
  if (via) return { result: 'OK', reason: `keyframe requested from the camera (${via}); ${live}` };
  if (sessions > 0) return { result: 'OK', reason: `the camera's session cannot be asked for a keyframe (no RTCP channel); ${live}` };
  return { result: 'ERROR', reason: "the camera's session cannot be asked for a keyframe (no RTCP channel) and no live session to restart" };
}

/**
 * DeviceStatus Alarmstatus DutyStatus of a camera: its alarm here is video loss (alarms-out.ts),
 * raised when it enters error and cleared when it is online again — ALARM while in error, ONDUTY
 * while supervised, OFFDUTY when it is not run here (disabled, no stream): nothing would raise it.
 */
export function dutyStatusOf(state: CameraState['state']): 'ALARM' | 'ONDUTY' | 'OFFDUTY' {
  if (state === 'error') return 'ALARM';
  return state === undefined || state === 'stopped' ? 'OFFDUTY' : 'ONDUTY';
}

/** The GB channel id a gb28181 camera is pulled from (camera-spec.ts), undefined for other sources. */
export function gbSourceChannel(camera: CameraRow | undefined): string | undefined {
  if (camera?.source_kind !== 'gb28181') return undefined;
  return /^(?:gb28181:\/\/)?(\d{20})$/.exec(camera.main_stream.trim())?.[1];
}

/**
 * IFameCmd for a camera whose source is a lower GB platform's or device's channel: this node only
 * re-muxes what that device sends, so the command goes down to it (which asks its camera, or is
 * the camera), and our live sessions of the camera restart at the next keyframe. The Result is
 * the lower's: OK only when it did it.
 */
export async function forwardedIFrame(camera: CameraRow, channelId: string, deps: CommandDeps, other: Record<string, string>): Promise<ControlOutcome> {
  const sessions = deps.requestKeyframe?.(camera.id).sessions ?? 0;
  if (!deps.forwardControl) return { result: 'ERROR', reason: `not possible here: no connection to the lower owning ${channelId}` };
  const result = await deps.forwardControl(channelId, other).catch((err: unknown) => `ERROR (${(err as Error).message.slice(0, 80)})`);
  const live = `${sessions} live session(s) to the upper restart at the next keyframe`;
  return result === 'OK'
    ? { result: 'OK', reason: `keyframe requested from the lower owning ${channelId} (GB/T 28181 IFameCmd passed down: OK); ${live}` }
    : { result: 'ERROR', reason: `the lower owning ${channelId} did not do it: ${result}; ${live}` };
}

/** Outcome of a DeviceControl other than PTZ: the Result sent and what the audit record says. */
export interface ControlOutcome {
  result: 'OK' | 'ERROR';
  reason: string;
}

/**
 * DeviceControl commands other than PTZCmd (`other` holds their elements). Lens commands
 * (HomePosition, DragZoomIn/Out) go through the PTZ policy by the caller (`lens` true).
 */
export function classifyControl(other: Record<string, string>): { command: string; lens: boolean } {
  const keys = Object.keys(other).filter((k) => k !== 'Info');
  const command = ['RecordCmd', 'GuardCmd', 'AlarmCmd', 'TeleBoot', 'IFameCmd', 'HomePosition', 'DragZoomIn', 'DragZoomOut', 'DeviceConfig'].find((k) => k in other || keys.some((x) => x.startsWith(`${k}.`))) ?? keys[0] ?? 'unknown';
  return { command, lens: command === 'HomePosition' || command === 'DragZoomIn' || command === 'DragZoomOut' };
}

export async function controlOther(deps: CommandDeps, actor: Actor, camera: CameraRow | undefined, deviceId: string, other: Record<string, string>): Promise<ControlOutcome> {
  const { command } = classifyControl(other);
  const now = deps.clock.nowMs();
  let out: ControlOutcome;
  switch (command) {
    case 'RecordCmd': {
      const want = other.RecordCmd;
      if (!camera) out = { result: 'ERROR', reason: 'unknown camera' };
      else if (want === 'StopRecord') {
        // Inside a required (exam) window recording must never stop (R-DIS-2, R-REC-4). Outside
        // one, stopping means "record only in the scheduled windows" (mode scheduled).
        const window = await repos(deps.store.db).cascade.examWindowCovering(camera.id, now);
        if (window) out = { result: 'ERROR', reason: `refused: exam window ${window.reason}` };
        else if (!deps.setRecordingMode) out = { result: 'ERROR', reason: 'recording follows the site schedule; not stopped remotely' };
        else {
          if (camera.recording_mode !== 'scheduled') await deps.setRecordingMode(camera.id, 'scheduled');
          out = { result: 'OK', reason: 'stopped: records in its scheduled windows only' };
        }
      } else if (want === 'Record') {
        // Starting never conflicts with a window: continuous recording covers every window too.
        if (camera.recording_mode === 'continuous') {
          out = deps.cameraState(camera.id).recording ? { result: 'OK', reason: 'already recording' } : { result: 'ERROR', reason: 'camera not recording now (offline or starting); it records as soon as it can' };
        } else if (!deps.setRecordingMode) out = { result: 'ERROR', reason: 'recording follows the site schedule; not started remotely' };
        else {
          await deps.setRecordingMode(camera.id, 'continuous');
          out = { result: 'OK', reason: 'recording started (continuous)' };
        }
      } else out = { result: 'ERROR', reason: `unknown RecordCmd ${want ?? ''}` };
      break;
    }
    case 'GuardCmd':
      out = { result: 'ERROR', reason: 'not applicable: no alarm inputs to arm or disarm' };
      break;
    case 'AlarmCmd':
      out = other.AlarmCmd === 'ResetAlarm' ? { result: 'OK', reason: 'alarm reset acknowledged (faults clear when the camera is back)' } : { result: 'ERROR', reason: `unknown AlarmCmd ${other.AlarmCmd ?? ''}` };
      break;
    case 'TeleBoot':
      out = { result: 'ERROR', reason: 'refused: remote reboot of an exam-site node is not allowed' };
      break;
    case 'IFameCmd': {
      const channel = gbSourceChannel(camera);
      out = camera && channel ? await forwardedIFrame(camera, channel, deps, other) : iFrameOutcome(camera, camera ? deps.cameraState(camera.id) : undefined, deps.requestKeyframe);
      break;
    }
    default:
      out = { result: 'ERROR', reason: `unsupported control ${command}` };
  }
  await deps.audit.record(actor, {
    action: 'cascade.control', objectType: camera ? 'camera' : 'device', objectId: camera?.id ?? deviceId, outcome: out.result === 'OK' ? 'ok' : 'denied',
    ...(camera ? { scopePath: camera.site_path } : {}), detail: { command, other, reason: out.reason },
  });
  return out;
}
