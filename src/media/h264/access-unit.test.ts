import { afterAll, describe, expect, it } from 'vitest';
import { generate, h264Args, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { groupH264AccessUnits } from './access-unit.ts';
import { splitAnnexB } from './annexb.ts';
import { h264VideoParams } from './params.ts';

const tmp = makeTempDir('h264au');
afterAll(() => tmp.cleanup());

describe('groupH264AccessUnits', () => {
  it('finds one access unit per encoded frame, SPS/PPS/SEI grouped with the IDR', () => {
    const es = generate(`${tmp.dir}/a.h264`, h264Args({
      width: 320, height: 240, fps: 25, seconds: 2, gop: 25, extra: ['-x264-params', 'slices=4'],
    }));
    const units = groupH264AccessUnits(splitAnnexB(es));
    expect(units).toHaveLength(50);
    expect(units[0].map((n) => n[0] & 0x1f)).toEqual([7, 8, 6, 5, 5, 5, 5]);
    expect(units[25].some((n) => (n[0] & 0x1f) === 5)).toBe(true);
    expect(units[1].every((n) => (n[0] & 0x1f) === 1)).toBe(true);
  });

  it('builds VideoParams with codec string and profile name', () => {
    const es = generate(`${tmp.dir}/b.h264`, h264Args({ width: 320, height: 240, fps: 10, seconds: 0.1, gop: 10, extra: ['-profile:v', 'main'] }));
    const nalus = splitAnnexB(es);
    const p = h264VideoParams(nalus[0], nalus[1]);
    expect(p).toMatchObject({ codec: 'h264', width: 320, height: 240, fps: 10, profileName: 'Main' });
    expect(p.rfc6381).toMatch(/^avc1\.4d[0-9a-f]{2}[0-9a-f]{2}$/);
  });
});
