// Probes one camera (R-PRE-3, R-CITY-4, R-PRE-6): online, decodes, standard profile, picture
// quality, moved vs the signed reference, audio presence, clock offset. Reads the recorder's own
// session when there is one (no second connection), else opens one short session through the
// shared opener. Every step has a timeout; a camera that hangs is a fail and the campaign goes on.
import type { CameraOpener, FrameSource, StreamSpec } from '../ingest/source.ts';
import type { ReadinessProbe, RoomKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { captureFrames, streamFacts } from './capture.ts';
import type { FrameEmitter } from './capture.ts';
import type { Decoded } from './decode.ts';
import { decodeAlone } from './decode-batcher.ts';
import type { KeyframeDecoder } from './decode-batcher.ts';
import type { GrayFrame } from './picture-metrics.ts';
import { judgeMoved, judgePicture } from './picture-verdict.ts';
import { judgeProfile } from './profile.ts';
import { adtsStream, judgeAudio, measureAudioLevel } from './audio-level.ts';
import type { Judgement, StandardProfile } from './profile.ts';
import { judgeClock, judgeRtspDate, withNodeClock } from './clock-verdict.ts';
import type { NodeClockOffset } from './clock-verdict.ts';
import { onvifCheck } from './onvif-check.ts';
import { CONFIG_RULE, judgeConfig } from './config-verdict.ts';
import type { ClockSetAttempt, OnvifTarget } from './onvif-check.ts';
import type { DeviceInformation } from '../onvif/parse.ts';

export interface ProbeOutcome extends Judgement {
  probe: ReadinessProbe;
  /** Main-stream bitrate measured, kbit/s (profile outcome). */
  measuredKbps?: number;
}

export interface ProbeResult {
  outcomes: ProbeOutcome[];
  /** The newest picture: grey for the reference, JPEG for people. */
  gray?: GrayFrame;
  jpeg?: Buffer;
  durationMs: number;
  /** The camera's clock was set (or refused) over ONVIF: the runner audits it. */
  clockSet?: ClockSetAttempt;
  /** ONVIF GetDeviceInformation answer, or why it failed (for the ledger, R-SEC-1). */
  deviceFacts?: { facts?: DeviceInformation; error?: string };
}

export interface ProbeTarget {
  cameraId: number;
  roomKind: RoomKind;
  spec: StreamSpec | undefined;
  reference?: { thumb: GrayFrame; stale: boolean };
  /** Offset the recorder measured earlier, used when no RTCP SR arrives during the capture. */
  lastKnownOffset?: { offsetMs: number; atMs: number };
  /** A GB/T 28181 device's clock as the Dates of its answers or its last REGISTER/keepalive stated it (fresh); `via` names which. */
  gbClock?: { offsetMs: number; via: string };
  /** The camera's ONVIF device service, when it has one: clock read and set, device facts. */
  onvif?: OnvifTarget;
}

export interface ProberDeps {
  clock: Clock;
  opener: CameraOpener;
  /** The session already open for this camera (the recorder's supervisor), if any. */
  sharedSession(cameraId: number): FrameEmitter | undefined;
  captureMaxMs?: number;
  openTimeoutMs?: number;
  decodeTimeoutMs?: number;
  /** Shares one ffmpeg among the probes running at once (DecodeBatcher); default one per probe. */
  decoder?: KeyframeDecoder;
  /** Set an ONVIF camera's clock when it is off by more than 1 s (default true). */
  setClock?: boolean;
  /** This node's last measured offset from its SNTP time source, if it has one. */
  nodeClock?: () => NodeClockOffset | undefined;
}

export { CLOCK_RULE, judgeClock } from './clock-verdict.ts';

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what} 超时 (timed out after ${ms} ms)`)), ms)))]).finally(() => clearTimeout(timer));
}

const DEPENDENT: ReadinessProbe[] = ['decode', 'profile', 'picture', 'moved', 'audio', 'clock'];
const fail = (probe: ReadinessProbe, value: string, rule: string, reason: string): ProbeOutcome => ({ probe, verdict: 'fail', value, rule, reason });

export async function probeCamera(deps: ProberDeps, profile: StandardProfile, t: ProbeTarget): Promise<ProbeResult> {
  const started = deps.clock.nowMs();
  const done = (outcomes: ProbeOutcome[], extra: Partial<ProbeResult> = {}): ProbeResult => ({ outcomes, durationMs: deps.clock.nowMs() - started, ...extra });
  const offline = (value: string, reason: string) =>
    done([fail('online', value, '能连接并收到画面 (answers and sends pictures)', reason), ...DEPENDENT.map((p) => fail(p, '未检测 (not checked)', '-', '摄像机不在线 (camera offline)'))]);

  let own: FrameSource | undefined;
  let stopping: Promise<unknown> | undefined;
  let src = deps.sharedSession(t.cameraId);
  try {
    if (!src) {
      if (!t.spec) return offline('无地址 (no address)', '摄像机未配置地址或不支持 (no stream address configured)');
      try {
        own = await withTimeout(deps.opener.open(t.spec), deps.openTimeoutMs ?? 8000, '连接 (connect)');
      } catch (err) {
        const e = err as { code?: string; message?: string };
        return offline(`连接失败 ${e.code ?? ''}`.trim(), `${e.message ?? String(err)}`.slice(0, 500));
      }
      src = own;
    }
    const cap = await captureFrames(src, { maxMs: deps.captureMaxMs ?? 7000, nowMs: () => deps.clock.nowMs() });
    // Our own session is hung up as soon as the capture is done: decoding and the sound level take
    // seconds, during which it would go on receiving (and parsing) a stream nobody reads.
    const srcAudio = src.audio;
    const srcStated = src.statedClock;
    if (own) {
      const s = own;
      own = undefined;
      stopping = s.stop().catch(() => undefined);
    }
    if (cap.video.length === 0) {
      const why = cap.firstFrameAfterMs === undefined ? '无视频帧 (no video frames)' : `无关键帧 (no keyframe in ${cap.skippedBeforeKeyframe} frames)`;
      return offline(why, `摄像机应答但未送出可用画面：${why}`);
    }
    const outcomes: ProbeOutcome[] = [{ probe: 'online', verdict: 'pass', value: `首帧 ${cap.firstFrameAfterMs ?? 0} ms`, rule: '能连接并收到画面 (answers and sends pictures)', reason: null }];
    const facts = streamFacts(cap);
    // AAC sound is measured by the same ffmpeg that decodes the keyframes (one process per probe).
    const aacAdts = srcAudio?.codec === 'aac' && cap.audio.length ? adtsStream(cap.audio, srcAudio) : undefined;
    const dec: Decoded = facts.codec ? await (deps.decoder ?? decodeAlone).decode({ frames: cap.video, codec: facts.codec, aacAdts }, { timeoutMs: deps.decodeTimeoutMs ?? 10_000 }) : { frames: [], pts90k: [], error: '无参数集，无法识别编码 (no parameter sets: codec unknown)' };
    outcomes.push(
      dec.frames.length
        ? { probe: 'decode', verdict: 'pass', value: `解码 ${dec.frames.length} 幅画面`, rule: '关键帧可解码 (keyframes decode)', reason: null }
        : fail('decode', '无画面 (no picture)', '关键帧可解码 (keyframes decode)', `画面无法解码 (cannot decode): ${dec.error ?? ''}`),
    );
    outcomes.push({ probe: 'profile', ...judgeProfile(profile, facts, t.roomKind), measuredKbps: facts.bitrateKbps });
    const spanMs = dec.pts90k.length >= 2 ? (dec.pts90k[dec.pts90k.length - 1] - dec.pts90k[0]) / 90 : 0;
    outcomes.push({ probe: 'picture', ...judgePicture(dec.frames, spanMs) });
    const newest = dec.frames[dec.frames.length - 1];
    outcomes.push({ probe: 'moved', ...judgeMoved(newest, t.reference) });
    const audioNeeded = profile.audioRoomKinds.includes(t.roomKind);
    const level = cap.audio.length && srcAudio ? (dec.audioLevel ?? (await measureAudioLevel(cap.audio, srcAudio, { timeoutMs: deps.decodeTimeoutMs ?? 10_000 }))) : undefined;
    outcomes.push({ probe: 'audio', ...judgeAudio(cap.audioFrames, level, audioNeeded) });
    // ONVIF after the capture: a clock set mid-capture would move the RTCP offsets being measured.
    const ov = t.onvif ? await onvifCheck(t.onvif, { nowMs: () => deps.clock.nowMs(), setClock: deps.setClock }) : undefined;
    const fresh = cap.clockOffsetsMs.length ? cap.clockOffsetsMs[cap.clockOffsetsMs.length - 1] : undefined;
    const node = deps.nodeClock?.();
    // An ONVIF camera was judged (and set) against this node's clock; RTCP offsets are corrected
    // to the node's time source when it has one.
    // Order: ONVIF (read and set), RTCP SR of this capture, the session's RTSP Date headers, the GB
    // device's own dated SIP request, the recorder's last RTCP.
    const stated = srcStated && deps.clock.nowMs() - srcStated.atMs <= 600_000 ? srcStated : undefined;
    const clockJudged = ov?.clock ? withNodeClock(ov.clock, node) : fresh !== undefined ? judgeClock(fresh, 'RTCP SR', node) : stated ? judgeRtspDate(stated, node) : t.gbClock ? judgeClock(t.gbClock.offsetMs, `GB/T 28181 ${t.gbClock.via}`, node) : judgeClock(t.lastKnownOffset?.offsetMs, '录像会话 RTCP SR', node);
    outcomes.push({ probe: 'clock', ...clockJudged });
    if (ov) outcomes.push({ probe: 'device', ...ov.device });
    // R-CITY-4: what the camera is configured to send against what it sent (ONVIF cameras only).
    if (ov) outcomes.push({ probe: 'config', ...(ov.profiles ? judgeConfig(ov.profiles, facts) : { verdict: 'warn', value: '未读取 (not read)', rule: CONFIG_RULE, reason: ov.profilesError ?? null }) });
    return done(outcomes, { gray: newest, jpeg: dec.jpeg, clockSet: ov?.set, deviceFacts: ov ? { facts: ov.facts, error: ov.factsError } : undefined });
  } finally {
    if (own) await own.stop().catch(() => undefined);
    await stopping;
  }
}
