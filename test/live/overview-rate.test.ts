// Patrol overview (issue 16; R-FN-1 live monitoring of many rooms): an overview tile's queue takes
// keyframes only; switching it to full rate sends the current GOP again from its keyframe (no new
// init, so the tile keeps its picture) and then every frame; back to overview drops queued
// non-key frames. The live fMP4 of a keyframes-only tile keeps the frame interval as duration.
import { describe, expect, it } from 'vitest';
import { LiveHub } from '../../src/live/hub.ts';
import type { QueueItem } from '../../src/live/hub.ts';
import { LiveMuxer } from '../../src/live/fmp4-live.ts';
import { parseRate } from '../../src/live/rate.ts';
import { LiveSocketSession } from '../../src/live/ws-session.ts';
import type { LiveSessionDeps } from '../../src/live/ws-session.ts';
import type { Actor } from '../../src/auth/actor.ts';
import type { MediaClaims } from '../../src/auth/media-token.ts';
import { h264VideoParams } from '../../src/media/h264/params.ts';
import type { VideoFrame } from '../../src/media/types.ts';
import { loadClips } from '../../src/sim/index.ts';

const clip = (await loadClips()).video.sub;
const params = h264VideoParams(clip.sps, clip.pps);

/** Frame i of a 2-second-GOP, 25 fps stream (keyframe every 50). */
function frame(i: number): VideoFrame {
  const nal = new Uint8Array(500);
  nal[0] = i % 50 === 0 ? 0x65 : 0x41;
  return { kind: 'video', pts90k: i * 3600, keyframe: i % 50 === 0, nalus: [nal], receivedAtMs: 1000 + i * 40 };
}

function drain(q: { take(): QueueItem | undefined }): QueueItem[] {
  const out: QueueItem[] = [];
  for (let it = q.take(); it; it = q.take()) out.push(it);
  return out;
}
const framesOf = (items: QueueItem[]) => items.flatMap((x) => (x.kind === 'frame' ? [x.frame.pts90k / 3600] : []));

describe('patrol overview: keyframes only, full rate on selection (issue 16, R-FN-1)', () => {
  it('a key-only viewer gets only keyframes, also from the GOP it joins', () => {
    const hub = new LiveHub('t');
    hub.setParams(params);
    for (let i = 0; i < 60; i++) hub.pushFrame(frame(i)); // GOP of frames 50..59 held
    const q = hub.addViewer(() => undefined, undefined, true);
    for (let i = 60; i < 160; i++) hub.pushFrame(frame(i));
    const items = drain(q);
    expect(items[0].kind).toBe('init');
    expect(framesOf(items)).toEqual([50, 100, 150]);
    expect(q.filteredFrames).toBe(9 + 98); // 51..59 of the joined GOP, then 98 non-key frames
    expect(q.skippedFrames).toBe(0);
  });

  it('switching to full rate sends the current GOP from its keyframe, without a new init, then every frame', () => {
    const hub = new LiveHub('t');
    hub.setParams(params);
    const q = hub.addViewer(() => undefined, undefined, true);
    for (let i = 0; i < 70; i++) hub.pushFrame(frame(i));
    expect(framesOf(drain(q))).toEqual([0, 50]);
    hub.setKeyOnly(q, false);
    hub.pushFrame(frame(70));
    const items = drain(q);
    expect(items.some((x) => x.kind === 'init')).toBe(false);
    expect(framesOf(items)).toEqual(Array.from({ length: 21 }, (_, k) => 50 + k)); // 50..70
    // Back to overview: the non-key frames still queued go, the next keyframe comes.
    for (let i = 71; i < 80; i++) hub.pushFrame(frame(i));
    hub.setKeyOnly(q, true);
    expect(q.length).toBe(0);
    for (let i = 80; i < 101; i++) hub.pushFrame(frame(i));
    expect(framesOf(drain(q))).toEqual([100]);
  });

  it('a key-only queue waiting for its first keyframe switched to full starts at the next keyframe', () => {
    const hub = new LiveHub('t');
    hub.setParams(params);
    const q = hub.addViewer(() => undefined, undefined, true);
    hub.setKeyOnly(q, false); // no GOP yet: nothing to send again
    for (let i = 1; i < 53; i++) hub.pushFrame(frame(i));
    expect(framesOf(drain(q))).toEqual([50, 51, 52]);
  });

  it('the live muxer of a key-only tile keeps the frame interval as sample duration', () => {
    const durationOf = (m: LiveMuxer, f: VideoFrame) => {
      const bytes = m.fragment(f)!;
      // trun: type, version+flags, sample count, data offset, then the first sample's duration.
      const i = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('trun');
      expect(i).toBeGreaterThan(0);
      return new DataView(bytes.buffer, bytes.byteOffset + i + 16).getUint32(0);
    };
    const sparse = new LiveMuxer();
    sparse.init(params);
    sparse.sparse = true;
    const dense = new LiveMuxer();
    dense.init(params);
    durationOf(sparse, frame(0));
    durationOf(dense, frame(0));
    expect(durationOf(sparse, frame(50))).toBe(Math.round(90000 / (params.fps ?? 25)));
    expect(durationOf(dense, frame(50))).toBe(50 * 3600); // what a full-rate muxer would take from the gap
  });

  it('parses the client rate: absent = full, only key|full accepted', () => {
    expect(parseRate(undefined)).toBe('full');
    expect(parseRate('key')).toBe('key');
    expect(parseRate('full')).toBe('full');
    expect(parseRate('half')).toBeUndefined();
    expect(parseRate(1)).toBeUndefined();
  });

  it('the socket answers a rate change for an unknown channel with bad_channel and a bad rate with bad_message', async () => {
    const sent: string[] = [];
    const ws = { bufferedAmount: 0, send: (d: Uint8Array | string) => void sent.push(String(d)), close: () => undefined };
    // None of these reaches a camera lookup: an app with only a clock (for close) is enough here.
    const session = new LiveSocketSession(ws, { app: { clock: { nowMs: () => Date.now() } } } as unknown as LiveSessionDeps, {} as Actor, {} as MediaClaims);
    try {
      await session.onMessage(JSON.stringify({ op: 'rate', ch: 7, rate: 'full' }));
      await session.onMessage(JSON.stringify({ op: 'rate', ch: 7, rate: 'fast' }));
      await session.onMessage(JSON.stringify({ op: 'rate', ch: 7 }));
      await session.onMessage(JSON.stringify({ op: 'sub', ch: 8, cameraId: 1, rate: 2 }));
      expect(sent.map((x) => JSON.parse(x) as { code: string }).map((m) => m.code)).toEqual(['bad_channel', 'bad_message', 'bad_message', 'bad_message']);
    } finally {
      await session.close();
    }
  });
});
