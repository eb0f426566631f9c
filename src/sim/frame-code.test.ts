import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFrameCode } from './frame-code.ts';
import { DEFAULT_CLIPS_DIR } from './clips.ts';
import { FFMPEG, run } from './test-util.ts';

function synth(width: number, height: number, value: number): Uint8Array {
  const g = new Uint8Array(width * height).fill(90);
  const b = width / 32;
  for (let i = 0; i < 16; i++) {
    const on = (value >> (15 - i)) & 1;
    for (let y = 0; y < b; y++) for (let x = i * b; x < (i + 1) * b; x++) g[y * width + x] = on ? 235 : 16;
  }
  return g;
}

async function decodeFrame(file: string, n: number, width: number, height: number): Promise<Uint8Array> {
  const r = await run(FFMPEG, ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${n})`, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.length).toBe(width * height);
  return new Uint8Array(r.stdout);
}

describe('readFrameCode', () => {
  it('decodes synthetic codes at 1280x720 and 640x360', () => {
    for (const v of [0, 1, 77, 249, 0xffff, 0x8001]) {
      expect(readFrameCode(synth(1280, 720, v), 1280, 720)).toBe(v);
      expect(readFrameCode(synth(640, 360, v), 640, 360)).toBe(v);
    }
  });

  it('returns -1 for a picture without a code or too small', () => {
    expect(readFrameCode(new Uint8Array(1280 * 720).fill(128), 1280, 720)).toBe(-1);
    expect(readFrameCode(new Uint8Array(10), 64, 2)).toBe(-1);
  });

  it('reads the frame number from frames of the clips decoded by ffmpeg', async () => {
    for (const n of [0, 1, 77, 137, 249]) {
      const g = await decodeFrame(path.join(DEFAULT_CLIPS_DIR, 'main.h264'), n, 1280, 720);
      expect(readFrameCode(g, 1280, 720)).toBe(n);
    }
    expect(readFrameCode(await decodeFrame(path.join(DEFAULT_CLIPS_DIR, 'sub.h264'), 201, 640, 360), 640, 360)).toBe(201);
    expect(readFrameCode(await decodeFrame(path.join(DEFAULT_CLIPS_DIR, 'main.h265'), 99, 1280, 720), 1280, 720)).toBe(99);
  });
});
