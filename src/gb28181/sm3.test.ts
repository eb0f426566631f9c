import { describe, it, expect } from 'vitest';
import { sm3Hex } from './sm3.ts';

describe('SM3 (GB/T 32905) for GB/T 28181-2022 digest (R-SEC-5)', () => {
  it('R-SEC-5: matches the standard test vectors', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('handles empty input and block-boundary lengths', () => {
    expect(sm3Hex('')).toBe('1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b');
    const seen = new Set<string>();
    for (const n of [55, 56, 63, 64, 65, 119, 120]) seen.add(sm3Hex('a'.repeat(n)));
    expect(seen.size).toBe(7);
  });
});
