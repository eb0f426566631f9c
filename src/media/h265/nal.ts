// H.265 NAL unit types (ITU-T H.265 Table 7-1) and RTP payload types (RFC 7798 4.4).
// The NAL header is 2 bytes: forbidden(1) type(6) layer_id(6) temporal_id_plus1(3).

export const H265Nal = {
  /** IRAP range 16..23: BLA_W_LP..CRA_NUT are 16..21, 22-23 reserved IRAP. */
  blaWLp: 16,
  idrWRadl: 19,
  idrNLp: 20,
  cra: 21,
  vps: 32,
  sps: 33,
  pps: 34,
  aud: 35,
  endOfSequence: 36,
  endOfBitstream: 37,
  filler: 38,
  seiPrefix: 39,
  seiSuffix: 40,
  // RFC 7798 packetization types
  ap: 48,
  fu: 49,
  paci: 50,
} as const;

export function h265NalType(nal: Uint8Array): number {
  return (nal[0] >> 1) & 0x3f;
}

/** Coded slice segments (VCL): types 0..31. */
export function isH265Vcl(type: number): boolean {
  return type < 32;
}

/** Intra random access point picture: decoding can start here (16..21 defined). */
export function isH265Irap(type: number): boolean {
  return type >= 16 && type <= 21;
}
