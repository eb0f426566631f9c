// RTP receiver statistics for the cascade bandwidth probe (R-PRE-4): loss from sequence gaps
// across the 16-bit wrap, RFC 3550 jitter, bitrate over the window.
import { describe, expect, it } from 'vitest';
import { RtpReceiverStats } from './receiver-stats.ts';

describe('RtpReceiverStats (R-PRE-4)', () => {
  it('counts no loss and no jitter for an evenly paced stream, and its bitrate', () => {
    const s = new RtpReceiverStats();
    // 100 packets of 1000 bytes, 40 ms apart, timestamps 3600 apart (25 fps at 90 kHz).
    for (let i = 0; i < 100; i++) s.push(i, 1000 + i * 3600, 1000, 5000 + i * 40);
    const r = s.summary(4000);
    expect(r).toMatchObject({ packets: 100, expected: 100, lost: 0, lossPercent: 0, bytes: 100_000 });
    expect(r.jitterMs).toBeCloseTo(0, 6);
    expect(r.kbps).toBe(200); // 800 000 bit / 4000 ms
  });

  it('counts the gaps as lost, across the sequence wrap', () => {
    const s = new RtpReceiverStats();
    const seqs = [65530, 65531, 65533, 65534, 65535, 0, 1, 4, 5];
    seqs.forEach((q, i) => s.push(q, i * 3600, 100, i * 40));
    const r = s.summary(1000);
    expect(r.expected).toBe(12); // 65530 .. 5 inclusive
    expect(r.lost).toBe(3); // 65532, 2, 3
    expect(r.lossPercent).toBeCloseTo(25, 6);
  });

  it('measures RFC 3550 jitter from arrivals that wobble around the sending pace', () => {
    const s = new RtpReceiverStats();
    // Sent every 40 ms; arrivals alternate 10 ms early and late: |D| = 20 ms each step, J → 20 ms.
    for (let i = 0; i < 400; i++) s.push(i, i * 3600, 500, i * 40 + (i % 2 === 0 ? -10 : 10));
    expect(s.summary(16_000).jitterMs).toBeCloseTo(20, 1);
    const late = new RtpReceiverStats();
    late.push(10, 0, 500, 0);
    late.push(9, 0, 500, 1); // a late packet does not move the highest sequence back
    late.push(11, 0, 500, 2);
    expect(late.summary(1).expected).toBe(2);
  });
});
