// The `config` probe (R-CITY-4): what the camera says it sends (ONVIF GetProfiles) against what its
// stream delivered. A camera recorded from its sub stream, or sending far above its bitrate limit,
// is told apart from one that sends what it is configured to.
import { describe, expect, it } from 'vitest';
import { judgeConfig } from '../../src/readiness/config-verdict.ts';
import { CLIP_PROFILES } from '../../src/sim/onvif.ts';
import type { StreamFacts } from '../../src/readiness/profile.ts';

const main: StreamFacts = { codec: 'h264', width: 1280, height: 720, fps: 25, bitrateKbps: 1950, gopFrames: 50, audio: true };

describe('configured vs delivered stream (R-CITY-4)', () => {
  it('the stream the camera is configured to send as its main stream passes, with both in the value', () => {
    const j = judgeConfig(CLIP_PROFILES, main);
    expect(j).toMatchObject({ verdict: 'pass', reason: null });
    expect(j.value).toBe('配置 H264 1280×720 25 fps ≤2000 kbit/s GOP 50；实测 H264 1280×720 25.0 fps 1950 kbit/s GOP 50');
  });
  it('the sub stream recorded instead of the main stream is a warn naming both', () => {
    const j = judgeConfig(CLIP_PROFILES, { ...main, width: 640, height: 360, bitrateKbps: 500 });
    expect(j.verdict).toBe('warn');
    expect(j.reason).toContain('第 2 码流「subStream」而非主码流「mainStream」1280×720');
  });
  it('a camera configured unlike what it sends: resolution, codec, frame rate, bitrate above the limit, GOP', () => {
    const j = judgeConfig([{ name: 'main', encoding: 'H265', width: 1920, height: 1080, fps: 25, bitrateKbps: 1000, govLength: 25 }], main);
    expect(j.verdict).toBe('warn');
    expect(j.reason).toContain('与摄像机的各码流配置均不符（主码流 1920×1080）');
    expect(j.reason).toContain('编码 H264 与配置 H265 不符');
    expect(j.reason).toContain('码率 1950 kbit/s 超过配置上限 1000');
    expect(j.reason).toContain('GOP 50 帧与配置 25 不符');
    expect(judgeConfig([{ ...CLIP_PROFILES[0], fps: 30 }], { ...main, fps: 12.5 }).reason).toContain('帧率 12.5 与配置 30 相差超过 10%');
  });
  it('no video profile is a warn, never a pass', () => {
    expect(judgeConfig([], main)).toMatchObject({ verdict: 'warn', reason: expect.stringContaining('GetProfiles') as string });
  });
});
