// 测试连接 in the add/edit-camera dialog (issue 14 item 10): before saving, connect to the stream
// with the same RTSP client the recorder uses, read what the SDP and the first keyframe say
// (codec, resolution, frame rate, audio) and decode that keyframe with ffmpeg into a JPEG, so
// the administrator sees the picture of the camera they are about to save. Bounded in time: a
// camera that does not answer, or answers without a picture, is reported, never waited on.
// Audited as configuration access (the typed or stored credentials were used to connect).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath, denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { CameraOpener, FrameSource, StreamSpec } from '../ingest/source.ts';
import type { MediaFrame, VideoFrame } from '../media/types.ts';
import { decodeKeyframes } from '../readiness/decode.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { openNetwork } from './network-config.ts';
import { splitStreamCredentials, streamForDisplay } from './stream-url.ts';

export interface CameraProbeInput {
  /** The room the camera is being added to (create), or */
  roomId?: number;
  /** the camera being edited: its stored credentials are used when none are typed. */
  cameraId?: number;
  stream: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
}

export interface CameraProbeResult {
  ok: boolean;
  /** The URL connected to, without credentials. */
  url: string;
  /** Why it failed, in Chinese with the English in brackets. */
  error?: string;
  videoCodec?: string;
  width?: number;
  height?: number;
  /** From the SPS timing info, else measured over the frames received. */
  fps?: number;
  audioCodec?: string;
  audioSampleRate?: number;
  /** One decoded keyframe, JPEG base64 (data: URL ready). */
  snapshotJpeg?: string;
  elapsedMs: number;
}

export interface CameraProbeDeps {
  store: Store;
  audit: AuditService;
  box: SecretBox;
  opener: CameraOpener;
  /** Whole test, connect + first keyframe, ms. */
  timeoutMs?: number;
}

const FPS_WINDOW_MS = 1200;

/** Waits for the first keyframe and FPS_WINDOW_MS of frames after it, or the deadline. */
function collectFrames(src: FrameSource, deadlineMs: number): Promise<VideoFrame[]> {
  return new Promise((resolve) => {
    const frames: VideoFrame[] = [];
    let firstAtMs: number | undefined;
    const done = () => {
      clearTimeout(timer);
      src.off('frame', onFrame);
      src.off('close', done);
      resolve(frames);
    };
    const onFrame = (f: MediaFrame) => {
      if (f.kind !== 'video' || (!frames.length && !f.keyframe)) return;
      frames.push(f);
      firstAtMs ??= Date.now();
      if (Date.now() - firstAtMs >= FPS_WINDOW_MS || frames.length >= 60) done();
    };
    const timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
    src.on('frame', onFrame);
    src.on('close', done);
  });
}

function measuredFps(frames: readonly VideoFrame[]): number | undefined {
  if (frames.length < 3) return undefined;
  const span90k = frames[frames.length - 1].pts90k - frames[0].pts90k;
  return span90k > 0 ? Math.round(((frames.length - 1) * 90_000 * 10) / span90k) / 10 : undefined;
}

export class CameraProbe {
  constructor(private readonly d: CameraProbeDeps) {}

  async test(actor: Actor, input: CameraProbeInput): Promise<CameraProbeResult> {
    const objectType = input.cameraId !== undefined ? 'camera' : 'room';
    const objectId = input.cameraId ?? input.roomId ?? 0;
    await requirePermission(this.d.audit, actor, 'org.write', 'camera.probe', objectType, objectId);
    const r = repos(this.d.store.db);
    let scopePath: string | undefined;
    let stored: { host?: string; port?: number; username?: string; password?: string } = {};
    if (input.cameraId !== undefined) {
      const cam = await r.cameras.get(actor.scope, input.cameraId);
      if (cam) {
        scopePath = cam.site_path;
        stored = openNetwork(this.d.box, cam.network_enc) ?? {};
      }
    } else if (input.roomId !== undefined) {
      scopePath = (await r.rooms.get(actor.scope, input.roomId))?.site_path;
    }
    if (!scopePath) return denyOutOfScope(this.d.audit, actor, 'camera.probe', objectType, objectId);

    const typed = splitStreamCredentials(input.stream.trim());
    const host = input.host?.trim() || stored.host;
    const port = input.port ?? stored.port ?? 554;
    const path = typed.stream;
    const url = /^rtsp:\/\//i.test(path) ? path : host ? `rtsp://${host}:${port}${path.startsWith('/') ? '' : '/'}${path}` : '';
    const started = Date.now();
    let result: CameraProbeResult;
    if (!url) result = { ok: false, url: streamForDisplay(path), error: '缺少设备地址：请填写 rtsp:// 完整地址或下方的 IP 地址 (no host)', elapsedMs: 0 };
    else {
      const username = typed.username ?? (input.username?.trim() || stored.username);
      const password = typed.password ?? (input.password || stored.password);
      const spec: StreamSpec = { cameraId: input.cameraId ?? 0, stream: 'main', url, username: username || undefined, password: password || undefined };
      result = await this.connect(spec, started);
    }
    await this.d.audit.record(actor, {
      action: 'camera.probe',
      objectType,
      objectId,
      outcome: 'ok',
      scopePath: scopePath ?? actorPath(actor),
      detail: { url: result.url, result: result.ok ? 'ok' : 'failed', error: result.error, videoCodec: result.videoCodec, width: result.width, height: result.height },
    });
    return result;
  }

  private async connect(spec: StreamSpec, started: number): Promise<CameraProbeResult> {
    const timeoutMs = this.d.timeoutMs ?? 8000;
    const deadline = started + timeoutMs;
    const base = { url: spec.url, elapsedMs: 0 };
    let timer: NodeJS.Timeout | undefined;
    const opening = this.d.opener.open(spec);
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let src: FrameSource;
    try {
      const first = await Promise.race([opening, timedOut]);
      if (first === 'timeout') {
        // Still opening: close it when (if) it opens, so no session is left behind.
        void opening.then((s) => s.stop()).catch(() => undefined);
        return { ...base, ok: false, error: `连接超时（${Math.round(timeoutMs / 1000)} 秒内无应答）(connection timed out)`, elapsedMs: Date.now() - started };
      }
      src = first;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return { ...base, ok: false, error: `连接失败：${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`, elapsedMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
    try {
      const frames = await collectFrames(src, deadline);
      const video = src.video;
      const audio = src.audio ? { audioCodec: src.audio.codec, audioSampleRate: src.audio.sampleRate } : {};
      if (!video || !frames.length) return { ...base, ...audio, ok: false, error: video ? '已连接，但超时前未收到关键帧 (connected, no keyframe before the deadline)' : '已连接，但 SDP 中没有可用的 H.264/H.265 视频 (no usable video in the SDP)', videoCodec: video?.codec, elapsedMs: Date.now() - started };
      const decoded = await decodeKeyframes(frames.filter((f) => f.keyframe).slice(0, 1), video.codec, { timeoutMs: Math.max(1500, deadline - Date.now()) });
      return {
        ...base,
        ...audio,
        ok: Boolean(decoded.jpeg),
        error: decoded.jpeg ? undefined : `无法解码画面：${decoded.error ?? ''}`,
        videoCodec: video.codec,
        width: video.width,
        height: video.height,
        fps: video.fps ? Math.round(video.fps * 10) / 10 : measuredFps(frames),
        snapshotJpeg: decoded.jpeg?.toString('base64'),
        elapsedMs: Date.now() - started,
      };
    } finally {
      await src.stop().catch(() => undefined);
    }
  }
}
