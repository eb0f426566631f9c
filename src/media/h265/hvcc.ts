// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1), the body of the 'hvcC' box.
// Fields come from the first SPS; NAL arrays are marked complete (no in-band sets needed).
// Sample NAL units use 4-byte lengths (lengthSizeMinusOne = 3).

import { BitstreamError } from '../h264/bit-reader.ts';
import { parseH265Sps } from './sps.ts';

export function buildHevcDecoderConfigurationRecord(
  vpsList: readonly Uint8Array[],
  spsList: readonly Uint8Array[],
  ppsList: readonly Uint8Array[],
): Uint8Array {
  if (vpsList.length === 0 || spsList.length === 0 || ppsList.length === 0) {
    throw new BitstreamError('hvcC needs VPS, SPS and PPS');
  }
  const sps = parseH265Sps(spsList[0]);
  const arrays: Array<[number, readonly Uint8Array[]]> = [[32, vpsList], [33, spsList], [34, ppsList]];
  let size = 23;
  for (const [, list] of arrays) {
    size += 3;
    for (const nal of list) {
      if (nal.length > 0xffff) throw new BitstreamError('parameter set longer than 65535 bytes');
      size += 2 + nal.length;
    }
  }
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  const p = sps.ptl;
  out[0] = 1; // configurationVersion
  out[1] = (p.profileSpace << 6) | (p.tierFlag << 5) | p.profileIdc;
  v.setUint32(2, p.compatibilityFlags);
  out.set(p.constraintBytes, 6);
  out[12] = p.levelIdc;
  v.setUint16(13, 0xf000); // reserved + min_spatial_segmentation_idc 0
  out[15] = 0xfc; // reserved + parallelismType 0 (unknown)
  out[16] = 0xfc | sps.chromaFormatIdc;
  out[17] = 0xf8 | (sps.bitDepthLuma - 8);
  out[18] = 0xf8 | (sps.bitDepthChroma - 8);
  v.setUint16(19, 0); // avgFrameRate unspecified
  // constantFrameRate 0, numTemporalLayers, temporalIdNested, lengthSizeMinusOne 3
  out[21] = ((sps.maxSubLayersMinus1 + 1) << 3) | (sps.temporalIdNesting ? 4 : 0) | 3;
  out[22] = arrays.length;
  let o = 23;
  for (const [type, list] of arrays) {
    out[o++] = 0x80 | type; // array_completeness 1
    v.setUint16(o, list.length);
    o += 2;
    for (const nal of list) {
      v.setUint16(o, nal.length);
      out.set(nal, o + 2);
      o += 2 + nal.length;
    }
  }
  return out;
}
