// Accumulates one camera's frames and cuts fMP4 fragments about every fragmentDurationMs.
// A sample's duration is only known when the next frame of its track arrives, so each
// track holds back its newest frame; a fragment is emitted when the video frame after its
// last frame arrives. The first fragment starts on a keyframe; later cuts prefer keyframes.

import { sameVideoParams } from '../params-equal.ts';
import type { AudioFrame, AudioParams, MediaFrame, VideoFrame, VideoParams } from '../types.ts';
import { videoSampleSize, writeVideoSample } from './avcc-sample.ts';
import type { FragmentSample } from './fragment.ts';
import { layoutFragment } from './fragment.ts';
import { sharedFragmentBuffers } from './buffer-pool.ts';
import type { FragmentBufferPool } from './buffer-pool.ts';
import { AUDIO_TRACK_ID, VIDEO_TRACK_ID, buildInitSegment } from './init-segment.ts';

export interface FragmentMeta {
  sequenceNumber: number;
  /** pts90k of the first video frame (audio pts scaled to 90 kHz for audio-only files). */
  startPts90k: number;
  /** Decode time of the fragment start from the file start, 90 kHz. */
  fileOffset90k: number;
  /** Sum of the fragment's sample durations (video, else audio) in 90 kHz ticks. */
  durationTicks90k: number;
  byteLength: number;
  /** Video samples (audio samples for audio-only files). */
  frameCount: number;
  audioFrameCount: number;
  /** Keyframe positions as 90 kHz offsets from startPts90k (for seeking). */
  keyframeOffsets: number[];
  /** Arrival wall clock of the first frame, ms since the epoch. */
  startReceivedAtMs: number;
}

export interface BuiltFragment {
  bytes: Uint8Array;
  meta: FragmentMeta;
}

export interface FragmentBuilderOptions {
  video?: VideoParams;
  audio?: AudioParams;
  fragmentDurationMs?: number;
  firstSequenceNumber?: number;
  /** Keep in-band SPS/PPS/VPS/AUD in samples (default false: they are in avcC/hvcC). */
  keepParamSets?: boolean;
  /** Where released fragment memory goes for reuse (default: the process-wide pool). */
  bufferPool?: FragmentBufferPool;
}

/** Durations outside this range (clock jumps, long stalls) fall back to the previous one. */
const MAX_VIDEO_DURATION_90K = 10 * 90000;

interface Pending<F> {
  frame: F;
  durationTicks: number;
}

export class FragmentBuilder {
  /** Frames dropped before the first keyframe (video) or before video started (audio). */
  droppedFrames = 0;
  private readonly video?: VideoParams;
  private readonly audio?: AudioParams;
  private readonly targetTicks90k: number;
  private readonly keepParamSets: boolean;
  private sequenceNumber: number;

  private lastVideo?: VideoFrame;
  private videoDuration90k = 3600;
  private videoDecodeTime = 0;
  private readonly videoSamples: Pending<VideoFrame>[] = [];
  private videoStarted = false;
  private firstVideoReceivedAtMs = 0;

  private lastAudio?: AudioFrame;
  private audioDecodeTime = -1;
  private readonly audioSamples: Pending<AudioFrame>[] = [];
  private videoPendingTicks = 0;
  private audioPendingTicks = 0;

  /** Fragment buffers handed out by this builder and not released yet. */
  private readonly lent = new Set<ArrayBuffer>();
  private readonly pool: FragmentBufferPool;
  private readonly allocate = (size: number): Uint8Array => {
    const buf = this.pool.take(size);
    this.lent.add(buf);
    return new Uint8Array(buf, 0, size);
  };

  constructor(opts: FragmentBuilderOptions) {
    if (!opts.video && !opts.audio) throw new Error('FragmentBuilder needs video or audio params');
    this.video = opts.video;
    this.audio = opts.audio;
    this.targetTicks90k = Math.max(1, Math.round((opts.fragmentDurationMs ?? 1000) * 90));
    this.keepParamSets = opts.keepParamSets ?? false;
    this.sequenceNumber = opts.firstSequenceNumber ?? 1;
    this.pool = opts.bufferPool ?? sharedFragmentBuffers;
    if (opts.video?.fps) this.videoDuration90k = Math.round(90000 / opts.video.fps);
  }

  initSegment(): Uint8Array {
    return buildInitSegment({ video: this.video, audio: this.audio });
  }

  /**
   * Gives a fragment's bytes back once the caller is done with them (written to disk): the next
   * fragments — of this camera or another one — are laid out in the same memory instead of a fresh
   * allocation per fragment (fewer GCs forced by external memory, no page faults). After release
   * the bytes must not be read.
   * Optional: a caller that never releases gets fresh memory for every fragment.
   */
  release(bytes: Uint8Array): void {
    const buf = bytes.buffer as ArrayBuffer;
    if (!this.lent.delete(buf)) return; // not ours, or released twice
    this.pool.give(buf);
  }

  /**
   * False when a video frame carries parameter sets other than this file's (camera changed
   * resolution/profile): the caller flushes this builder and starts a new file with them.
   */
  accepts(frame: MediaFrame): boolean {
    const p = frame.kind === 'video' ? frame.newParams : undefined;
    const v = this.video;
    if (!p || !v) return true;
    return sameVideoParams(p, v);
  }

  /** Adds a frame; returns a fragment when one is complete. */
  push(frame: MediaFrame): BuiltFragment | undefined {
    return frame.kind === 'video' ? this.pushVideo(frame) : this.pushAudio(frame);
  }

  /** Emits everything held back (file close); the last frame reuses the previous duration. */
  flush(): BuiltFragment | undefined {
    if (this.lastVideo) {
      this.videoSamples.push({ frame: this.lastVideo, durationTicks: this.videoDuration90k });
      this.lastVideo = undefined;
    }
    if (this.lastAudio) {
      this.audioSamples.push({ frame: this.lastAudio, durationTicks: this.lastAudio.samples });
      this.lastAudio = undefined;
    }
    return this.emit();
  }

  private pushVideo(frame: VideoFrame): BuiltFragment | undefined {
    if (!this.video) return undefined;
    if (!this.videoStarted) {
      if (!frame.keyframe) {
        this.droppedFrames++;
        return undefined;
      }
      this.videoStarted = true;
      this.firstVideoReceivedAtMs = frame.receivedAtMs;
    }
    const prev = this.lastVideo;
    this.lastVideo = frame;
    if (!prev) return undefined;
    const delta = frame.pts90k - prev.pts90k;
    if (delta > 0 && delta <= MAX_VIDEO_DURATION_90K) this.videoDuration90k = delta;
    this.videoSamples.push({ frame: prev, durationTicks: this.videoDuration90k });
    const total = (this.videoPendingTicks += this.videoDuration90k);
    if (total >= this.targetTicks90k || (frame.keyframe && total * 2 >= this.targetTicks90k)) return this.emit();
    return undefined;
  }

  private pushAudio(frame: AudioFrame): BuiltFragment | undefined {
    if (!this.audio) return undefined;
    if (this.video && !this.videoStarted) {
      this.droppedFrames++;
      return undefined;
    }
    if (this.audioDecodeTime < 0) {
      // No common RTP clock between tracks without RTCP: align by arrival time.
      const lagMs = this.video ? frame.receivedAtMs - this.firstVideoReceivedAtMs : 0;
      this.audioDecodeTime = Math.max(0, Math.round((lagMs * this.audio.sampleRate) / 1000));
    }
    const prev = this.lastAudio;
    this.lastAudio = frame;
    if (!prev) return undefined;
    // Stretch across lost packets (keeps A/V sync), but never shrink below the frame's samples.
    const delta = frame.pts - prev.pts;
    const duration = delta > prev.samples && delta <= prev.samples * 50 ? delta : prev.samples;
    this.audioSamples.push({ frame: prev, durationTicks: duration });
    this.audioPendingTicks += duration;
    if (!this.video) {
      const total = this.audioPendingTicks;
      if ((total * 90000) / this.audio.sampleRate >= this.targetTicks90k) return this.emit();
    }
    return undefined;
  }

  private emit(): BuiltFragment | undefined {
    const vs = this.videoSamples.splice(0);
    const as = this.audioSamples.splice(0);
    this.videoPendingTicks = 0;
    this.audioPendingTicks = 0;
    if (vs.length === 0 && as.length === 0) return undefined;
    const tracks = [];
    const dataBytes: number[] = [];
    const codec = this.video?.codec ?? 'h264';
    if (vs.length > 0) {
      const samples: FragmentSample[] = vs.map((s) => ({
        durationTicks: s.durationTicks,
        sizeBytes: videoSampleSize(codec, s.frame.nalus, this.keepParamSets),
        keyframe: s.frame.keyframe,
      }));
      tracks.push({ trackId: VIDEO_TRACK_ID, baseMediaDecodeTime: this.videoDecodeTime, samples });
      dataBytes.push(samples.reduce((n, s) => n + s.sizeBytes, 0));
    }
    if (as.length > 0) {
      const samples: FragmentSample[] = as.map((s) => ({
        durationTicks: s.durationTicks,
        sizeBytes: s.frame.data.length,
        keyframe: true,
      }));
      tracks.push({ trackId: AUDIO_TRACK_ID, baseMediaDecodeTime: this.audioDecodeTime, samples });
      dataBytes.push(samples.reduce((n, s) => n + s.sizeBytes, 0));
    }
    const sequenceNumber = this.sequenceNumber++;
    const { bytes, mdatPayloadOffset } = layoutFragment(sequenceNumber, tracks, dataBytes, this.allocate);
    let o = mdatPayloadOffset;
    for (const s of vs) o = writeVideoSample(bytes, o, codec, s.frame.nalus, this.keepParamSets);
    for (const s of as) {
      bytes.set(s.frame.data, o);
      o += s.frame.data.length;
    }

    const videoTicks = vs.reduce((n, s) => n + s.durationTicks, 0);
    const audioTicks = as.reduce((n, s) => n + s.durationTicks, 0);
    const audioRate = this.audio?.sampleRate ?? 90000;
    const fileOffset90k = vs.length > 0 ? this.videoDecodeTime : Math.round((this.audioDecodeTime * 90000) / audioRate);
    this.videoDecodeTime += videoTicks;
    this.audioDecodeTime += audioTicks;
    const startPts90k = vs.length > 0 ? vs[0].frame.pts90k : Math.round((as[0].frame.pts * 90000) / audioRate);
    const keyframeOffsets: number[] = [];
    for (const s of vs) if (s.frame.keyframe) keyframeOffsets.push(s.frame.pts90k - startPts90k);
    return {
      bytes,
      meta: {
        sequenceNumber,
        startPts90k,
        fileOffset90k,
        durationTicks90k: vs.length > 0 ? videoTicks : Math.round((audioTicks * 90000) / audioRate),
        byteLength: bytes.length,
        frameCount: vs.length > 0 ? vs.length : as.length,
        audioFrameCount: as.length,
        keyframeOffsets,
        startReceivedAtMs: vs.length > 0 ? vs[0].frame.receivedAtMs : as[0].frame.receivedAtMs,
      },
    };
  }
}
