// Builds the shared VideoParams from H.264 SPS/PPS bytes (used by the depacketizer for
// sprop-parameter-sets and in-band updates, and by the simulator).

import type { VideoParams } from '../types.ts';
import { h264CodecString } from './codec-string.ts';
import { parseH264Sps } from './sps.ts';

const PROFILE_NAMES: Record<number, string> = {
  66: 'Baseline', 77: 'Main', 88: 'Extended', 100: 'High', 110: 'High 10',
  122: 'High 4:2:2', 244: 'High 4:4:4 Predictive', 44: 'CAVLC 4:4:4',
};

/** Throws BitstreamError when the SPS cannot be parsed. */
export function h264VideoParams(sps: Uint8Array, pps: Uint8Array): VideoParams {
  const parsed = parseH264Sps(sps);
  let profileName = PROFILE_NAMES[parsed.profileIdc] ?? `profile ${parsed.profileIdc}`;
  // constraint_set1 on Baseline means Constrained Baseline (what most cameras send).
  if (parsed.profileIdc === 66 && (parsed.constraintFlags & 0x40) !== 0) profileName = 'Constrained Baseline';
  return {
    codec: 'h264',
    width: parsed.width,
    height: parsed.height,
    fps: parsed.fps,
    rfc6381: h264CodecString(sps),
    profileName,
    sps,
    pps,
  };
}
