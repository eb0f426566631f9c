// Shared definitions of the RTP packetizers (pure: no I/O, no clocks).

/** Size of the fixed RTP header (RFC 3550 §5.1) with no CSRC and no extension. */
export const RTP_HEADER_SIZE = 12;

/** Default maximum size of a whole RTP packet (header + payload), safe over UDP on any LAN/VPN. */
export const DEFAULT_MTU = 1400;

/** One RTP payload ready to be given a header. */
export interface RtpPayload {
  payload: Uint8Array;
  /** RTP marker bit: set on the last packet of a video access unit, on every AAC AU packet. */
  marker: boolean;
}

export interface VideoPacketizeOptions {
  /** Maximum RTP packet size including the 12-byte header (default 1400). */
  mtu?: number;
}

/** Largest payload that fits an RTP packet of `mtu` bytes. */
export function maxPayloadSize(mtu: number | undefined): number {
  const m = mtu ?? DEFAULT_MTU;
  if (!Number.isInteger(m) || m < RTP_HEADER_SIZE + 16) throw new RangeError(`RTP mtu too small: ${m}`);
  return m - RTP_HEADER_SIZE;
}
