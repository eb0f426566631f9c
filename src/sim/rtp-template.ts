// Pre-built RTP packets of one media frame, stored back to back with RTSP interleaved framing
// ('$', channel, length) so that a TCP send is one copy + header patches + one write.
// Sequence number, timestamp, SSRC and channel are patched per viewer at send time.
import type { RtpPayload } from '../media/rtp/packetize/index.ts';

export interface PacketTemplate {
  keyframe: boolean;
  /** [$ ch len16][RTP header 12][payload] repeated; seq/ts/ssrc/channel zero. */
  blob: Buffer;
  /** Offset in `blob` of each packet's 4-byte interleaved header. */
  offsets: number[];
  /** Sum of payload sizes (for RTCP SR octet count). */
  payloadBytes: number;
}

export function buildTemplate(payloads: readonly RtpPayload[], payloadType: number, keyframe: boolean): PacketTemplate {
  let size = 0;
  let payloadBytes = 0;
  for (const p of payloads) {
    size += 16 + p.payload.length;
    payloadBytes += p.payload.length;
  }
  const blob = Buffer.alloc(size);
  const offsets: number[] = [];
  let off = 0;
  for (const p of payloads) {
    offsets.push(off);
    const len = 12 + p.payload.length;
    if (len > 0xffff) throw new RangeError('RTP packet too large for interleaved framing');
    blob[off] = 0x24;
    blob.writeUInt16BE(len, off + 2);
    blob[off + 4] = 0x80;
    blob[off + 5] = (p.marker ? 0x80 : 0) | (payloadType & 0x7f);
    blob.set(p.payload, off + 16);
    off += 16 + p.payload.length;
  }
  return { keyframe, blob, offsets, payloadBytes };
}

/**
 * Copies a template and patches channel/seq/timestamp/ssrc. Packets whose index is in `skip`
 * (simulated loss) keep their sequence number but are left out of the result.
 * Returns the patched buffer and the next sequence number.
 */
export function instantiate(
  t: PacketTemplate,
  channel: number,
  seq: number,
  timestamp: number,
  ssrc: number,
  lost?: (index: number) => boolean,
): { buf: Buffer; seq: number; packets: number } {
  const out = Buffer.allocUnsafe(t.blob.length);
  t.blob.copy(out);
  const { offsets } = t;
  let s = seq;
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i];
    out[o + 1] = channel;
    out.writeUInt16BE(s, o + 6);
    out.writeUInt32BE(timestamp >>> 0, o + 8);
    out.writeUInt32BE(ssrc >>> 0, o + 12);
    s = (s + 1) & 0xffff;
  }
  if (!lost) return { buf: out, seq: s, packets: offsets.length };
  const kept: Buffer[] = [];
  for (let i = 0; i < offsets.length; i++) {
    if (lost(i)) continue;
    const end = i + 1 < offsets.length ? offsets[i + 1] : out.length;
    kept.push(out.subarray(offsets[i], end));
  }
  return { buf: Buffer.concat(kept), seq: s, packets: kept.length };
}

/** Iterates the RTP packets (without the 4-byte interleaved header) of an instantiated buffer. */
export function* rtpPackets(buf: Buffer): Generator<Buffer> {
  for (let off = 0; off + 4 <= buf.length; ) {
    const len = buf.readUInt16BE(off + 2);
    yield buf.subarray(off + 4, off + 4 + len);
    off += 4 + len;
  }
}
