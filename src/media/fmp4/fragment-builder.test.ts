// FragmentBuilder cut policy and metadata, with synthetic frames (no decoder needed).
import { describe, expect, it } from 'vitest';
import type { AudioFrame, VideoFrame, VideoParams } from '../types.ts';
import type { FragmentMeta } from './fragment-builder.ts';
import { FragmentBuilder } from './fragment-builder.ts';
import { FragmentBufferPool } from './buffer-pool.ts';
import { parseBoxes, parseChildren } from './parse-boxes.ts';

// Real 320x240 Baseline SPS/PPS (from x264) so the init segment can be built.
const params: VideoParams = {
  codec: 'h264', width: 320, height: 240, fps: 25, rfc6381: 'avc1.42c00d',
  sps: Uint8Array.from(Buffer.from('Z0LADdkBQfsBEAAAAwAQAAADAyDxQqSA', 'base64')),
  pps: Uint8Array.from(Buffer.from('aMuDyyA=', 'base64')),
};

function vf(i: number, keyframe: boolean, pts0 = 1000): VideoFrame {
  const idr = Uint8Array.of(keyframe ? 0x65 : 0x41, i & 0xff, 0x80);
  return { kind: 'video', pts90k: pts0 + i * 3600, keyframe, nalus: [Uint8Array.of(0x09, 0xf0), idr], receivedAtMs: 1e12 + i * 40 };
}

describe('FragmentBuilder', () => {
  it('waits for a keyframe, cuts about every fragmentDurationMs, prefers keyframes', () => {
    const cut = (gop: number, count: number): { metas: FragmentMeta[]; dropped: number } => {
      const b = new FragmentBuilder({ video: params, fragmentDurationMs: 1000 });
      const metas: FragmentMeta[] = [];
      // 2 leading P-frames (dropped: a file starts on a keyframe), then `count` frames.
      const frames = [vf(0, false), vf(1, false), ...Array.from({ length: count }, (_, i) => vf(i + 2, i % gop === 0))];
      for (const f of frames) {
        const out = b.push(f);
        if (out) metas.push(out.meta);
      }
      metas.push(b.flush()!.meta);
      return { metas, dropped: b.droppedFrames };
    };
    // GOP 0.8 s: a keyframe past half the target cuts early, so every fragment starts on one.
    const short = cut(20, 90);
    expect(short.dropped).toBe(2);
    expect(short.metas.map((m) => m.frameCount)).toEqual([20, 20, 20, 20, 10]);
    expect(short.metas.every((m) => m.keyframeOffsets[0] === 0)).toBe(true);
    // GOP 2.4 s: cut at 1 s regardless; later fragments may start on P-frames.
    const long = cut(60, 90);
    expect(long.metas.map((m) => m.frameCount)).toEqual([25, 25, 25, 15]);
    expect(long.metas.map((m) => m.keyframeOffsets)).toEqual([[0], [], [10 * 3600], []]);
    const m = long.metas;
    expect(m[0]).toMatchObject({ sequenceNumber: 1, startPts90k: 1000 + 2 * 3600, fileOffset90k: 0, durationTicks90k: 90000 });
    expect(m[1]).toMatchObject({ sequenceNumber: 2, fileOffset90k: 90000 });
    expect(m.at(-1)!.durationTicks90k).toBe(15 * 3600); // last frame reuses the previous duration
  });

  it('reuses a released fragment buffer and writes the same bytes as with fresh memory (issue 16)', () => {
    // Frames of varying sizes (an IDR every 50 frames is 20× a P-frame), as a camera sends them.
    const frame = (i: number): VideoFrame => {
      const key = i % 50 === 0;
      const nal = new Uint8Array(key ? 4000 : 200).fill(i & 0xff);
      nal[0] = key ? 0x65 : 0x41;
      return { kind: 'video', pts90k: i * 3600, keyframe: key, nalus: [nal], receivedAtMs: 1e12 + i * 40 };
    };
    // Own pools: `fresh` keeps no spare (new memory for every fragment); `reusing` keeps two.
    const fresh = new FragmentBuilder({ video: params, fragmentDurationMs: 1000, bufferPool: new FragmentBufferPool(0) });
    const reusing = new FragmentBuilder({ video: params, fragmentDurationMs: 1000, bufferPool: new FragmentBufferPool(2) });
    const buffers = new Set<ArrayBufferLike>();
    let fragments = 0;
    for (let i = 0; i < 400; i++) {
      const a = fresh.push(frame(i));
      const b = reusing.push(frame(i));
      expect(b === undefined).toBe(a === undefined);
      if (!a || !b) continue;
      fragments++;
      expect(b.meta).toEqual(a.meta);
      expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
      buffers.add(b.bytes.buffer);
      reusing.release(b.bytes); // written: the next fragment may use this memory
      reusing.release(b.bytes); // a second release of the same bytes is ignored
    }
    expect(fragments).toBeGreaterThan(10);
    expect(buffers.size).toBeLessThanOrEqual(3); // 16 fragments laid out in at most 3 buffers
    // Bytes of a fragment not released are never overwritten by later ones.
    const kept = reusing.push(frame(400)) ?? reusing.flush()!;
    const copy = Uint8Array.from(kept.bytes);
    for (let i = 401; i < 500; i++) {
      const b = reusing.push(frame(i));
      if (b) reusing.release(b.bytes);
    }
    expect(Buffer.from(kept.bytes).equals(Buffer.from(copy))).toBe(true);
  });

  it('cameras share one bounded pool: a buffer one releases is reused by another (issue 16)', () => {
    const frame = (i: number): VideoFrame => {
      const key = i % 25 === 0;
      const nal = new Uint8Array(key ? 3000 : 300).fill(i & 0xff);
      nal[0] = key ? 0x65 : 0x41;
      return { kind: 'video', pts90k: i * 3600, keyframe: key, nalus: [nal], receivedAtMs: 1e12 + i * 40 };
    };
    const pool = new FragmentBufferPool(3);
    const cams = Array.from({ length: 10 }, () => new FragmentBuilder({ video: params, fragmentDurationMs: 500, bufferPool: pool }));
    const used = new Map<ArrayBufferLike, Set<number>>();
    for (let i = 0; i < 300; i++) {
      cams.forEach((b, c) => {
        const f = b.push(frame(i + c));
        if (!f) return;
        used.set(f.bytes.buffer, (used.get(f.bytes.buffer) ?? new Set()).add(c));
        b.release(f.bytes);
      });
    }
    // ~120 fragments of 10 cameras laid out in a few buffers, each used by several cameras.
    expect(used.size).toBeLessThanOrEqual(4);
    expect(Math.max(...[...used.values()].map((s) => s.size))).toBeGreaterThan(1);
    expect(pool.spares).toBeLessThanOrEqual(3);
  });

  it('drops AUD/SPS/PPS from samples but keeps SEI; byteLength matches', () => {
    const b = new FragmentBuilder({ video: params });
    const f0 = { ...vf(0, true), nalus: [Uint8Array.of(0x09, 0xf0), params.sps, params.pps, Uint8Array.of(0x06, 5, 1, 0, 0x80), Uint8Array.of(0x65, 1)] };
    b.push(f0);
    const out = b.flush()!;
    expect(out.meta.byteLength).toBe(out.bytes.length);
    const mdat = parseBoxes(out.bytes).boxes[1];
    expect([...out.bytes.subarray(mdat.offset + 8)]).toEqual([0, 0, 0, 5, 0x06, 5, 1, 0, 0x80, 0, 0, 0, 2, 0x65, 1]);
  });

  it('stretches audio across lost packets and puts audio in the fragment open on arrival', () => {
    const b = new FragmentBuilder({ video: params, audio: { codec: 'pcma', sampleRate: 8000, channels: 1 } });
    const af = (pts: number, at: number): AudioFrame => ({ kind: 'audio', pts, samples: 160, data: new Uint8Array(160), receivedAtMs: at });
    expect(b.push(af(0, 1e12 - 10))).toBeUndefined(); // before video started: dropped
    b.push(vf(0, true, 0));
    b.push(af(160, 1e12 + 20));
    b.push(af(320, 1e12 + 40));
    b.push(af(800, 1e12 + 100)); // two packets lost before this one
    const out = b.flush()!;
    expect(out.meta).toMatchObject({ frameCount: 1, audioFrameCount: 3 });
    const moof = parseBoxes(out.bytes).boxes[0];
    const audioTraf = parseChildren(out.bytes, moof)[2];
    const [, tfdt, trun] = parseChildren(out.bytes, audioTraf);
    const dv = new DataView(out.bytes.buffer);
    expect(Number(dv.getBigUint64(tfdt.offset + 12))).toBe(160); // 20 ms after video start at 8 kHz
    expect([0, 1, 2].map((i) => dv.getUint32(trun.offset + 20 + i * 12))).toEqual([160, 480, 160]);
    expect(b.droppedFrames).toBe(1);
  });

  it('supports audio-only files, cutting by audio duration', () => {
    const b = new FragmentBuilder({ audio: { codec: 'aac', sampleRate: 16000, channels: 1 }, fragmentDurationMs: 500 });
    let fragments = 0;
    for (let i = 0; i < 40; i++) {
      if (b.push({ kind: 'audio', pts: i * 1024, samples: 1024, data: Uint8Array.of(1, 2), receivedAtMs: i })) fragments++;
    }
    expect(fragments).toBe(4); // 8 AUs = 512 ms each
    expect(b.flush()!.meta.frameCount).toBe(8);
  });

  it('accepts() flags frames whose new params need a new file', () => {
    const b = new FragmentBuilder({ video: params });
    expect(b.accepts(vf(0, true))).toBe(true);
    expect(b.accepts({ ...vf(0, true), newParams: { ...params, sps: params.sps.slice() } })).toBe(true);
    expect(b.accepts({ ...vf(0, true), newParams: { ...params, pps: Uint8Array.of(0x68, 1) } })).toBe(false);
  });
});
