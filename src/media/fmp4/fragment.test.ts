import { describe, expect, it } from 'vitest';
import { buildFragment } from './fragment.ts';
import { parseBoxes, parseChildren } from './parse-boxes.ts';

function u32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset).getUint32(o);
}

describe('buildFragment', () => {
  const video = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
  const audio = Uint8Array.of(9, 9, 9);
  const frag = buildFragment({
    sequenceNumber: 7,
    tracks: [
      {
        trackId: 1,
        baseMediaDecodeTime: 2 ** 33, // needs tfdt version 1
        samples: [
          { durationTicks: 3600, sizeBytes: 4, keyframe: true },
          { durationTicks: 3600, sizeBytes: 3, keyframe: false },
        ],
        data: [video.subarray(0, 4), video.subarray(4)],
      },
      { trackId: 2, baseMediaDecodeTime: 0, samples: [{ durationTicks: 1024, sizeBytes: 3, keyframe: true }], data: [audio] },
    ],
  });

  it('writes moof + mdat with correct sizes', () => {
    const walk = parseBoxes(frag);
    expect(walk.truncated).toBe(false);
    expect(walk.boxes.map((b) => b.type)).toEqual(['moof', 'mdat']);
    const moof = walk.boxes[0];
    expect(parseChildren(frag, moof).map((b) => b.type)).toEqual(['mfhd', 'traf', 'traf']);
    expect(u32(frag, moof.offset + 20)).toBe(7); // mfhd sequence_number
  });

  it('points each trun data_offset (from moof start) at that track\'s bytes', () => {
    const moof = parseBoxes(frag).boxes[0];
    const trafs = parseChildren(frag, moof).filter((b) => b.type === 'traf');
    const expected = [video, audio];
    trafs.forEach((traf, i) => {
      const kids = parseChildren(frag, traf);
      expect(kids.map((b) => b.type)).toEqual(['tfhd', 'tfdt', 'trun']);
      const trun = kids[2];
      const count = u32(frag, trun.offset + 12);
      const dataOffset = u32(frag, trun.offset + 16);
      const firstSize = u32(frag, trun.offset + 24);
      expect([...frag.subarray(moof.offset + dataOffset, moof.offset + dataOffset + expected[i].length)]).toEqual([...expected[i]]);
      expect(count).toBe(i === 0 ? 2 : 1);
      expect(firstSize).toBe(i === 0 ? 4 : 3);
    });
    const tfdt = parseChildren(frag, trafs[0])[1];
    expect(frag[tfdt.offset + 8]).toBe(1); // version 1
    expect(new DataView(frag.buffer).getBigUint64(tfdt.offset + 12)).toBe(2n ** 33n);
  });

  it('flags non-keyframes as non-sync samples', () => {
    const traf = parseChildren(frag, parseBoxes(frag).boxes[0])[1];
    const trun = parseChildren(frag, traf)[2];
    expect(u32(frag, trun.offset + 28)).toBe(0x02000000);
    expect(u32(frag, trun.offset + 40)).toBe(0x01010000);
  });

  it('writes signed composition offsets with trun version 1 and rejects size mismatches', () => {
    const f = buildFragment({
      sequenceNumber: 1,
      tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: [{ durationTicks: 1, sizeBytes: 1, keyframe: true, compositionOffset: -3600 }], data: [Uint8Array.of(1)] }],
    });
    const trun = parseChildren(f, parseChildren(f, parseBoxes(f).boxes[0])[1])[2];
    expect(f[trun.offset + 8]).toBe(1);
    expect(new DataView(f.buffer).getInt32(trun.offset + 32)).toBe(-3600);
    expect(() =>
      buildFragment({ sequenceNumber: 1, tracks: [{ trackId: 1, baseMediaDecodeTime: 0, samples: [{ durationTicks: 1, sizeBytes: 2, keyframe: true }], data: [Uint8Array.of(1)] }] }),
    ).toThrow(/sample sizes/);
  });
});
