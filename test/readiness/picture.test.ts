// Picture probes on pictures made and decoded by the real ffmpeg (R-PRE-3: image not dark,
// blurred or blocked; the scene still matches the signed reference; R-CITY-4 profile facts).
// Each fault is a stream ffmpeg encodes from a lavfi source; the probe code decodes it exactly as
// it decodes a camera's capture.
import { describe, expect, it } from 'vitest';
import type { VideoFrame } from '../../src/media/types.ts';
import { streamFacts } from '../../src/readiness/capture.ts';
import { decodeKeyframes } from '../../src/readiness/decode.ts';
import { judgeMoved, judgePicture, thumbnail } from '../../src/readiness/picture-verdict.ts';
import { DEFAULT_PROFILE, judgeProfile } from '../../src/readiness/profile.ts';
import { encode } from './helpers/encode.ts';

async function judge(source: string) {
  const frames = encode(source);
  const d = await decodeKeyframes(frames, 'h264', { timeoutMs: 30_000 });
  const spanMs = d.pts90k.length >= 2 ? (d.pts90k[d.pts90k.length - 1] - d.pts90k[0]) / 90 : 0;
  return { d, j: judgePicture(d.frames, spanMs), frames };
}

describe('picture probes on ffmpeg-decoded pictures (R-PRE-3)', () => {
  it('a normal scene passes, with its keyframes decoded and a JPEG for people', async () => {
    const { d, j } = await judge('testsrc2');
    expect(d.frames.length).toBe(3);
    expect(d.jpeg?.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(j.verdict, j.reason ?? '').toBe('pass');
  }, 60_000);

  it('a black picture fails as too dark and covered, with the reason', async () => {
    const { j } = await judge('color=c=black');
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('过暗');
  }, 60_000);

  it('an overexposed picture fails', async () => {
    const { j } = await judge('color=c=white');
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('过曝');
  }, 60_000);

  it('a covered lens (flat grey) fails as uniform/covered', async () => {
    const { j } = await judge('color=c=0x808080');
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('遮挡');
  }, 60_000);

  it('an out-of-focus picture fails as blurred', async () => {
    const { j } = await judge('testsrc2,boxblur=12:2');
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('模糊');
  }, 60_000);

  it('a frozen picture (identical for seconds) fails', async () => {
    // One testsrc2 picture repeated: a stuck encoder.
    const { j } = await judge('testsrc2,trim=end_frame=1,loop=loop=-1:size=1');
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('冻结');
  }, 60_000);

  it('garbage that decodes to nothing is a fail with the reason, never a pass', async () => {
    const garbage: VideoFrame[] = [0, 1, 2].map((i) => ({ kind: 'video', pts90k: i * 3600, keyframe: i === 0, nalus: [Uint8Array.from({ length: 3000 }, (_, k) => (k * 131 + i) & 0xff)], receivedAtMs: 0 }));
    const d = await decodeKeyframes(garbage, 'h264', { timeoutMs: 30_000 });
    expect(d.frames).toHaveLength(0);
    expect(d.error).toBeTruthy();
    const j = judgePicture(d.frames, 0);
    expect(j.verdict).toBe('fail');
  }, 60_000);

  it('moved: same scene passes against its reference; another scene fails; a changed camera asks for re-sign', async () => {
    const ref = (await judge('testsrc2')).d.frames[0];
    const same = (await judge('testsrc2')).d.frames[1];
    const other = (await judge('mandelbrot')).d.frames[0];
    const reference = { thumb: thumbnail(ref), stale: false };
    expect(judgeMoved(same, reference).verdict).toBe('pass');
    const moved = judgeMoved(other, reference);
    expect(moved.verdict).toBe('fail');
    expect(moved.reason).toContain('移动');
    expect(judgeMoved(same, { ...reference, stale: true }).reason).toContain('重新签字');
    expect(judgeMoved(same, undefined).verdict).toBe('warn');
  }, 60_000);
});

describe('standard profile from the captured stream (R-CITY-4)', () => {
  it('measures codec, size, fps, bitrate and GOP and judges each item', async () => {
    const frames = encode('testsrc2', 2.04);
    const facts = streamFacts({ video: frames.slice(0, 51), keyframes: 3, audioFrames: 0, audio: [], clockOffsetsMs: [], skippedBeforeKeyframe: 0 });
    expect(facts).toMatchObject({ codec: 'h264', width: 1280, height: 720, gopFrames: 25 });
    expect(facts.fps).toBeCloseTo(25, 5);
    const ok = judgeProfile(DEFAULT_PROFILE, facts, 'affairs');
    expect(ok.verdict, ok.reason ?? '').toBe(facts.bitrateKbps! >= 512 ? 'pass' : 'fail');
    // An exam room needs sound; a low-resolution replacement camera fails on resolution.
    expect(judgeProfile(DEFAULT_PROFILE, facts, 'exam').reason).toContain('音频');
    const small = streamFacts({ video: encode('testsrc2', 2.04, '640x360').slice(0, 51), keyframes: 3, audioFrames: 10, audio: [], clockOffsetsMs: [], skippedBeforeKeyframe: 0 });
    const j = judgeProfile(DEFAULT_PROFILE, small, 'exam');
    expect(j.verdict).toBe('fail');
    expect(j.reason).toContain('分辨率 640×360');
  }, 60_000);
});
