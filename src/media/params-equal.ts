// Equality of parameter sets: tells a real change of stream parameters (new init segment, new
// file) from the same SPS/PPS(/VPS) sent again in band. Parameter sets are a few dozen bytes.
import type { VideoParams } from './types.ts';

/** Byte-wise equality; two absent arrays are equal. */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same codec and the same parameter sets (so the same init segment). */
export function sameVideoParams(a: VideoParams, b: VideoParams): boolean {
  return a.codec === b.codec && sameBytes(a.sps, b.sps) && sameBytes(a.pps, b.pps) && sameBytes(a.vps, b.vps);
}
