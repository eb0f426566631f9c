// AAC RTP packetizer, RFC 3640 mode AAC-hbr (sizeLength=13, indexLength=3, indexDeltaLength=3),
// one access unit per packet. SDP: a=fmtp:<pt> streamtype=5;profile-level-id=15;mode=AAC-hbr;
// config=<hex AudioSpecificConfig>;sizeLength=13;indexLength=3;indexDeltaLength=3

/** Largest AU that AAC-hbr can describe in one AU-header (13-bit size). */
export const AAC_HBR_MAX_AU_SIZE = 0x1fff;

/**
 * Builds the payload for one raw AAC access unit (no ADTS header): AU-headers-length = 16 bits,
 * one AU-header (13-bit size, 3-bit index 0), then the AU. The marker bit must be set (RFC 3640 §3.2.1).
 */
export function packetizeAacHbr(au: Uint8Array): Uint8Array {
  if (au.length > AAC_HBR_MAX_AU_SIZE) throw new RangeError(`AAC access unit too large: ${au.length}`);
  const buf = new Uint8Array(4 + au.length);
  buf[0] = 0;
  buf[1] = 16;
  buf[2] = au.length >> 5;
  buf[3] = (au.length & 0x1f) << 3;
  buf.set(au, 4);
  return buf;
}

/** AudioSpecificConfig bytes (ISO 14496-3 §1.6.2.1); hex-encode them for the SDP `config=` parameter. */
export function aacAudioSpecificConfig(objectType: number, samplingFrequencyIndex: number, channelConfig: number): Uint8Array {
  return Uint8Array.of(
    ((objectType & 0x1f) << 3) | ((samplingFrequencyIndex >> 1) & 0x07),
    ((samplingFrequencyIndex & 0x01) << 7) | ((channelConfig & 0x0f) << 3),
  );
}
