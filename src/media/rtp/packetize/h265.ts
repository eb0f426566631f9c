// H.265 RTP packetizer, RFC 7798 (sprop-max-don-diff = 0): single NAL unit packets and
// fragmentation units (FU, type 49) for NAL units larger than the payload budget.
import { maxPayloadSize, type RtpPayload, type VideoPacketizeOptions } from './common.ts';

export const H265_NAL_AP = 48;
export const H265_NAL_FU = 49;

/**
 * Packetizes one access unit (NAL units without start codes, each with its 2-byte header).
 * The marker bit is set on the last packet. Single NAL packets reuse the input bytes.
 */
export function packetizeH265(nalus: readonly Uint8Array[], opts: VideoPacketizeOptions = {}): RtpPayload[] {
  const max = maxPayloadSize(opts.mtu);
  const out: RtpPayload[] = [];
  for (const nal of nalus) {
    if (nal.length < 2) continue;
    if (nal.length <= max) {
      out.push({ payload: nal, marker: false });
      continue;
    }
    // FU: PayloadHdr (F, Type=49, LayerId, TID copied), FU header (S|E|FuType), then the NAL body.
    const type = (nal[0] >> 1) & 0x3f;
    const h0 = (nal[0] & 0x81) | (H265_NAL_FU << 1);
    const h1 = nal[1];
    const chunk = max - 3;
    for (let off = 2; off < nal.length; off += chunk) {
      const end = Math.min(off + chunk, nal.length);
      const buf = new Uint8Array(3 + end - off);
      buf[0] = h0;
      buf[1] = h1;
      buf[2] = (off === 2 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
      buf.set(nal.subarray(off, end), 3);
      out.push({ payload: buf, marker: false });
    }
  }
  if (out.length > 0) out[out.length - 1].marker = true;
  return out;
}
