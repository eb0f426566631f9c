import { describe, expect, it } from 'vitest';
import { FragmentBuffer, MAX_REASSEMBLY_BYTES } from './fragment-buffer.ts';

describe('FragmentBuffer', () => {
  it('joins fragments behind a header with one copy', () => {
    const f = new FragmentBuffer();
    f.start(Uint8Array.of(0x65));
    f.append(Uint8Array.of(1, 2));
    f.append(Uint8Array.of(3));
    expect([...f.finish()!]).toEqual([0x65, 1, 2, 3]);
    expect(f.active).toBe(false);
  });

  it('abandons a unit over the cap instead of growing without bound', () => {
    const f = new FragmentBuffer();
    f.start(Uint8Array.of(0x65));
    const chunk = new Uint8Array(1024 * 1024);
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (f.append(chunk)) accepted++;
    expect(accepted).toBe(Math.floor((MAX_REASSEMBLY_BYTES - 1) / chunk.length));
    expect(f.finish()).toBeUndefined();
  });
});

describe('FragmentBuffer memory (issue 16)', () => {
  it('carves consecutive units from one slab without overwriting earlier ones; a large unit gets its own memory', () => {
    const f = new FragmentBuffer();
    const units: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) {
      f.start(Uint8Array.of(0x41));
      f.append(new Uint8Array(3000 + i).fill(i + 1));
      f.append(Uint8Array.of(0xee));
      units.push(f.finish()!);
    }
    expect(new Set(units.map((u) => u.buffer)).size, 'one slab for six small units').toBe(1);
    units.forEach((u, i) => {
      expect(u.length).toBe(3002 + i);
      expect(u[0]).toBe(0x41);
      expect(u.subarray(1, -1).every((b) => b === i + 1), `unit ${i} intact`).toBe(true);
      expect(u.at(-1)).toBe(0xee);
    });
    f.start(Uint8Array.of(0x65));
    f.append(new Uint8Array(100_000).fill(5));
    const idr = f.finish()!;
    expect(idr.buffer).not.toBe(units[0].buffer);
    expect(idr.length).toBe(100_001);
    expect(units[5].subarray(1, -1).every((b) => b === 6)).toBe(true);
  });
});
