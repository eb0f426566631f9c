// Several cameras' keyframes decoded by one ffmpeg (src/readiness/decode.ts `decodeMany`, used by
// the probe runner through DecodeBatcher): each camera must get exactly the pictures, JPEG and
// sound level it gets when decoded alone (R-PRE-3 verdicts unchanged), and a broken camera in the
// shared run must still be a reasoned fail of its own without costing the others their pictures.
import { describe, expect, it } from 'vitest';
import type { VideoFrame } from '../../src/media/types.ts';
import { decodeKeyframes, decodeMany } from '../../src/readiness/decode.ts';
import { DecodeBatcher } from '../../src/readiness/decode-batcher.ts';
import { judgePicture } from '../../src/readiness/picture-verdict.ts';
import { encode } from './helpers/encode.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('one ffmpeg for several cameras (R-PRE-3)', () => {
  const normal = encode('testsrc2', 2.2, '640x360');
  const black = encode('color=c=black', 2.2, '640x360');
  const garbage: VideoFrame[] = [0, 1, 2].map((i) => ({ kind: 'video', pts90k: i * 3600, keyframe: i === 0, nalus: [Uint8Array.from({ length: 3000 }, (_, k) => (k * 131 + i) & 0xff)], receivedAtMs: 0 }));

  it('each camera gets the pictures and JPEG it gets alone, and the same verdicts', async () => {
    const alone = await Promise.all([normal, black].map((f) => decodeKeyframes(f, 'h264', { timeoutMs: 30_000 })));
    const shared = await decodeMany([{ frames: normal, codec: 'h264' }, { frames: black, codec: 'h264' }], { timeoutMs: 30_000 });
    for (const i of [0, 1]) {
      expect(shared[i].frames.length).toBe(3);
      expect(shared[i].frames.map((f) => f.data).every((d, k) => same(d, alone[i].frames[k].data))).toBe(true);
      expect(shared[i].pts90k).toEqual(alone[i].pts90k);
      expect(same(shared[i].jpeg!, alone[i].jpeg!)).toBe(true);
    }
    expect(judgePicture(shared[0].frames, 4000).verdict).toBe('pass');
    expect(judgePicture(shared[1].frames, 4000).verdict).toBe('fail');
  }, 60_000);

  it('garbage among good cameras: it fails with ffmpeg\'s words, the others still decode whole', async () => {
    const b = new DecodeBatcher({ maxBatch: 3, maxWaitMs: 5000 });
    const [good, bad, good2] = await Promise.all([normal, garbage, black].map((frames) => b.decode({ frames, codec: 'h264' }, { timeoutMs: 30_000 })));
    // ffmpeg cannot open the garbage input, so that shared run yields nothing whole: all three are
    // decoded again alone (the cost of a broken camera; healthy runs decode nobody twice).
    expect(b.stats).toEqual({ runs: 1, jobs: 3, againAlone: 3 });
    expect(good.frames.length).toBe(3);
    expect(good2.frames.length).toBe(3);
    expect(bad.frames).toHaveLength(0);
    expect(bad.error).toBeTruthy();
    expect(judgePicture(bad.frames, 0).verdict).toBe('fail');
  }, 60_000);
});
