// PES packets (ISO/IEC 13818-1 §2.4.3.6) and 33-bit timestamps as used inside a program stream.
// PES_packet_length is 16 bits, so frames larger than ~64 KiB are split over several PES packets:
// only the first carries PTS/DTS and data_alignment_indicator.

export const PTS_WRAP = 2 ** 33;
/** Largest PES_packet_length value. */
export const PES_MAX_LENGTH = 0xffff;

/** Writes a 5-byte PTS/DTS field with the 4-bit prefix (0010 PTS only, 0011 PTS+DTS, 0001 DTS). */
export function writeTimestamp(out: Uint8Array, o: number, prefix: number, ts90k: number): void {
  const t = ((ts90k % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  const hi = Math.floor(t / 2 ** 30); // bits 32..30
  const mid = Math.floor(t / 2 ** 15) & 0x7fff; // bits 29..15
  const lo = t % 2 ** 15; // bits 14..0
  out[o] = (prefix << 4) | (hi << 1) | 1;
  out[o + 1] = mid >> 7;
  out[o + 2] = ((mid & 0x7f) << 1) | 1;
  out[o + 3] = lo >> 7;
  out[o + 4] = ((lo & 0x7f) << 1) | 1;
}

export function readTimestamp(b: Uint8Array, o: number): number {
  const hi = (b[o] >> 1) & 0x07;
  const mid = (b[o + 1] << 7) | (b[o + 2] >> 1);
  const lo = (b[o + 3] << 7) | (b[o + 4] >> 1);
  return hi * 2 ** 30 + mid * 2 ** 15 + lo;
}

/**
 * PES packets for one access unit. Each packet is at most 6 + 65535 bytes; `maxPayloadBytes`
 * lets tests force splitting.
 */
export function buildPesPackets(streamId: number, payload: Uint8Array, pts90k: number, dts90k?: number, maxPayloadBytes = PES_MAX_LENGTH - 13): Uint8Array[] {
  const withDts = dts90k !== undefined && dts90k !== pts90k;
  const out: Uint8Array[] = [];
  let offset = 0;
  let first = true;
  do {
    const hdrData = first ? (withDts ? 10 : 5) : 0;
    const room = Math.min(maxPayloadBytes, PES_MAX_LENGTH - 3 - hdrData);
    const n = Math.min(room, payload.length - offset);
    const pkt = new Uint8Array(9 + hdrData + n);
    pkt[2] = 1;
    pkt[3] = streamId;
    const len = 3 + hdrData + n;
    pkt[4] = len >> 8;
    pkt[5] = len & 0xff;
    pkt[6] = 0x80 | (first ? 0x04 : 0); // '10' marker, data_alignment_indicator on the AU start
    pkt[7] = first ? (withDts ? 0xc0 : 0x80) : 0;
    pkt[8] = hdrData;
    if (first) {
      writeTimestamp(pkt, 9, withDts ? 3 : 2, pts90k);
      if (withDts) writeTimestamp(pkt, 14, 1, dts90k);
    }
    pkt.set(payload.subarray(offset, offset + n), 9 + hdrData);
    out.push(pkt);
    offset += n;
    first = false;
  } while (offset < payload.length);
  return out;
}

export interface PesInfo {
  streamId: number;
  pts90k?: number;
  dts90k?: number;
  payload: Uint8Array;
}

/** Parses one complete PES packet (start code through PES_packet_length); undefined if not MPEG-2 PES syntax. */
export function parsePes(pkt: Uint8Array): PesInfo | undefined {
  if (pkt.length < 9 || (pkt[6] & 0xc0) !== 0x80) return undefined;
  const flags = pkt[7] >> 6;
  const start = 9 + pkt[8];
  if (start > pkt.length) return undefined;
  const info: PesInfo = { streamId: pkt[3], payload: pkt.subarray(start) };
  if (flags & 2) {
    if (pkt[8] < 5) return undefined;
    info.pts90k = readTimestamp(pkt, 9);
    if (flags === 3) {
      if (pkt[8] < 10) return undefined;
      info.dts90k = readTimestamp(pkt, 14);
    }
  }
  return info;
}
