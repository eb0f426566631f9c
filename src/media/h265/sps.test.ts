// H.265 SPS, codec string and hvcC against real x265 output.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBox } from '../fmp4/parse-boxes.ts';
import { splitAnnexB } from '../h264/annexb.ts';
import { BitstreamError } from '../h264/bit-reader.ts';
import { ffmpeg, generate, h265Args, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { groupH265AccessUnits } from './access-unit.ts';
import { h265CodecString } from './codec-string.ts';
import { buildHevcDecoderConfigurationRecord } from './hvcc.ts';
import { H265Nal, h265NalType } from './nal.ts';
import { h265VideoParams } from './params.ts';
import { parseH265Sps } from './sps.ts';

const tmp = makeTempDir('h265sps');
afterAll(() => tmp.cleanup());

let nalus: Uint8Array[];
const find = (type: number): Uint8Array => nalus.find((n) => h265NalType(n) === type)!;
beforeAll(() => {
  nalus = splitAnnexB(generate(`${tmp.dir}/a.h265`, h265Args({ width: 1280, height: 720, fps: 25, seconds: 1, gop: 25 })));
});

describe('H.265 parameter sets from x265', () => {
  it('parses 1280x720 @ 25 fps, Main profile, level 3.1', () => {
    const s = parseH265Sps(find(H265Nal.sps));
    expect(s).toMatchObject({ width: 1280, height: 720, fps: 25, chromaFormatIdc: 1, bitDepthLuma: 8 });
    expect(s.ptl).toMatchObject({ profileIdc: 1, levelIdc: 93, tierFlag: 0 });
    expect(h265CodecString(s.ptl)).toMatch(/^hvc1\.1\.6\.L93(\.[0-9A-F]{1,2})*$/);
  });

  it('applies the conformance window (642x362 is coded in 8x8 units)', () => {
    const odd = splitAnnexB(generate(`${tmp.dir}/b.h265`, h265Args({ width: 642, height: 362, fps: 30, seconds: 0.2, gop: 30 })));
    const s = parseH265Sps(odd.find((n) => h265NalType(n) === H265Nal.sps)!);
    expect([s.width, s.height, s.fps]).toEqual([642, 362, 30]);
  });

  it('groups one access unit per frame, VPS/SPS/PPS with the IRAP', () => {
    const units = groupH265AccessUnits(nalus);
    expect(units).toHaveLength(25);
    expect(units[0].slice(0, 3).map(h265NalType)).toEqual([32, 33, 34]);
  });

  it('hvcC header fields and arrays match ffmpeg mp4 muxer output', () => {
    ffmpeg(['-i', `${tmp.dir}/a.h265`, '-c', 'copy', '-tag:v', 'hvc1', `${tmp.dir}/a.mp4`]);
    const mp4 = new Uint8Array(readFileSync(`${tmp.dir}/a.mp4`));
    const stsd = findBox(mp4, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd'])!;
    const hvcCStart = stsd.offset + 16 + 8 + 78;
    expect(String.fromCharCode(...mp4.subarray(hvcCStart + 4, hvcCStart + 8))).toBe('hvcC');
    const theirs = mp4.subarray(hvcCStart + 8, hvcCStart + 8 + 23);
    const ours = buildHevcDecoderConfigurationRecord([find(32)], [find(33)], [find(34)]);
    // Bytes 13-14 (min_spatial_segmentation) and 15 (parallelismType) are derived from VUI/PPS by ffmpeg.
    const mask = (b: Uint8Array): number[] => [...b.subarray(0, 23)].map((x, i) => (i >= 13 && i <= 15 ? 0 : x));
    expect(mask(ours)).toEqual(mask(theirs));
    const p = h265VideoParams(find(32), find(33), find(34));
    expect(p).toMatchObject({ codec: 'h265', width: 1280, height: 720, profileName: 'Main' });
  });

  it('throws only BitstreamError on truncated SPS', () => {
    const sps = find(H265Nal.sps);
    for (let len = 0; len < sps.length - 1; len++) {
      try {
        parseH265Sps(sps.subarray(0, len));
      } catch (err) {
        expect(err).toBeInstanceOf(BitstreamError);
      }
    }
  });
});

describe('h265CodecString', () => {
  it('reverses compatibility flags and trims zero constraint bytes', () => {
    const ptl = {
      profileSpace: 0, tierFlag: 1, profileIdc: 2, compatibilityFlags: 0x20000000, levelIdc: 120,
      constraintBytes: Uint8Array.of(0xb0, 0, 0, 0, 0, 0),
    };
    expect(h265CodecString(ptl)).toBe('hvc1.2.4.H120.B0');
    expect(h265CodecString({ ...ptl, profileSpace: 1, constraintBytes: new Uint8Array(6) })).toBe('hvc1.A2.4.H120');
  });
});
