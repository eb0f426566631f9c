// Turns the NAL units of one demuxed access unit into a VideoFrame: keyframe flag and, when the
// in-band parameter sets change, newParams (so recorders start a new file on a resolution change).
import { h264NalType, H264Nal } from '../h264/nal.ts';
import { h264VideoParams } from '../h264/params.ts';
import { h265NalType, H265Nal, isH265Irap } from '../h265/nal.ts';
import { h265VideoParams } from '../h265/params.ts';
import { sameBytes } from '../params-equal.ts';
import type { VideoFrame, VideoParams } from '../types.ts';

export function buildVideoFrame(
  codec: 'h264' | 'h265',
  nalus: Uint8Array[],
  pts90k: number,
  receivedAtMs: number,
  state: { videoParams?: VideoParams },
): VideoFrame | undefined {
  const kept = nalus.filter((n) => n.length > 0);
  if (kept.length === 0) return undefined;
  let keyframe = false;
  let vps: Uint8Array | undefined;
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  for (const n of kept) {
    if (codec === 'h264') {
      const t = h264NalType(n);
      if (t === H264Nal.idr) keyframe = true;
      else if (t === H264Nal.sps) sps ??= n;
      else if (t === H264Nal.pps) pps ??= n;
    } else {
      if (n.length < 2) continue;
      const t = h265NalType(n);
      if (isH265Irap(t)) keyframe = true;
      else if (t === H265Nal.vps) vps ??= n;
      else if (t === H265Nal.sps) sps ??= n;
      else if (t === H265Nal.pps) pps ??= n;
    }
  }
  const frame: VideoFrame = { kind: 'video', pts90k, keyframe, nalus: kept, receivedAtMs };
  const prev = state.videoParams;
  const changed = sps && pps && (codec === 'h265' ? vps !== undefined : true) &&
    (!prev || prev.codec !== codec || !sameBytes(prev.sps, sps) || !sameBytes(prev.pps, pps) || !sameBytes(prev.vps, vps));
  if (changed && sps && pps) {
    try {
      const params = codec === 'h264' ? h264VideoParams(sps.slice(), pps.slice()) : h265VideoParams((vps ?? new Uint8Array(0)).slice(), sps.slice(), pps.slice());
      state.videoParams = params;
      frame.newParams = params;
    } catch {
      // Unparseable SPS (damaged or exotic stream): still deliver the frame, params stay unknown.
    }
  }
  return frame;
}
