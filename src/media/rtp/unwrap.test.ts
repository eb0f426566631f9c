import { describe, it, expect } from 'vitest';
import { SequenceTracker, TimestampUnwrapper } from './unwrap.ts';

describe('TimestampUnwrapper', () => {
  it('continues across the 32-bit wrap and keeps small backward steps', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(0xffff_fc00)).toBe(0xffff_fc00);
    expect(u.unwrap(0x0000_0200)).toBe(0x1_0000_0200);
    expect(u.unwrap(0xffff_ff00)).toBe(0xffff_ff00); // B-frame style step back across the wrap
    expect(u.unwrap(0x0000_1000)).toBe(0x1_0000_1000);
    let ts = 0x1000;
    let v = 0x1_0000_1000;
    for (let i = 0; i < 3 * 1432; i++) { // 3_000_000-tick steps: about three 2^32 wraps
      ts = (ts + 3_000_000) >>> 0;
      v += 3_000_000;
      expect(u.unwrap(ts)).toBe(v);
    }
  });
});

describe('SequenceTracker', () => {
  it('counts loss, reorder, duplicates across the 16-bit wrap', () => {
    const t = new SequenceTracker();
    expect(t.push(65533)).toBe('first');
    expect(t.push(65534)).toBe('in-order');
    expect(t.push(0)).toBe('gap'); // 65535 lost
    expect(t.push(65535)).toBe('reordered'); // ...arrives late
    expect(t.push(0)).toBe('duplicate');
    expect(t.push(1)).toBe('in-order');
    expect(t.push(5)).toBe('gap');
    expect(t.extendedHighest).toBe(65536 + 5);
    expect(t.expected).toBe(9);
    expect(t.received).toBe(6);
    expect(t.lost).toBe(3);
    expect(t.reordered).toBe(1);
    expect(t.duplicates).toBe(1);
    expect(t.takeFractionLost()).toBe(Math.floor((3 * 256) / 9));
    expect(t.push(6)).toBe('in-order');
    expect(t.takeFractionLost()).toBe(0);
  });

  it('detects a sequence restart only after two consecutive far packets', () => {
    const t = new SequenceTracker();
    t.push(100);
    t.push(101);
    expect(t.push(30000)).toBe('jump');
    expect(t.push(102)).toBe('in-order');
    expect(t.push(40000)).toBe('jump');
    expect(t.push(40001)).toBe('restart');
    expect(t.restarts).toBe(1);
    expect(t.push(40002)).toBe('in-order');
    expect(t.lost).toBe(0);
  });
});
