import { describe, expect, it } from 'vitest';
import { removeEmulationPrevention } from './rbsp.ts';

describe('removeEmulationPrevention', () => {
  it('drops 0x03 after two zero bytes, keeps other bytes', () => {
    const nal = Uint8Array.of(0x67, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03, 0x05);
    expect([...removeEmulationPrevention(nal)]).toEqual([0x67, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x05]);
  });

  it('returns the same array (no copy) when nothing needs removing', () => {
    const nal = Uint8Array.of(0x67, 0x64, 0x00, 0x1f, 0x03);
    expect(removeEmulationPrevention(nal)).toBe(nal);
  });
});
