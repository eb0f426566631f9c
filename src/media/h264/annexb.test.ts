import { describe, expect, it } from 'vitest';
import { joinAnnexB, splitAnnexB } from './annexb.ts';

describe('splitAnnexB', () => {
  it('splits 3- and 4-byte start codes, trims trailing zeros, skips leading garbage', () => {
    const buf = Uint8Array.of(0xaa, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 0);
    const nalus = splitAnnexB(buf).map((n) => [...n]);
    expect(nalus).toEqual([[0x67, 1, 2], [0x68, 3], [0x65, 4, 5]]);
  });

  it('returns views into the input and round-trips through joinAnnexB', () => {
    const nalus = [Uint8Array.of(0x67, 9), Uint8Array.of(0x41, 0, 0, 3, 7)];
    const joined = joinAnnexB(nalus);
    const back = splitAnnexB(joined);
    expect(back.map((n) => [...n])).toEqual(nalus.map((n) => [...n]));
    expect(back[0].buffer).toBe(joined.buffer);
  });

  it('handles empty input and input without start codes', () => {
    expect(splitAnnexB(new Uint8Array(0))).toEqual([]);
    expect(splitAnnexB(Uint8Array.of(1, 2, 3, 4))).toEqual([]);
  });
});
