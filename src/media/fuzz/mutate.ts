import { concatBytes as concat } from '../bytes.ts';
// Mutations of valid samples: the interesting bugs live near valid input (lengths off by a few,
// truncated headers, duplicated fields), which pure random bytes rarely reach.
import type { Prng } from './prng.ts';

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x24, 0x0d, 0x0a, 0x20, 0x3a, 0x3d, 0x2f, 0x30, 0x39];
const MAX_LEN = 256 * 1024;

export function mutate(input: Uint8Array, rng: Prng, corpus: readonly Uint8Array[]): Uint8Array {
  let out: Uint8Array = Uint8Array.from(input);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) out = mutateOnce(out, rng, corpus);
  return out.length > MAX_LEN ? out.subarray(0, MAX_LEN) : out;
}

function mutateOnce(b: Uint8Array, rng: Prng, corpus: readonly Uint8Array[]): Uint8Array {
  switch (rng.int(8)) {
    case 0: { // bit flips
      if (b.length === 0) return b;
      const n = 1 + rng.int(8);
      for (let i = 0; i < n; i++) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 1: { // interesting byte values (delimiters, boundaries)
      if (b.length === 0) return b;
      b[rng.int(b.length)] = rng.pick(INTERESTING);
      return b;
    }
    case 2: // truncation
      return b.subarray(0, rng.int(b.length + 1));
    case 3: { // duplicate a range in place
      if (b.length === 0) return b;
      const from = rng.int(b.length);
      const len = 1 + rng.int(Math.min(512, b.length - from));
      const at = rng.int(b.length + 1);
      return concat([b.subarray(0, at), b.subarray(from, from + len), b.subarray(at)]);
    }
    case 4: { // splice with another sample
      const other = corpus.length > 0 ? rng.pick(corpus) : b;
      const cutA = rng.int(b.length + 1);
      const cutB = rng.int(other.length + 1);
      return concat([b.subarray(0, cutA), other.subarray(cutB)]);
    }
    case 5: { // delete a range
      if (b.length === 0) return b;
      const from = rng.int(b.length);
      const len = 1 + rng.int(Math.min(64, b.length - from));
      return concat([b.subarray(0, from), b.subarray(from + len)]);
    }
    case 6: { // insert random bytes
      const at = rng.int(b.length + 1);
      return concat([b.subarray(0, at), rng.bytes(1 + rng.int(32)), b.subarray(at)]);
    }
    default: { // 16-bit big-endian field nudged (lengths, sequence numbers)
      if (b.length < 2) return b;
      const at = rng.int(b.length - 1);
      const v = (((b[at] << 8) | b[at + 1]) + rng.pick([1, -1, 0x100, 0x7fff, 0x8000, -0x100])) & 0xffff;
      b[at] = v >> 8;
      b[at + 1] = v & 0xff;
      return b;
    }
  }
}

