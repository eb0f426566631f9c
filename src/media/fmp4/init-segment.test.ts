import { describe, expect, it } from 'vitest';
import type { VideoParams } from '../types.ts';
import { buildInitSegment } from './init-segment.ts';
import { findBox, parseBoxes, parseChildren } from './parse-boxes.ts';

const video: VideoParams = {
  codec: 'h264', width: 320, height: 240, rfc6381: 'avc1.42c00d',
  sps: Uint8Array.from(Buffer.from('Z0LADdkBQfsBEAAAAwAQAAADAyDxQqSA', 'base64')),
  pps: Uint8Array.from(Buffer.from('aMuDyyA=', 'base64')),
};

describe('buildInitSegment', () => {
  it('writes ftyp + moov with one trak per track and trex for each', () => {
    const init = buildInitSegment({ video, audio: { codec: 'pcmu', sampleRate: 8000, channels: 1 } });
    expect(parseBoxes(init).boxes.map((b) => b.type)).toEqual(['ftyp', 'moov']);
    const moov = findBox(init, ['moov'])!;
    expect(parseChildren(init, moov).map((b) => b.type)).toEqual(['mvhd', 'trak', 'trak', 'mvex']);
    expect(parseChildren(init, findBox(init, ['moov', 'mvex'])!).map((b) => b.type)).toEqual(['trex', 'trex']);
    const stsd = findBox(init, ['moov', 'trak', 'mdia', 'minf', 'stbl', 'stsd'])!;
    const entry = String.fromCharCode(...init.subarray(stsd.offset + 20, stsd.offset + 24));
    expect(entry).toBe('avc1');
    // second trak's sample entry is ulaw
    const trak2 = parseChildren(init, moov)[2];
    expect(new TextDecoder().decode(init.subarray(trak2.offset, trak2.offset + trak2.size))).toContain('ulaw');
  });

  it('uses the requested video timescale in mdhd', () => {
    const init = buildInitSegment({ video, timescaleVideo: 1000 });
    const mdhd = findBox(init, ['moov', 'trak', 'mdia', 'mdhd'])!;
    expect(new DataView(init.buffer).getUint32(mdhd.offset + 20)).toBe(1000);
  });

  it('refuses an empty track list', () => {
    expect(() => buildInitSegment({})).toThrow(/video or an audio/);
  });
});
