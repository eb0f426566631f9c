import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { groupH264AccessUnits } from '../h264/access-unit.ts';
import { splitAnnexB } from '../h264/annexb.ts';
import { H264Depacketizer } from '../rtp/depacketize/h264.ts';
import { ffprobe, generate, h264Args, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { packetizeVideo } from '../rtp/depacketize/test-packetize.ts';
import { runVideo, videoMedia } from '../rtp/depacketize/test-run.ts';
import { FragmentBuilder } from './fragment-builder.ts';
import { findBox, parseBoxes, playableEnd } from './parse-boxes.ts';

const tmp = makeTempDir('boxes');
afterAll(() => tmp.cleanup());

describe('parseBoxes', () => {
  it('reports truncation and the end of the last complete box', () => {
    const buf = Uint8Array.of(0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65, 0, 0, 0, 12, 0x6d, 0x64, 0x61, 0x74, 1, 2);
    const walk = parseBoxes(buf);
    expect(walk.boxes.map((b) => [b.type, b.offset, b.size])).toEqual([['free', 0, 8]]);
    expect(walk).toMatchObject({ completeEnd: 8, truncated: true });
  });

  it('handles 64-bit largesize and size 0 (to end of file), rejects undersized boxes', () => {
    const large = Uint8Array.of(0, 0, 0, 1, 0x6d, 0x64, 0x61, 0x74, 0, 0, 0, 0, 0, 0, 0, 17, 7);
    expect(parseBoxes(large).boxes[0]).toMatchObject({ type: 'mdat', size: 17, headerSize: 16 });
    const toEnd = Uint8Array.of(0, 0, 0, 0, 0x6d, 0x64, 0x61, 0x74, 1, 2, 3);
    expect(parseBoxes(toEnd).boxes[0]).toMatchObject({ size: 11 });
    expect(parseBoxes(Uint8Array.of(0, 0, 0, 4, 0x61, 0x61, 0x61, 0x61)).truncated).toBe(true);
  });

  it('R-FN-1: a recording cut mid-fragment is repaired by truncating to playableEnd', () => {
    const es = generate(`${tmp.dir}/v.h264`, h264Args({ width: 320, height: 240, fps: 25, seconds: 3, gop: 25 }));
    const frames = runVideo(new H264Depacketizer(videoMedia('H264')), packetizeVideo('h264', groupH264AccessUnits(splitAnnexB(es))));
    const b = new FragmentBuilder({ video: frames[0].newParams });
    const parts = [b.initSegment()];
    for (const f of frames) {
      const out = b.push(f);
      if (out) parts.push(out.bytes);
    }
    parts.push(b.flush()!.bytes);
    const whole = Buffer.concat(parts);
    expect(findBox(whole, ['moov', 'mvex', 'trex'])).toBeDefined();
    const cut = whole.subarray(0, whole.length - 1000); // crash while writing the last fragment
    const walk = parseBoxes(cut);
    expect(walk.truncated).toBe(true);
    // The third fragment's moof is complete but its mdat is cut.
    expect(walk.boxes.map((x) => x.type)).toEqual(['ftyp', 'moov', 'moof', 'mdat', 'moof', 'mdat', 'moof']);
    const end = playableEnd(walk);
    expect(end).toBe(walk.boxes[5].offset + walk.boxes[5].size);
    writeFileSync(`${tmp.dir}/repaired.mp4`, cut.subarray(0, end));
    expect(ffprobe(`${tmp.dir}/repaired.mp4`).streams[0].nb_read_frames).toBe('50');
  });
});
