// SPS parsing against real x264 output generated with ffmpeg.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, h264Args, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { splitAnnexB } from './annexb.ts';
import { BitstreamError } from './bit-reader.ts';
import { h264CodecString } from './codec-string.ts';
import { H264Nal } from './nal.ts';
import { parseH264Sps } from './sps.ts';

const tmp = makeTempDir('h264sps');

/** Test-only MSB-first bit writer with exp-Golomb, to hand-build parameter sets. */
class BitWriter {
  private readonly out: number[] = [];
  bits(value: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.out.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }
  ue(v: number): this {
    const len = Math.floor(Math.log2(v + 1));
    return this.bits(0, len).bits(v + 1, len + 1);
  }
  se(v: number): this {
    return this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }
  bytes(): Uint8Array {
    const b = new Uint8Array(Math.ceil(this.out.length / 8));
    this.out.forEach((bit, i) => (b[i >> 3] |= bit << (7 - (i & 7))));
    return b;
  }
}
afterAll(() => tmp.cleanup());

function spsOf(name: string, args: string[]): Uint8Array {
  const nalus = splitAnnexB(generate(`${tmp.dir}/${name}.h264`, args));
  const sps = nalus.find((n) => (n[0] & 0x1f) === H264Nal.sps);
  if (!sps) throw new Error('no SPS');
  return sps;
}

describe('parseH264Sps on ffmpeg/x264 streams', () => {
  let hd: Uint8Array;
  beforeAll(() => {
    hd = spsOf('hd', h264Args({ width: 1280, height: 720, fps: 25, seconds: 0.2, gop: 50 }));
  });

  it('reads 1280x720 at 25 fps, High profile', () => {
    const s = parseH264Sps(hd);
    expect(s).toMatchObject({ width: 1280, height: 720, fps: 25, profileIdc: 100, chromaFormatIdc: 1, bitDepthLuma: 8 });
    expect(h264CodecString(hd)).toMatch(/^avc1\.6400[0-9a-f]{2}$/);
    expect(h264CodecString(hd).slice(-2)).toBe(s.levelIdc.toString(16).padStart(2, '0'));
  });

  it('applies frame cropping (1920x1080 is coded as 1088 lines)', () => {
    const s = parseH264Sps(spsOf('fhd', h264Args({ width: 1920, height: 1080, fps: 25, seconds: 0.1, gop: 25 })));
    expect([s.width, s.height]).toEqual([1920, 1080]);
  });

  it('reads Constrained Baseline at 30000/1001 fps', () => {
    const s = parseH264Sps(
      spsOf('base', h264Args({ width: 640, height: 480, fps: 30000 / 1001, seconds: 0.1, gop: 30, extra: ['-profile:v', 'baseline'] })),
    );
    expect(s).toMatchObject({ profileIdc: 66, width: 640, height: 480, fps: 29.97 });
  });

  it('reads High 4:4:4 with odd cropping', () => {
    const s = parseH264Sps(
      spsOf('444', h264Args({
        width: 322, height: 242, fps: 15, seconds: 0.1, gop: 15,
        extra: ['-pix_fmt', 'yuv444p'],
      })),
    );
    expect(s).toMatchObject({ profileIdc: 244, chromaFormatIdc: 3, width: 322, height: 242, fps: 15 });
  });

  it('reads High 4:2:2', () => {
    const s = parseH264Sps(
      spsOf('422', h264Args({
        width: 352, height: 288, fps: 25, seconds: 0.1, gop: 25,
        extra: ['-pix_fmt', 'yuv422p'],
      })),
    );
    expect(s).toMatchObject({ profileIdc: 122, chromaFormatIdc: 2, width: 352, height: 288, fps: 25 });
  });

  it('walks SPS scaling lists (x264 puts custom matrices in the PPS, so this SPS is hand-built)', () => {
    const w = new BitWriter();
    w.bits(0x67, 8).bits(100, 8).bits(0, 8).bits(31, 8).ue(0); // header, High, level 3.1, sps id
    w.ue(1).ue(0).ue(0).bits(0, 1); // chroma 4:2:0, 8-bit, no bypass
    w.bits(1, 1); // seq_scaling_matrix_present_flag
    for (let i = 0; i < 8; i++) {
      const present = i === 0 || i === 3 || i === 6;
      w.bits(present ? 1 : 0, 1);
      if (!present) continue;
      const size = i < 6 ? 16 : 64;
      // i == 3 ends early: a delta bringing nextScale to 0 means "use default" and stops reading.
      const deltas = i === 3 ? [-8] : Array.from({ length: size }, (_, j) => (j % 2 ? 3 : -2));
      for (const d of deltas) w.se(d);
    }
    w.ue(0).ue(0).ue(0).ue(1).bits(0, 1); // frame_num, poc type 0, poc lsb, refs, gaps
    w.ue(79).ue(44).bits(1, 1).bits(1, 1).bits(0, 1); // 80x45 MBs, frame_mbs_only, direct8x8, no crop
    w.bits(1, 1).bits(0, 4).bits(1, 1).bits(1, 32).bits(50, 32).bits(1, 1); // VUI timing 50/2
    w.bits(0, 5).bits(1, 1); // nal_hrd, vcl_hrd, pic_struct, bitstream_restriction + stop bit
    expect(parseH264Sps(w.bytes())).toMatchObject({ width: 1280, height: 720, fps: 25, profileIdc: 100 });
  });

  it('throws only BitstreamError on truncated or wrong NALs', () => {
    for (let len = 0; len < hd.length - 1; len++) {
      try {
        parseH264Sps(hd.subarray(0, len));
      } catch (err) {
        expect(err).toBeInstanceOf(BitstreamError);
      }
    }
    expect(() => parseH264Sps(Uint8Array.of(0x68, 1, 2, 3))).toThrow(BitstreamError);
  });
});
