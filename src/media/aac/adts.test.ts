import { afterAll, describe, expect, it } from 'vitest';
import { aacAdtsArgs, ffprobe, generate, makeTempDir } from '../rtp/depacketize/test-ffmpeg.ts';
import { adtsToAudioSpecificConfig, parseAdtsHeader, splitAdts } from './adts.ts';
import { parseAacAudioSpecificConfig } from './audio-specific-config.ts';

const tmp = makeTempDir('adts');
afterAll(() => tmp.cleanup());

describe('ADTS', () => {
  it('splits an ffmpeg ADTS file into exactly the frames ffprobe counts', () => {
    const path = `${tmp.dir}/a.aac`;
    const buf = generate(path, aacAdtsArgs({ sampleRate: 48000, channels: 2, seconds: 1 }));
    const frames = splitAdts(buf);
    const probe = ffprobe(path).streams[0];
    expect(frames.length).toBe(Number(probe.nb_read_frames));
    expect(frames[0].header).toMatchObject({ objectType: 2, sampleRate: 48000, channels: 2, headerLength: 7, rawDataBlocks: 1 });
    expect(frames.reduce((s, f) => s + f.header.frameLength, 0)).toBe(buf.length);
    expect(parseAacAudioSpecificConfig(adtsToAudioSpecificConfig(frames[0].header))).toMatchObject({ sampleRate: 48000, channels: 2 });
  });

  it('resynchronises after garbage and ignores a truncated tail', () => {
    const frame = Uint8Array.of(0xff, 0xf1, 0x60, 0x40, 0x01, 0x3f, 0xfc, 0xaa, 0xbb); // 9-byte frame, 2 payload bytes
    expect(parseAdtsHeader(frame)).toMatchObject({ frameLength: 9, sampleRate: 16000, channels: 1 });
    const stream = Uint8Array.from([1, 2, 3, ...frame, ...frame, ...frame.subarray(0, 5)]);
    const frames = splitAdts(stream);
    expect(frames.map((f) => [...f.payload])).toEqual([[0xaa, 0xbb], [0xaa, 0xbb]]);
    expect(parseAdtsHeader(Uint8Array.of(0xff, 0xf1, 0x60))).toBeUndefined();
  });
});
