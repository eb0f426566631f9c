import { describe, expect, it } from 'vitest';
import { RtpTimestampUnwrapper, seqDelta } from './timestamp.ts';

describe('RTP arithmetic', () => {
  it('seqDelta is signed across the 16-bit wrap', () => {
    expect(seqDelta(65535, 0)).toBe(1);
    expect(seqDelta(0, 65535)).toBe(-1);
    expect(seqDelta(100, 100)).toBe(0);
    expect(seqDelta(65000, 200)).toBe(736);
  });

  it('unwraps 32-bit timestamps monotonically and tolerates small reorders', () => {
    const u = new RtpTimestampUnwrapper();
    expect(u.unwrap(0xfffff000)).toBe(0xfffff000);
    expect(u.unwrap(0x00000800)).toBe(0x100000800);
    expect(u.unwrap(0x00000400)).toBe(0x100000400); // slightly older packet
    // several wraps: ~13 h at 90 kHz each
    let ts = 0x100000400;
    for (let i = 0; i < 10; i++) {
      ts += 0x7000_0000;
      expect(u.unwrap(ts % 2 ** 32)).toBe(ts);
    }
  });
});
