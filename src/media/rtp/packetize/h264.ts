// H.264 RTP packetizer, RFC 6184 packetization-mode=1: single NAL unit packets, FU-A for NAL
// units larger than the payload budget, optional STAP-A for runs of small parameter-set/SEI NALs.
import { maxPayloadSize, type RtpPayload, type VideoPacketizeOptions } from './common.ts';

export const H264_NAL_STAP_A = 24;
export const H264_NAL_FU_A = 28;

export interface H264PacketizeOptions extends VideoPacketizeOptions {
  /** Aggregate consecutive SPS/PPS/SEI NAL units into one STAP-A packet (Dahua style). Default false (Hikvision style). */
  stapA?: boolean;
}

function isAggregatable(nal: Uint8Array): boolean {
  const type = nal[0] & 0x1f;
  return type === 6 || type === 7 || type === 8;
}

/**
 * Packetizes one access unit (NAL units without start codes, in decoding order).
 * The marker bit is set on the last packet. Empty NAL units are skipped.
 * Single NAL packets reuse the input bytes (subarrays); FU-A/STAP-A payloads are new buffers.
 */
export function packetizeH264(nalus: readonly Uint8Array[], opts: H264PacketizeOptions = {}): RtpPayload[] {
  const max = maxPayloadSize(opts.mtu);
  const out: RtpPayload[] = [];
  const list = nalus.filter((n) => n.length > 0);
  for (let i = 0; i < list.length; i++) {
    const nal = list[i];
    if (opts.stapA && isAggregatable(nal)) {
      // Collect a run of small aggregatable NAL units that fit in one STAP-A.
      let size = 1 + 2 + nal.length;
      let j = i + 1;
      while (j < list.length && isAggregatable(list[j]) && size + 2 + list[j].length <= max) {
        size += 2 + list[j].length;
        j++;
      }
      if (j - i >= 2 && size <= max) {
        const buf = new Uint8Array(size);
        let nri = 0;
        let off = 1;
        for (let k = i; k < j; k++) {
          const n = list[k];
          nri = Math.max(nri, n[0] & 0x60);
          buf[off] = n.length >> 8;
          buf[off + 1] = n.length & 0xff;
          buf.set(n, off + 2);
          off += 2 + n.length;
        }
        buf[0] = nri | H264_NAL_STAP_A;
        out.push({ payload: buf, marker: false });
        i = j - 1;
        continue;
      }
    }
    if (nal.length <= max) {
      out.push({ payload: nal, marker: false });
      continue;
    }
    // FU-A: FU indicator (F|NRI|28), FU header (S|E|R|type), then a slice of the NAL body.
    const indicator = (nal[0] & 0xe0) | H264_NAL_FU_A;
    const type = nal[0] & 0x1f;
    const chunk = max - 2;
    for (let off = 1; off < nal.length; off += chunk) {
      const end = Math.min(off + chunk, nal.length);
      const buf = new Uint8Array(2 + end - off);
      buf[0] = indicator;
      buf[1] = (off === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
      buf.set(nal.subarray(off, end), 2);
      out.push({ payload: buf, marker: false });
    }
  }
  if (out.length > 0) out[out.length - 1].marker = true;
  return out;
}
