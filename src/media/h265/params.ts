// Builds the shared VideoParams from H.265 VPS/SPS/PPS bytes (depacketizer, simulator).

import type { VideoParams } from '../types.ts';
import { h265CodecString } from './codec-string.ts';
import { parseH265Sps } from './sps.ts';

const PROFILE_NAMES: Record<number, string> = { 1: 'Main', 2: 'Main 10', 3: 'Main Still Picture', 4: 'Range Extensions' };

/** Throws BitstreamError when the SPS cannot be parsed. */
export function h265VideoParams(vps: Uint8Array, sps: Uint8Array, pps: Uint8Array): VideoParams {
  const parsed = parseH265Sps(sps);
  return {
    codec: 'h265',
    width: parsed.width,
    height: parsed.height,
    fps: parsed.fps,
    rfc6381: h265CodecString(parsed.ptl),
    profileName: PROFILE_NAMES[parsed.ptl.profileIdc] ?? `profile ${parsed.ptl.profileIdc}`,
    sps,
    pps,
    vps,
  };
}
