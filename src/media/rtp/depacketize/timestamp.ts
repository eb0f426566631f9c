// RTP sequence/timestamp arithmetic (RFC 3550): 16-bit sequence numbers and 32-bit
// timestamps wrap, so consumers need signed deltas and a monotonic extended timestamp.

/** Signed distance from `prev` to `next` in 16-bit sequence space (-32768..32767). */
export function seqDelta(prev: number, next: number): number {
  return (((next - prev) & 0xffff) << 16) >> 16;
}

/**
 * Extends 32-bit RTP timestamps to a monotonic number. Each value is the previous extended
 * value plus the signed 32-bit delta, so wraps (every ~13 h at 90 kHz) and small reorders
 * both come out right. The first timestamp is kept as-is (not rebased to 0) so the value
 * stays comparable with the raw wire timestamp in logs.
 */
export class RtpTimestampUnwrapper {
  private lastRaw = 0;
  private lastExtended = -1;

  unwrap(raw32: number): number {
    const raw = raw32 >>> 0;
    if (this.lastExtended < 0) {
      this.lastRaw = raw;
      this.lastExtended = raw;
      return raw;
    }
    const delta = (raw - this.lastRaw) | 0;
    this.lastRaw = raw;
    this.lastExtended += delta;
    return this.lastExtended;
  }
}
