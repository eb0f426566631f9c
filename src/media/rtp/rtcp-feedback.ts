// RTCP payload-specific feedback (RFC 4585 §6.3, RFC 5104 §4.3): the receiver asks the sender
// for a keyframe. PLI (Picture Loss Indication, FMT 1) and FIR (Full Intra Request, FMT 4) are
// both PT 206; cameras answer one or the other (or neither: a plain RTSP session is RTP/AVP, not
// AVPF, and nothing obliges it), so a keyframe request carries both. RFC 3550 §6.1: a compound
// packet starts with a report and carries SDES CNAME; the caller prepends them.

export const RTCP_PSFB = 206;
export const PSFB_PLI = 1;
export const PSFB_FIR = 4;

/** PLI: sender SSRC, media source SSRC, no FCI (RFC 4585 §6.3.1). 12 bytes. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x80 | PSFB_PLI);
  v.setUint8(1, RTCP_PSFB);
  v.setUint16(2, 2);
  v.setUint32(4, senderSsrc >>> 0);
  v.setUint32(8, mediaSsrc >>> 0);
  return out;
}

/**
 * FIR: media source SSRC 0 in the common header, the target in the FCI with a sequence number
 * that the sender uses to tell a new request from a repeat (RFC 5104 §4.3.1.1). 20 bytes.
 */
export function buildFir(senderSsrc: number, mediaSsrc: number, seq: number): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x80 | PSFB_FIR);
  v.setUint8(1, RTCP_PSFB);
  v.setUint16(2, 4);
  v.setUint32(4, senderSsrc >>> 0);
  v.setUint32(8, 0);
  v.setUint32(12, mediaSsrc >>> 0);
  v.setUint8(16, seq & 0xff);
  return out;
}

export interface KeyframeRequest {
  type: 'pli' | 'fir';
  senderSsrc: number;
  /** The SSRC asked for a keyframe (PLI: media source field; FIR: the FCI entry). */
  mediaSsrc: number;
  /** FIR only. */
  seq?: number;
}

/** The PLI and FIR entries of a compound RTCP packet (what a camera would act on). Malformed input yields what parsed before it. */
export function keyframeRequestsIn(buf: Uint8Array): KeyframeRequest[] {
  const out: KeyframeRequest[] = [];
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let o = 0; o + 4 <= buf.length; ) {
    if (buf[o] >> 6 !== 2) break;
    const len = (v.getUint16(o + 2) + 1) * 4;
    if (o + len > buf.length) break;
    const fmt = buf[o] & 0x1f;
    if (buf[o + 1] === RTCP_PSFB && len >= 12) {
      const senderSsrc = v.getUint32(o + 4);
      if (fmt === PSFB_PLI) out.push({ type: 'pli', senderSsrc, mediaSsrc: v.getUint32(o + 8) });
      else if (fmt === PSFB_FIR) {
        for (let f = o + 12; f + 8 <= o + len; f += 8) out.push({ type: 'fir', senderSsrc, mediaSsrc: v.getUint32(f), seq: buf[f + 4] });
      }
    }
    o += len;
  }
  return out;
}
