// The bytes a recording is made of, pinned (issue 16): a change to how the muxer allocates and
// reuses memory (buffer pools shared between cameras, R-REC-4's fMP4 files) must write exactly the
// same files. The SHA-256 of the init segment and every fragment of the bundled 720p25 clip
// (assets/clips/main.h264, committed) with AAC audio was taken before the shared buffer pool.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clipFrame, loadMainClip } from '../../../test/helpers/clip-frames.ts';
import type { AudioFrame } from '../types.ts';
import { FragmentBuilder } from './fragment-builder.ts';

const clip = loadMainClip();
const AUDIO = { codec: 'aac' as const, sampleRate: 16000, channels: 1, aacConfig: Uint8Array.of(0x14, 0x08), rfc6381: 'mp4a.40.2' };

/** An AAC frame of deterministic bytes (content is opaque to the muxer), 1024 samples = 64 ms. */
function audioFrame(i: number, receivedAtMs: number): AudioFrame {
  const data = new Uint8Array(180 + (i % 7) * 13);
  for (let k = 0; k < data.length; k++) data[k] = (i * 31 + k * 7) & 0xff;
  return { kind: 'audio', pts: i * 1024, samples: 1024, data, receivedAtMs };
}

/**
 * Muxes `frames` video frames (and the audio of the same time) for `cameras` cameras at once,
 * interleaved as the recorder does, releasing every fragment after it is "written" (hashed) so
 * that later fragments are laid out in reused memory. Returns one digest per camera.
 */
function muxDigests(cameras: number, frames: number, fragmentDurationMs: number): string[] {
  const builders = Array.from({ length: cameras }, () => new FragmentBuilder({ video: clip.params, audio: AUDIO, fragmentDurationMs }));
  const hashes = builders.map((b) => createHash('sha256').update(b.initSegment()));
  const take = (c: number, built: ReturnType<FragmentBuilder['push']>) => {
    if (!built) return;
    hashes[c].update(built.bytes);
    hashes[c].update(JSON.stringify(built.meta));
    builders[c].release(built.bytes);
  };
  let audio = 0;
  for (let i = 0; i < frames; i++) {
    const atMs = 1_700_000_000_000 + i * 40;
    for (let c = 0; c < cameras; c++) {
      // Cameras out of phase (c frames apart), so their fragments differ in size at any moment.
      take(c, builders[c].push(clipFrame(clip, i + c * 7, 90_000, atMs, i === 0)));
    }
    // Audio up to this video time (16 kHz, 1024 samples per frame).
    while ((audio * 1024 * 1000) / 16000 <= i * 40) {
      for (let c = 0; c < cameras; c++) take(c, builders[c].push(audioFrame(audio + c, atMs)));
      audio++;
    }
  }
  builders.forEach((b, c) => take(c, b.flush()));
  return hashes.map((h) => h.digest('hex'));
}

describe('fMP4 fragments of the bundled clip are byte-identical to before (issue 16, R-REC-4)', () => {
  it('one camera, 500 ms fragments (the recorder default), 20 s of video + AAC', () => {
    expect(muxDigests(1, 500, 500)).toEqual([GOLDEN.one500]);
  });

  it('three cameras out of phase, reusing each other’s released memory, 1 s fragments', () => {
    expect(muxDigests(3, 400, 1000)).toEqual(GOLDEN.three1000);
  });
});

const GOLDEN = {
  one500: '296dfeb563c590a92dcf01ebb1d7ef0db4f9cc46088e9541425fe7aa0ef27e18',
  three1000: [
    '948eb4d7a90314b870914a129f1a49f26e616ec2ed7d67b2e42480c2ba07eed9',
    'af6c24c293e9af188ccf3ec69a8f70703f4f83021d9b6a20f265a9b2c2c7d2d1',
    'f9f1e89c952fcc9f22ecd029061e01921baf02341c658b75802a6b463b39aa3d',
  ],
};
