// RTP fixed header parsing/serialization (RFC 3550 §5.1). The payload is a subarray of the input
// (no copy): padding and header extension are stripped, CSRCs skipped.
import type { RtpPacket } from '../types.ts';

export class RtpError extends Error {
  override readonly name = 'RtpError';
}

export const RTP_HEADER_BYTES = 12;

export function parseRtpPacket(buf: Uint8Array): RtpPacket {
  const len = buf.length;
  if (len < RTP_HEADER_BYTES) throw new RtpError(`RTP packet too short: ${len} bytes`);
  const b0 = buf[0];
  if (b0 >> 6 !== 2) throw new RtpError(`RTP version ${b0 >> 6} != 2`);
  const b1 = buf[1];
  let offset = RTP_HEADER_BYTES + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (offset + 4 > len) throw new RtpError('RTP extension header truncated');
    const extWords = (buf[offset + 2] << 8) | buf[offset + 3];
    offset += 4 + extWords * 4;
  }
  let end = len;
  if (b0 & 0x20) {
    const pad = buf[len - 1];
    if (pad === 0) throw new RtpError('RTP padding count 0');
    end -= pad;
  }
  if (offset > end) throw new RtpError('RTP header/padding longer than packet');
  return {
    payloadType: b1 & 0x7f,
    sequence: (buf[2] << 8) | buf[3],
    // >>> 0 keeps the 32-bit fields unsigned.
    timestamp: ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0,
    ssrc: ((buf[8] << 24) | (buf[9] << 16) | (buf[10] << 8) | buf[11]) >>> 0,
    marker: (b1 & 0x80) !== 0,
    payload: buf.subarray(offset, end),
  };
}

export interface RtpSerializeOptions {
  csrcs?: number[];
  /** Header extension: 16-bit profile id and data (padded to 32-bit words). */
  extension?: { profile: number; data: Uint8Array };
  /** Padding bytes to append (1..255), for tests and fuzz seeds. */
  paddingBytes?: number;
}

export function serializeRtpPacket(p: RtpPacket, opts: RtpSerializeOptions = {}): Uint8Array {
  const csrcs = opts.csrcs ?? [];
  if (csrcs.length > 15) throw new RtpError('at most 15 CSRCs');
  const extWords = opts.extension ? Math.ceil(opts.extension.data.length / 4) : 0;
  if (extWords > 0xffff) throw new RtpError('RTP extension too long');
  const pad = opts.paddingBytes ?? 0;
  if (pad < 0 || pad > 255) throw new RtpError('padding must be 0..255');
  const headerLen = RTP_HEADER_BYTES + csrcs.length * 4 + (opts.extension ? 4 + extWords * 4 : 0);
  const out = new Uint8Array(headerLen + p.payload.length + pad);
  const view = new DataView(out.buffer);
  out[0] = 0x80 | (pad > 0 ? 0x20 : 0) | (opts.extension ? 0x10 : 0) | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  view.setUint16(2, p.sequence & 0xffff);
  view.setUint32(4, p.timestamp >>> 0);
  view.setUint32(8, p.ssrc >>> 0);
  let o = RTP_HEADER_BYTES;
  for (const c of csrcs) {
    view.setUint32(o, c >>> 0);
    o += 4;
  }
  if (opts.extension) {
    view.setUint16(o, opts.extension.profile & 0xffff);
    view.setUint16(o + 2, extWords);
    out.set(opts.extension.data, o + 4);
    o += 4 + extWords * 4;
  }
  out.set(p.payload, o);
  if (pad > 0) out[out.length - 1] = pad;
  return out;
}
