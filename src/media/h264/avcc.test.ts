// The avcC record must match what ffmpeg's own mp4 muxer writes for the same stream.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findBox } from '../fmp4/parse-boxes.ts';
import { ffmpeg, generate, h264Args, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { splitAnnexB } from './annexb.ts';
import { buildAvcDecoderConfigurationRecord } from './avcc.ts';

const tmp = makeTempDir('avcc');
afterAll(() => tmp.cleanup());

describe('buildAvcDecoderConfigurationRecord', () => {
  it('equals ffmpeg mp4 muxer avcC for a High profile stream', () => {
    const es = generate(`${tmp.dir}/a.h264`, h264Args({ width: 640, height: 360, fps: 25, seconds: 0.2, gop: 25 }));
    ffmpeg(['-i', `${tmp.dir}/a.h264`, '-c', 'copy', `${tmp.dir}/a.mp4`]);
    const mp4 = new Uint8Array(readFileSync(`${tmp.dir}/a.mp4`));
    const box = findBox(mp4, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd']);
    expect(box).toBeDefined();
    // stsd: fullbox header (4) + entry_count (4), then avc1 entry (8 + 78) then avcC box.
    const avc1Start = box!.offset + 16;
    const avcCStart = avc1Start + 8 + 78;
    const avcCSize = new DataView(mp4.buffer, mp4.byteOffset).getUint32(avcCStart);
    const expected = mp4.subarray(avcCStart + 8, avcCStart + avcCSize);
    const nalus = splitAnnexB(es);
    const sps = nalus.find((n) => (n[0] & 0x1f) === 7)!;
    const pps = nalus.find((n) => (n[0] & 0x1f) === 8)!;
    expect([...buildAvcDecoderConfigurationRecord([sps], [pps])]).toEqual([...expected]);
  });
});
