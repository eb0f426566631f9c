// RFC 6381 / ISO/IEC 14496-15 Annex E codec string for HEVC:
// hvc1.<space><profile>.<compat flags bit-reversed, hex>.<L|H><level>.<constraint bytes>
// e.g. Main profile, level 3.1: 'hvc1.1.6.L93.B0'.

import type { H265ProfileTierLevel } from './profile-tier-level.ts';

export function h265CodecString(ptl: H265ProfileTierLevel): string {
  const space = ['', 'A', 'B', 'C'][ptl.profileSpace] ?? '';
  let reversed = 0;
  for (let i = 0; i < 32; i++) {
    // Flag i sits at bit (31 - i); the string wants flag i at bit i.
    if ((ptl.compatibilityFlags >>> (31 - i)) & 1) reversed = (reversed | (1 << i)) >>> 0;
  }
  const parts = [
    `hvc1`,
    `${space}${ptl.profileIdc}`,
    reversed.toString(16).toUpperCase(),
    `${ptl.tierFlag ? 'H' : 'L'}${ptl.levelIdc}`,
  ];
  // Constraint bytes, trailing zero bytes omitted.
  let last = ptl.constraintBytes.length;
  while (last > 0 && ptl.constraintBytes[last - 1] === 0) last--;
  for (let i = 0; i < last; i++) parts.push(ptl.constraintBytes[i].toString(16).toUpperCase());
  return parts.join('.');
}
