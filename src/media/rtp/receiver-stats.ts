// Receiver statistics of one RTP stream (RFC 3550 §6.4.1, §A.3, §A.8), for the cascade bandwidth
// probe (issue 17, R-PRE-4): bytes and packets received, packets lost by sequence-number gaps
// (16-bit wrap handled, extended highest sequence) and interarrival jitter in timestamp units,
// reported in ms. Pure: the caller gives each packet's arrival time.

export interface RtpReceiverSummary {
  packets: number;
  bytes: number;
  /** Packets expected from the first to the highest sequence number received (RFC 3550 A.3). */
  expected: number;
  /** expected − received, never below 0 (duplicates can make it negative). */
  lost: number;
  /** lost / expected × 100 (0 when nothing was expected). */
  lossPercent: number;
  /** RFC 3550 interarrival jitter, ms. */
  jitterMs: number;
  /** bytes × 8 / durationMs: kbit/s over the measuring window the caller gives. */
  kbps: number;
}

export class RtpReceiverStats {
  private packets = 0;
  private bytes = 0;
  private baseSeq = -1;
  private maxSeq = 0;
  private cycles = 0;
  /** Jitter in timestamp units, as RFC 3550 A.8 keeps it (J). */
  private jitterUnits = 0;
  private lastTransit: number | undefined;

  constructor(private readonly clockRateHz = 90_000) {}

  /** One RTP packet: its sequence number, RTP timestamp, size in bytes (header included) and arrival time. */
  push(seq: number, timestamp: number, sizeBytes: number, arrivalMs: number): void {
    this.packets++;
    this.bytes += sizeBytes;
    if (this.baseSeq < 0) {
      this.baseSeq = seq;
      this.maxSeq = seq;
    } else {
      const delta = (seq - this.maxSeq + 0x10000) % 0x10000;
      // Ahead by less than half the space: in order (or after a gap). Otherwise late or duplicate.
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      }
    }
    // Transit time in timestamp units; its change between packets feeds J += (|D| − J) / 16.
    const transit = (arrivalMs * this.clockRateHz) / 1000 - timestamp;
    if (this.lastTransit !== undefined) {
      let d = transit - this.lastTransit;
      // RTP timestamps wrap at 2^32: a jump of about 2^32 is a wrap, not a delay.
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.jitterUnits += (Math.abs(d) - this.jitterUnits) / 16;
    }
    this.lastTransit = transit;
  }

  summary(durationMs: number): RtpReceiverSummary {
    const expected = this.baseSeq < 0 ? 0 : this.cycles + this.maxSeq - this.baseSeq + 1;
    const lost = Math.max(0, expected - this.packets);
    return {
      packets: this.packets,
      bytes: this.bytes,
      expected,
      lost,
      lossPercent: expected === 0 ? 0 : (lost / expected) * 100,
      jitterMs: (this.jitterUnits / this.clockRateHz) * 1000,
      kbps: durationMs > 0 ? (this.bytes * 8) / durationMs : 0,
    };
  }
}
