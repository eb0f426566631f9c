// profile_tier_level() (H.265 7.3.3): needed for the codec string, the hvcC record and to
// skip to the SPS fields after it. Throws only BitstreamError.

import type { BitReader } from '../h264/bit-reader.ts';

export interface H265ProfileTierLevel {
  profileSpace: number;
  tierFlag: number;
  profileIdc: number;
  /** general_profile_compatibility_flag[0..31] as a 32-bit number, flag 0 in the MSB. */
  compatibilityFlags: number;
  /** The 48 bits of general_progressive_source_flag .. general_inbld/reserved, 6 bytes. */
  constraintBytes: Uint8Array;
  levelIdc: number;
}

export function parseProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): H265ProfileTierLevel {
  const profileSpace = r.readBits(2);
  const tierFlag = r.readBit();
  const profileIdc = r.readBits(5);
  const compatibilityFlags = r.readBits(32);
  const constraintBytes = new Uint8Array(6);
  for (let i = 0; i < 6; i++) constraintBytes[i] = r.readBits(8);
  const levelIdc = r.readBits(8);

  const subProfilePresent: boolean[] = [];
  const subLevelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfilePresent.push(r.readFlag());
    subLevelPresent.push(r.readFlag());
  }
  if (maxSubLayersMinus1 > 0) {
    for (let i = maxSubLayersMinus1; i < 8; i++) r.skipBits(2); // reserved_zero_2bits
  }
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfilePresent[i]) r.skipBits(88); // sub-layer profile space..constraint flags
    if (subLevelPresent[i]) r.skipBits(8);
  }
  return { profileSpace, tierFlag, profileIdc, compatibilityFlags, constraintBytes, levelIdc };
}
