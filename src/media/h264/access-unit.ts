// Groups a flat NAL sequence (from an Annex-B file) into access units (pictures), per
// H.264 7.4.1.2.3: a new AU begins at AUD/SPS/PPS/SEI/prefix NAL after a picture's slices,
// or at a slice whose first_mb_in_slice is 0. The simulator uses this to timestamp frames.

import { H264Nal, h264NalType, isH264Vcl } from './nal.ts';

export function groupH264AccessUnits(nalus: readonly Uint8Array[]): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let sawVcl = false;
  for (const nal of nalus) {
    if (nal.length === 0) continue;
    const type = h264NalType(nal);
    const startsAu = isH264Vcl(type)
      ? sawVcl && nal.length > 1 && (nal[1] & 0x80) !== 0 // first_mb_in_slice == 0 -> ue bit '1'
      : sawVcl && (type === H264Nal.aud || type === H264Nal.sps || type === H264Nal.pps ||
          type === H264Nal.sei || type === H264Nal.prefix || (type >= 14 && type <= 18));
    if (startsAu) {
      units.push(current);
      current = [];
      sawVcl = false;
    }
    current.push(nal);
    if (isH264Vcl(type)) sawVcl = true;
  }
  if (current.length > 0) units.push(current);
  return units;
}
