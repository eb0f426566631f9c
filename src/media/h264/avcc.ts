// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), the body of the 'avcC' box.
// Sample NAL units use 4-byte lengths (lengthSizeMinusOne = 3).

import { BitstreamError } from './bit-reader.ts';
import { parseH264Sps } from './sps.ts';

// Profiles for which the record carries the chroma/bit-depth extension.
const EXT_PROFILES = new Set([100, 110, 122, 144]);

export function buildAvcDecoderConfigurationRecord(
  spsList: readonly Uint8Array[],
  ppsList: readonly Uint8Array[],
): Uint8Array {
  if (spsList.length === 0 || ppsList.length === 0) throw new BitstreamError('avcC needs at least one SPS and one PPS');
  if (spsList.length > 31) throw new BitstreamError('too many SPS for avcC');
  const first = spsList[0];
  const sps = parseH264Sps(first);
  const ext = EXT_PROFILES.has(sps.profileIdc);
  let size = 7 + (ext ? 4 : 0);
  for (const s of spsList) size += 2 + s.length;
  for (const p of ppsList) size += 2 + p.length;
  const out = new Uint8Array(size);
  let o = 0;
  out[o++] = 1; // configurationVersion
  out[o++] = first[1]; // AVCProfileIndication
  out[o++] = first[2]; // profile_compatibility
  out[o++] = first[3]; // AVCLevelIndication
  out[o++] = 0xfc | 3; // reserved 6 bits + lengthSizeMinusOne
  out[o++] = 0xe0 | spsList.length;
  for (const s of spsList) o = writeWithLength(out, o, s);
  out[o++] = ppsList.length;
  for (const p of ppsList) o = writeWithLength(out, o, p);
  if (ext) {
    out[o++] = 0xfc | (sps.chromaFormatIdc & 3);
    out[o++] = 0xf8 | ((sps.bitDepthLuma - 8) & 7);
    out[o++] = 0xf8 | ((sps.bitDepthChroma - 8) & 7);
    out[o++] = 0; // numOfSequenceParameterSetExt
  }
  return out;
}

function writeWithLength(out: Uint8Array, o: number, nal: Uint8Array): number {
  if (nal.length > 0xffff) throw new BitstreamError('parameter set longer than 65535 bytes');
  out[o] = nal.length >>> 8;
  out[o + 1] = nal.length & 0xff;
  out.set(nal, o + 2);
  return o + 2 + nal.length;
}
