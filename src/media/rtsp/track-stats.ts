// Per-track receive statistics: sequence loss/reorder (RFC 3550 A.1), interarrival jitter (A.8)
// and last-SR bookkeeping, enough to fill a Receiver Report block.
import { SequenceTracker } from '../rtp/unwrap.ts';
import type { ReportBlock } from '../rtp/rtcp.ts';

export interface TrackStatsSnapshot {
  received: number;
  lost: number;
  reordered: number;
  duplicates: number;
  /** Packets dropped because they did not parse as RTP/RTCP. */
  malformed: number;
  /** Interarrival jitter in ms. */
  jitterMs: number;
}

export class TrackStats {
  readonly seq = new SequenceTracker();
  malformed = 0;
  ssrc = -1;
  private jitter = 0;
  private lastArrival = NaN;
  private lastTimestamp = 0;
  private lastSrMiddle32 = 0;
  private lastSrAtMs = 0;

  constructor(private readonly clockRate: number) {}

  onRtp(sequence: number, timestamp: number, ssrc: number, arrivalMs: number): void {
    this.ssrc = ssrc;
    this.seq.push(sequence);
    if (this.clockRate <= 0) return;
    const arrival = (arrivalMs * this.clockRate) / 1000;
    if (!Number.isNaN(this.lastArrival)) {
      // D(i-1,i) = (Rj - Ri) - (Sj - Si); RTP delta taken modulo 2^32 (signed).
      const d = arrival - this.lastArrival - ((timestamp - this.lastTimestamp) | 0);
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastArrival = arrival;
    this.lastTimestamp = timestamp;
  }

  onSenderReport(ntpMiddle32: number, receivedAtMs: number): void {
    this.lastSrMiddle32 = ntpMiddle32;
    this.lastSrAtMs = receivedAtMs;
  }

  /** A report block for this track, or undefined before the first RTP packet. */
  takeReportBlock(nowMs: number): ReportBlock | undefined {
    if (this.ssrc < 0) return undefined;
    return {
      ssrc: this.ssrc,
      fractionLost: this.seq.takeFractionLost(),
      cumulativeLost: this.seq.lost,
      extendedHighestSequence: this.seq.extendedHighest >>> 0,
      jitter: Math.min(0xffffffff, Math.round(this.jitter)),
      lastSr: this.lastSrMiddle32,
      delaySinceLastSr: this.lastSrMiddle32 === 0 ? 0 : Math.max(0, Math.round(((nowMs - this.lastSrAtMs) * 65536) / 1000)),
    };
  }

  snapshot(): TrackStatsSnapshot {
    return {
      received: this.seq.received,
      lost: this.seq.lost,
      reordered: this.seq.reordered,
      duplicates: this.seq.duplicates,
      malformed: this.malformed,
      jitterMs: this.clockRate > 0 ? (this.jitter * 1000) / this.clockRate : 0,
    };
  }
}
