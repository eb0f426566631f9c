import { describe, expect, it } from 'vitest';
import { fuzzSeeds, runFuzz } from '../media/fuzz/targets.ts';
import { scanRecordingBytes } from './fragment-scan.ts';
import './fuzz-targets.ts';

describe('recording file scan fuzzing (deterministic; R-REC-4, issue 12)', () => {
  it('fragment-scan: mutated fMP4 files get a reasoned, self-consistent answer; no throw, no hang (4000 inputs)', () => {
    const report = runFuzz('fragment-scan', 4000, 0x0012, { maxInputMs: 1000 });
    expect(report.failures).toEqual([]);
    expect(report.iterations).toBe(4000);
  });

  it('seeds scan as clean recordings of several fragments (H.264 and H.265)', () => {
    for (const s of fuzzSeeds['fragment-scan']) {
      const scan = scanRecordingBytes(s, { checkSamples: true });
      expect(scan.initProblem).toBeUndefined();
      expect(scan.trailing).toBeUndefined();
      expect(scan.fragments.length).toBeGreaterThan(1);
      expect(scan.fragments.filter((f) => f.problem)).toEqual([]);
      expect(scan.completeEnd).toBe(s.length);
    }
  });

  it('a trun claiming 2^32-1 samples without per-sample fields is a reason, not a hang', () => {
    const seed = Uint8Array.from(fuzzSeeds['fragment-scan'][0]);
    const scan = scanRecordingBytes(seed);
    const moof = scan.fragments[0].fileOffset;
    const at = Buffer.from(seed).indexOf('trun', moof);
    // trun: size, 'trun', version+flags (keep data-offset only), sample count.
    seed.set([0, 0, 0, 1], at + 4);
    seed.set([0xff, 0xff, 0xff, 0xff], at + 8);
    const t0 = performance.now();
    const damaged = scanRecordingBytes(seed);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(damaged.fragments[0].problem).toMatch(/sample/);
  });

  it('a moof cut right after its trun header (box sizes agree) is a reason, not an exception', () => {
    const seed = Buffer.from(fuzzSeeds['fragment-scan'][0]);
    const first = scanRecordingBytes(seed).fragments[0];
    const moof = first.fileOffset;
    const traf = seed.indexOf('traf', moof) - 4;
    const trun = seed.indexOf('trun', moof) - 4;
    const moofSize = seed.readUInt32BE(moof);
    expect(trun + seed.readUInt32BE(trun)).toBe(moof + moofSize); // trun is the moof's last box
    // Keep the trun's 8-byte header only; shrink traf and moof to match; the mdat follows.
    const cut = seed.readUInt32BE(trun) - 8;
    const damaged = Buffer.concat([seed.subarray(0, trun + 8), seed.subarray(moof + moofSize)]);
    damaged.writeUInt32BE(8, trun);
    damaged.writeUInt32BE(seed.readUInt32BE(traf) - cut, traf);
    damaged.writeUInt32BE(moofSize - cut, moof);
    const scan = scanRecordingBytes(damaged);
    expect(scan.fragments[0].problem).toMatch(/moof truncated/);
    expect(scan.fragments.length).toBe(scanRecordingBytes(seed).fragments.length);
  });
});
