// Tells a camera's video payload from garbage without decoding (R-REC-4, issue 12): each RTP
// payload's NAL header must be one a camera of the SDP's codec can send. Random bytes pass about one
// packet in six; H.265 sent under an H.264 SDP (and the reverse) fails almost always but parses as
// the other codec, which names the fault 'codec-mismatch'. The verdict is taken over a window of
// packets, so one bad packet in a healthy stream is a lost packet, not a broken camera.
import type { VideoCodec } from '../media/types.ts';

/** H.264 NAL types a camera sends (RFC 6184 single NAL 1–12 without data partitions, STAP-A, FU-A). */
const H264_NAL_OK = new Set([1, 5, 6, 7, 8, 9, 10, 11, 12]);
const H264_STAP_A = 24;
const H264_FU_A = 28;
/** H.265 (RFC 7798): VCL 0–9 and 16–21, parameter sets/AUD/EOS/EOB/FD/SEI 32–40, AP 48, FU 49. */
const H265_AP = 48;
const H265_FU = 49;

function h264NalOk(b: number): boolean {
  return (b & 0x80) === 0 && H264_NAL_OK.has(b & 0x1f);
}

function h265TypeOk(t: number): boolean {
  return t <= 9 || (t >= 16 && t <= 21) || (t >= 32 && t <= 40);
}

/** Whether an RTP payload can come from an H.264 camera (RFC 6184 non-interleaved mode). */
export function h264PayloadOk(p: Uint8Array): boolean {
  if (p.length < 2) return false;
  const b = p[0];
  if ((b & 0x80) !== 0) return false;
  const type = b & 0x1f;
  if (type === H264_FU_A) {
    const fu = p[1];
    // S and E together, or the reserved bit set, never happen; the inner type must be a real NAL.
    if ((fu & 0xc0) === 0xc0 || (fu & 0x20) !== 0) return false;
    return H264_NAL_OK.has(fu & 0x1f) && p.length > 2;
  }
  if (type === H264_STAP_A) {
    let o = 1;
    while (o + 2 <= p.length) {
      const size = (p[o] << 8) | p[o + 1];
      o += 2;
      if (size < 1 || o + size > p.length || !h264NalOk(p[o])) return false;
      o += size;
    }
    return o === p.length;
  }
  return H264_NAL_OK.has(type);
}

/** Whether an RTP payload can come from an H.265 camera (RFC 7798, no DONL, layer 0). */
export function h265PayloadOk(p: Uint8Array): boolean {
  if (p.length < 3) return false;
  if ((p[0] & 0x80) !== 0) return false;
  const layerId = ((p[0] & 1) << 5) | (p[1] >> 3);
  const tidPlus1 = p[1] & 7;
  if (layerId !== 0 || tidPlus1 === 0) return false;
  const type = (p[0] >> 1) & 0x3f;
  if (type === H265_FU) {
    const fu = p[2];
    if ((fu & 0xc0) === 0xc0) return false;
    return h265TypeOk(fu & 0x3f) && p.length > 3;
  }
  if (type === H265_AP) {
    let o = 2;
    while (o + 2 <= p.length) {
      const size = (p[o] << 8) | p[o + 1];
      o += 2;
      if (size < 2 || o + size > p.length || (p[o] & 0x80) !== 0 || !h265TypeOk((p[o] >> 1) & 0x3f)) return false;
      o += size;
    }
    return o === p.length;
  }
  return h265TypeOk(type);
}

export type StreamVerdict = 'ok' | 'garbage' | 'codec-mismatch';

/** Packets judged together; a window also closes after CHECK_WINDOW_MS with at least CHECK_MIN_PACKETS (slow streams). */
export const CHECK_WINDOW_PACKETS = 50;
const CHECK_WINDOW_MS = 1000;
const CHECK_MIN_PACKETS = 10;
/** Share of bad packets in a window past which the stream is garbage (a healthy camera has none). */
export const GARBAGE_SHARE = 0.2;

const GOOD: { good: boolean; verdict?: StreamVerdict } = Object.freeze({ good: true });
const BAD: { good: boolean; verdict?: StreamVerdict } = Object.freeze({ good: false });

/** Judges one video track's payloads over consecutive windows of packets. */
export class StreamCheck {
  /** Packets that failed the check, ever. */
  badPackets = 0;
  private inWindow = 0;
  private badInWindow = 0;
  private otherCodecInWindow = 0;
  private windowStartMs = 0;
  private readonly ok: (p: Uint8Array) => boolean;
  private readonly other: (p: Uint8Array) => boolean;

  constructor(readonly codec: VideoCodec) {
    this.ok = codec === 'h264' ? h264PayloadOk : h265PayloadOk;
    this.other = codec === 'h264' ? h265PayloadOk : h264PayloadOk;
  }

  /**
   * Checks one payload: `good` says whether to pass it on (a bad packet is dropped, so the
   * depacketizer sees a loss), `verdict` is set when a window closes with too many bad packets.
   */
  push(payload: Uint8Array, nowMs: number): { good: boolean; verdict?: StreamVerdict } {
    const good = this.ok(payload);
    if (this.inWindow === 0) this.windowStartMs = nowMs;
    this.inWindow++;
    if (!good) {
      this.badPackets++;
      this.badInWindow++;
      if (this.other(payload)) this.otherCodecInWindow++;
    }
    const n = this.inWindow;
    // Shared answers while a window is open: nothing allocated per packet.
    if (n < CHECK_WINDOW_PACKETS && (n < CHECK_MIN_PACKETS || nowMs - this.windowStartMs < CHECK_WINDOW_MS)) return good ? GOOD : BAD;
    const bad = this.badInWindow;
    const other = this.otherCodecInWindow;
    this.inWindow = this.badInWindow = this.otherCodecInWindow = 0;
    if (bad <= GARBAGE_SHARE * n) return { good, verdict: 'ok' };
    // Most bad packets are valid for the other codec: the SDP lies about the codec.
    return { good, verdict: other >= 0.8 * bad ? 'codec-mismatch' : 'garbage' };
  }
}
