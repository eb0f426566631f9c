import { describe, expect, it } from 'vitest';
import { BitReader, BitstreamError } from './bit-reader.ts';

describe('BitReader', () => {
  it('reads fixed-width fields MSB first, including full 32-bit values', () => {
    const r = new BitReader(Uint8Array.of(0b10110000, 0xff, 0xff, 0xff, 0xff));
    expect(r.readBits(1)).toBe(1);
    expect(r.readBits(3)).toBe(0b011);
    expect(r.readBits(4)).toBe(0);
    expect(r.readBits(32)).toBe(0xffffffff);
    expect(r.bitsLeft).toBe(0);
  });

  it('decodes exp-Golomb ue(v) and se(v) per H.264 9.1', () => {
    // ue: 1 -> 0, 010 -> 1, 011 -> 2, 00100 -> 3; se of codeNum 1,2,3,4 -> 1,-1,2,-2
    const r = new BitReader(Uint8Array.of(0b10100110, 0b01000000));
    expect([r.readUE(), r.readUE(), r.readUE(), r.readUE()]).toEqual([0, 1, 2, 3]);
    const s = new BitReader(Uint8Array.of(0b01001100, 0b10000101, 0b00000000));
    expect([s.readSE(), s.readSE(), s.readSE(), s.readSE()]).toEqual([1, -1, 2, -2]);
  });

  it('throws BitstreamError on overrun and absurd codes', () => {
    expect(() => new BitReader(Uint8Array.of(0xff)).readBits(9)).toThrow(BitstreamError);
    expect(() => new BitReader(new Uint8Array(8)).readUE()).toThrow(BitstreamError);
    expect(() => new BitReader(Uint8Array.of(0x20)).readUEMax(2, 'x')).toThrow(/x out of range/);
  });
});
