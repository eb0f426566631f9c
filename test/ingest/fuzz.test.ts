// Fuzzing of the ingest checks that read camera bytes (R-REC-4, issue 12): the video payload check
// (H.264, H.265) and the RTP sequence tracker (targets in src/ingest/fuzz-targets.ts).
import { describe, expect, it } from 'vitest';
import { fuzzSeeds, fuzzTargets, runFuzz } from '../../src/media/fuzz/targets.ts';
import { StreamCheck } from '../../src/ingest/stream-check.ts';
import '../../src/ingest/fuzz-targets.ts';

const TARGETS = ['stream-check-h264', 'stream-check-h265', 'rtp-sequence'];

/** The 2-byte length-prefixed packets of a stream-check seed. */
function split(input: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 2 <= input.length; o += 2 + ((input[o] << 8) | input[o + 1])) out.push(input.subarray(o + 2, o + 2 + ((input[o] << 8) | input[o + 1])));
  return out;
}

describe('ingest check fuzzing (deterministic; R-REC-4)', () => {
  it('seeds are camera-like: every stream-check seed packet passes its codec and fails the other', () => {
    for (const codec of ['h264', 'h265'] as const) {
      const seeds = fuzzSeeds[`stream-check-${codec}`];
      expect(seeds.length).toBeGreaterThan(0);
      const own = new StreamCheck(codec);
      const other = new StreamCheck(codec === 'h264' ? 'h265' : 'h264');
      for (const s of seeds) for (const p of split(s)) {
        expect(own.push(p, 0).good, `${codec} ${Buffer.from(p).toString('hex')}`).toBe(true);
        other.push(p, 0);
      }
      expect(own.badPackets).toBe(0);
      expect(other.badPackets).toBeGreaterThan(0);
    }
  });

  for (const name of TARGETS) {
    it(`${name}: never throws, invariants hold, no hang (3000 inputs)`, () => {
      for (const s of fuzzSeeds[name]) expect(() => fuzzTargets[name](s)).not.toThrow();
      const report = runFuzz(name, 3000, 0x1212, { maxInputMs: 1000 });
      expect(report.failures).toEqual([]);
      expect(report.iterations).toBe(3000);
    });
  }
});
