// RFC 6381 codec string for H.264: 'avc1.' + profile_idc, constraint byte, level_idc as hex.
// Taken straight from SPS bytes 1..3, so it matches what the camera sends.

import { BitstreamError } from './bit-reader.ts';

export function h264CodecString(sps: Uint8Array): string {
  if (sps.length < 4) throw new BitstreamError('SPS too short for codec string');
  return `avc1.${hex2(sps[1])}${hex2(sps[2])}${hex2(sps[3])}`;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
