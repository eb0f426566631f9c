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
