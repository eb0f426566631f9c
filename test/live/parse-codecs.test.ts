// The subscribe's `codecs` list (R-FN-1: H.265 as is only to a browser that plays it).
import { describe, expect, it } from 'vitest';
import { parseCodecs } from '../../src/live/ws-session.ts';

describe('parseCodecs (R-FN-1)', () => {
  it('absent means H.264 only; known names are kept, unknown ones ignored', () => {
    expect([...parseCodecs(undefined)!]).toEqual(['h264']);
    expect([...parseCodecs(['h264', 'h265'])!]).toEqual(['h264', 'h265']);
    expect([...parseCodecs(['av1', 'h264'])!]).toEqual(['h264']);
  });
  it('refuses what is not a list of short strings naming a known codec', () => {
    for (const bad of ['h265', [], ['vp9'], ['h264', 7], { h265: true }, null, ['x'.repeat(17), 'h264'], Array(9).fill('h264')]) {
      expect(parseCodecs(bad)).toBeUndefined();
    }
  });
});
