// Per-viewer fMP4 for live: one init segment per stream parameters, one moof+mdat per frame, sent
// the moment the frame arrives (no hold-back). Decode time = pts − first pts of this init; the
// duration is the previous frame interval (the next frame's time is not known yet).
import { videoSampleSize, writeVideoSample } from '../media/fmp4/avcc-sample.ts';
import { layoutFragment } from '../media/fmp4/fragment.ts';
import { VIDEO_TRACK_ID, buildInitSegment } from '../media/fmp4/init-segment.ts';
import type { VideoFrame, VideoParams } from '../media/types.ts';

const MAX_DURATION_90K = 5 * 90000;

export class LiveMuxer {
  private params?: VideoParams;
  private basePts?: number;
  private lastPts?: number;
  private duration90k = 3600;
  private seq = 1;
  /**
   * Keyframes only (overview tile, issue 16): the gap between two sent frames is a GOP, not a
   * frame interval, so it does not become the duration (a 2-s keyframe sample would overlap the
   * frames sent again when the tile goes back to full rate).
   */
  sparse = false;
  /** Server receive time of the first frame after the last init (lets the browser measure latency). */
  wallAtZeroMs?: number;

  init(params: VideoParams): Uint8Array {
    this.params = params;
    this.basePts = undefined;
    this.lastPts = undefined;
    this.duration90k = params.fps ? Math.round(90000 / params.fps) : 3600;
    this.wallAtZeroMs = undefined;
    return buildInitSegment({ video: params });
  }

  /**
   * One fragment with `headroom` free bytes in front (for the caller's message header), or
   * undefined before an init or before the first keyframe.
   */
  fragment(frame: VideoFrame, headroom = 0): Uint8Array | undefined {
    const p = this.params;
    if (!p) return undefined;
    if (this.basePts === undefined) {
      if (!frame.keyframe) return undefined;
      this.basePts = frame.pts90k;
      this.wallAtZeroMs = frame.receivedAtMs;
    }
    if (this.lastPts !== undefined) {
      const d = frame.pts90k - this.lastPts;
      if (d > 0 && d <= MAX_DURATION_90K && !this.sparse) this.duration90k = d;
    }
    this.lastPts = frame.pts90k;
    const size = videoSampleSize(p.codec, frame.nalus);
    const layout = layoutFragment(
      this.seq++,
      [{ trackId: VIDEO_TRACK_ID, baseMediaDecodeTime: Math.max(0, frame.pts90k - this.basePts), samples: [{ durationTicks: this.duration90k, sizeBytes: size, keyframe: frame.keyframe }] }],
      [size],
    );
    const out = new Uint8Array(headroom + layout.bytes.length);
    out.set(layout.bytes.subarray(0, layout.mdatPayloadOffset), headroom);
    writeVideoSample(out, headroom + layout.mdatPayloadOffset, p.codec, frame.nalus);
    return out;
  }
}
