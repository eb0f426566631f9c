// Converts a VideoFrame's NAL units into an MP4 sample (ISO/IEC 14496-15): each NAL prefixed
// with a 4-byte big-endian length. Parameter sets and AUDs are dropped by default because
// they live in avcC/hvcC (and a changed set starts a new file anyway); SEI is kept.

import type { VideoCodec } from '../types.ts';

/** NAL types left out of samples: H.264 SPS 7, PPS 8, AUD 9; H.265 VPS 32, SPS 33, PPS 34, AUD 35. */
export function isOutOfBandNal(codec: VideoCodec, nal: Uint8Array): boolean {
  if (codec === 'h264') {
    const t = nal[0] & 0x1f;
    return t === 7 || t === 8 || t === 9;
  }
  const t = (nal[0] >> 1) & 0x3f;
  return t >= 32 && t <= 35;
}

/** Byte size of the sample writeVideoSample() will produce. */
export function videoSampleSize(codec: VideoCodec, nalus: readonly Uint8Array[], keepParamSets = false): number {
  let n = 0;
  for (const nal of nalus) {
    if (nal.length === 0 || (!keepParamSets && isOutOfBandNal(codec, nal))) continue;
    n += 4 + nal.length;
  }
  return n;
}

/** Writes the length-prefixed sample at `offset`; returns the offset after it. */
export function writeVideoSample(
  out: Uint8Array,
  offset: number,
  codec: VideoCodec,
  nalus: readonly Uint8Array[],
  keepParamSets = false,
): number {
  let o = offset;
  for (const nal of nalus) {
    if (nal.length === 0 || (!keepParamSets && isOutOfBandNal(codec, nal))) continue;
    const len = nal.length;
    out[o] = len >>> 24;
    out[o + 1] = (len >>> 16) & 0xff;
    out[o + 2] = (len >>> 8) & 0xff;
    out[o + 3] = len & 0xff;
    out.set(nal, o + 4);
    o += 4 + len;
  }
  return o;
}

/** Convenience: one sample as a new array. */
export function videoFrameToSample(codec: VideoCodec, nalus: readonly Uint8Array[], keepParamSets = false): Uint8Array {
  const out = new Uint8Array(videoSampleSize(codec, nalus, keepParamSets));
  writeVideoSample(out, 0, codec, nalus, keepParamSets);
  return out;
}
