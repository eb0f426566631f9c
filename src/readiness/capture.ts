// Captures a few seconds of one camera stream for the probes by listening to a session that is
// already open (the recorder's supervisor: no second connection to the camera) or to a short
// session of our own. Frames are copied (incoming NAL units point into socket buffers). Ends at
// the third keyframe (two whole GOPs) or at `maxMs`, whichever first.
import type { EventEmitter } from 'node:events';
import type { AudioParams, MediaFrame, VideoFrame } from '../media/types.ts';
import type { StreamFacts } from './profile.ts';
import type { StatedClock } from '../media/rtsp/date-clock.ts';
import { inBandParams } from '../live/sources.ts';

/** A CameraSupervisor or a FrameSource: both emit 'frame' (MediaFrame) and 'clockOffset' (ms). */
export type FrameEmitter = Pick<EventEmitter, 'on' | 'off'> & {
  /** The audio track's parameters, when the session has one (for the sound level). */
  readonly audio?: AudioParams;
  /** The camera's clock as the session's RTSP replies state it (Date headers). */
  readonly statedClock?: StatedClock;
};
/** Audio frames kept for the sound level (about 10 s of AAC at 16 kHz, 5 s of G.711 at 20 ms). */
const MAX_AUDIO_FRAMES = 250;

export interface Capture {
  /** Video access units from the first keyframe on, in order. */
  video: VideoFrame[];
  keyframes: number;
  audioFrames: number;
  /** Payloads of the first audio frames (copies), for the sound level. */
  audio: Uint8Array[];
  /** Camera clock minus server clock from RTCP sender reports during the capture, ms. */
  clockOffsetsMs: number[];
  /** Server time from the start of listening to the first video frame, ms (undefined: none came). */
  firstFrameAfterMs?: number;
  /** Frames before the first keyframe (discarded). */
  skippedBeforeKeyframe: number;
}

export interface CaptureOptions {
  maxMs: number;
  keyframes?: number;
  nowMs: () => number;
}

function copyFrame(f: VideoFrame): VideoFrame {
  return { kind: 'video', pts90k: f.pts90k, keyframe: f.keyframe, receivedAtMs: f.receivedAtMs, nalus: f.nalus.map((n) => Uint8Array.from(n)) };
}

export function captureFrames(src: FrameEmitter, opts: CaptureOptions): Promise<Capture> {
  const wantKeyframes = opts.keyframes ?? 3;
  const startMs = opts.nowMs();
  const cap: Capture = { video: [], keyframes: 0, audioFrames: 0, audio: [], clockOffsetsMs: [], skippedBeforeKeyframe: 0 };
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      src.off('frame', onFrame);
      src.off('clockOffset', onOffset);
      resolve(cap);
    };
    const onFrame = (f: MediaFrame): void => {
      if (f.kind === 'audio') {
        cap.audioFrames++;
        if (cap.audio.length < MAX_AUDIO_FRAMES) cap.audio.push(Uint8Array.from(f.data));
        return;
      }
      cap.firstFrameAfterMs ??= opts.nowMs() - startMs;
      if (f.keyframe) {
        cap.keyframes++;
        if (cap.keyframes === wantKeyframes) {
          // The last keyframe closes the last GOP: keep it (it gives the GOP length) and stop.
          cap.video.push(copyFrame(f));
          finish();
          return;
        }
      }
      if (cap.keyframes === 0) cap.skippedBeforeKeyframe++;
      else cap.video.push(copyFrame(f));
    };
    const onOffset = (ms: number) => cap.clockOffsetsMs.push(ms);
    const timer = setTimeout(finish, opts.maxMs);
    src.on('frame', onFrame);
    src.on('clockOffset', onOffset);
  });
}

/** Codec, size, frame rate, bitrate and GOP measured from a capture. */
export function streamFacts(cap: Capture): StreamFacts {
  const v = cap.video;
  const first = v[0];
  const params = first ? inBandParams(first) : undefined;
  const facts: StreamFacts = { codec: params?.codec, width: params?.width, height: params?.height, audio: cap.audioFrames > 0 };
  if (v.length >= 2) {
    const spanTicks = v[v.length - 1].pts90k - v[0].pts90k;
    if (spanTicks > 0) {
      facts.fps = ((v.length - 1) * 90_000) / spanTicks;
      // Bytes of every frame but the last, over the time they cover.
      let bytes = 0;
      for (let i = 0; i < v.length - 1; i++) for (const n of v[i].nalus) bytes += n.length;
      facts.bitrateKbps = (bytes * 8) / (spanTicks / 90);
    }
    const keyIdx = v.flatMap((f, i) => (f.keyframe ? [i] : []));
    if (keyIdx.length >= 2) facts.gopFrames = keyIdx[keyIdx.length - 1] - keyIdx[keyIdx.length - 2];
  }
  return facts;
}
