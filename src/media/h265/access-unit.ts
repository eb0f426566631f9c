// Groups a flat H.265 NAL sequence into access units (H.265 7.4.2.4.4): a new AU starts at
// VPS/SPS/PPS/AUD/prefix SEI after a picture's slices, or at a slice segment with
// first_slice_segment_in_pic_flag set.

import { H265Nal, h265NalType, isH265Vcl } from './nal.ts';

export function groupH265AccessUnits(nalus: readonly Uint8Array[]): Uint8Array[][] {
  const units: Uint8Array[][] = [];
  let current: Uint8Array[] = [];
  let sawVcl = false;
  for (const nal of nalus) {
    if (nal.length < 2) continue;
    const type = h265NalType(nal);
    const vcl = isH265Vcl(type);
    const startsAu = vcl
      ? sawVcl && nal.length > 2 && (nal[2] & 0x80) !== 0
      : sawVcl && ((type >= H265Nal.vps && type <= H265Nal.aud) || type === H265Nal.seiPrefix ||
          (type >= 41 && type <= 44) || (type >= 48 && type <= 55));
    if (startsAu) {
      units.push(current);
      current = [];
      sawVcl = false;
    }
    current.push(nal);
    if (vcl) sawVcl = true;
  }
  if (current.length > 0) units.push(current);
  return units;
}
