// H.264 NAL unit types (ITU-T H.264 Table 7-1) and RTP payload types (RFC 6184 Table 1)
// that share the same 5-bit field.

export const H264Nal = {
  slice: 1,
  sliceA: 2,
  sliceB: 3,
  sliceC: 4,
  idr: 5,
  sei: 6,
  sps: 7,
  pps: 8,
  aud: 9,
  endOfSequence: 10,
  endOfStream: 11,
  filler: 12,
  spsExt: 13,
  prefix: 14,
  subsetSps: 15,
  // RFC 6184 packetization types (only valid inside RTP payloads)
  stapA: 24,
  stapB: 25,
  mtap16: 26,
  mtap24: 27,
  fuA: 28,
  fuB: 29,
} as const;

/** nal_unit_type from the first header byte. */
export function h264NalType(nal: Uint8Array): number {
  return nal[0] & 0x1f;
}

/** Coded slice (VCL) NAL units: these make up the picture itself. */
export function isH264Vcl(type: number): boolean {
  return type >= 1 && type <= 5;
}
