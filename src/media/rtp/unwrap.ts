// Wrap-around handling for RTP's 32-bit timestamps and 16-bit sequence numbers.

/**
 * Extends 32-bit RTP timestamps to a continuous number. Each new value is interpreted as the nearest
 * point to the previous one (signed 32-bit delta), so the result keeps growing across the 2^32 wrap
 * (13.25 h at 90 kHz) while small backward steps (B-frame reordering, audio jitter) stay backward.
 * The first timestamp is returned unchanged.
 */
export class TimestampUnwrapper {
  private last = -1;
  private value = 0;

  unwrap(timestamp32: number): number {
    const ts = timestamp32 >>> 0;
    if (this.last < 0) {
      this.last = ts;
      this.value = ts;
      return ts;
    }
    // ToInt32 of the difference = shortest signed distance modulo 2^32.
    this.value += (ts - this.last) | 0;
    this.last = ts;
    return this.value;
  }

  reset(): void {
    this.last = -1;
    this.value = 0;
  }
}

export type SequenceVerdict = 'first' | 'in-order' | 'gap' | 'duplicate' | 'reordered' | 'jump' | 'restart';

/** RFC 3550 A.1 limits: forward jumps up to MAX_DROPOUT are loss, up to MAX_MISORDER back are late packets. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/**
 * Tracks 16-bit sequence numbers of one SSRC (RFC 3550 A.1): extended highest sequence, loss,
 * reordering and duplicates, plus the per-interval fraction lost that Receiver Reports carry.
 */
export class SequenceTracker {
  received = 0;
  duplicates = 0;
  reordered = 0;
  /** Sequence restarts (camera reboot/stream switch) detected after two consecutive far jumps. */
  restarts = 0;
  private started = false;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = -1;
  private expectedPrior = 0;
  private receivedPrior = 0;

  push(sequence: number): SequenceVerdict {
    const seq = sequence & 0xffff;
    if (!this.started) {
      this.init(seq);
      return 'first';
    }
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (udelta === 0) {
      this.duplicates++;
      return 'duplicate';
    }
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += 0x1_0000;
      this.maxSeq = seq;
      this.received++;
      this.badSeq = -1;
      return udelta === 1 ? 'in-order' : 'gap';
    }
    if (udelta <= 0x1_0000 - MAX_MISORDER) {
      // Far jump: only believe it when the next packet continues from there (the source restarted).
      if (seq === this.badSeq) {
        this.restarts++;
        this.init(seq);
        return 'restart';
      }
      this.badSeq = (seq + 1) & 0xffff;
      return 'jump';
    }
    this.reordered++;
    this.received++;
    return 'reordered';
  }

  /** cycles * 65536 + highest sequence seen. */
  get extendedHighest(): number {
    return this.cycles + this.maxSeq;
  }

  get expected(): number {
    return this.started ? this.extendedHighest - this.baseSeq + 1 : 0;
  }

  /** Packets lost since the start (never negative: duplicates are not counted as received). */
  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  /** Fraction lost (0..255) since the previous call; call once per Receiver Report. */
  takeFractionLost(): number {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }

  private init(seq: number): void {
    this.started = true;
    this.maxSeq = seq;
    this.baseSeq = seq;
    this.cycles = 0;
    this.badSeq = -1;
    this.received = 1;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
  }
}
