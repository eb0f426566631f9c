// Live hub (R-FN-1 live monitoring): late joiners start from the last keyframe at once, a slow
// viewer skips to the next keyframe without slowing anyone, memory is bounded.
import { describe, expect, it } from 'vitest';
import { LiveHub, copyFrame } from '../../src/live/hub.ts';
import type { QueueItem } from '../../src/live/hub.ts';
import { LiveMuxer } from '../../src/live/fmp4-live.ts';
import { parseBoxes } from '../../src/media/fmp4/parse-boxes.ts';
import { h264VideoParams } from '../../src/media/h264/params.ts';
import type { VideoFrame } from '../../src/media/types.ts';
import { loadClips } from '../../src/sim/index.ts';

const clips = await loadClips();
const clip = clips.video.sub;
const params = h264VideoParams(clip.sps, clip.pps);

/** Frame i of a 2-second-GOP, 25 fps stream (keyframe every 50), `size` bytes of payload. */
function frame(i: number, size = 1000): VideoFrame {
  const nal = new Uint8Array(size);
  nal[0] = i % 50 === 0 ? 0x65 : 0x41;
  return { kind: 'video', pts90k: i * 3600, keyframe: i % 50 === 0, nalus: [nal], receivedAtMs: 1000 + i * 40 };
}

function drain(q: { take(): QueueItem | undefined }): QueueItem[] {
  const out: QueueItem[] = [];
  for (let it = q.take(); it; it = q.take()) out.push(it);
  return out;
}

describe('LiveHub (R-FN-1)', () => {
  it('a viewer added from another viewer\'s notify gets the current frame once (the GOP), not twice', () => {
    // A socket that meets an H.265 init switches to the transcoded hub from inside this hub's
    // fan-out; the transcoder's queue is added here then and already has the frame in its GOP.
    const hub = new LiveHub('t');
    hub.setParams(params);
    let late: ReturnType<LiveHub['addViewer']> | undefined;
    hub.addViewer(() => {
      late ??= hub.addViewer(() => undefined);
    });
    hub.pushFrame(frame(0));
    const frames = drain(late!).filter((x) => x.kind === 'frame');
    expect(frames.map((x) => (x.kind === 'frame' ? x.frame.pts90k : -1))).toEqual([0]);
  });

  it('gives a late joiner the init and the GOP since the last keyframe, then live frames', () => {
    const hub = new LiveHub('t');
    hub.setParams(params);
    for (let i = 0; i < 70; i++) hub.pushFrame(frame(i));
    let notified = 0;
    const q = hub.addViewer(() => notified++);
    expect(notified).toBe(1);
    const items = drain(q);
    expect(items[0]).toMatchObject({ kind: 'init' });
    const frames = items.filter((x) => x.kind === 'frame');
    expect(frames).toHaveLength(20); // frames 50..69
    expect(frames[0].kind === 'frame' && frames[0].frame.keyframe).toBe(true);
    expect(frames[0].kind === 'frame' && frames[0].frame.pts90k).toBe(50 * 3600);
    hub.pushFrame(frame(70));
    expect(drain(q).map((x) => (x.kind === 'frame' ? x.frame.pts90k : -1))).toEqual([70 * 3600]);
  });

  it('copies the NAL bytes it keeps (incoming frames point into reused socket buffers)', () => {
    const src = frame(0);
    const { frame: copy } = copyFrame(src);
    src.nalus[0][5] = 99;
    expect(copy.nalus[0][5]).toBe(0);
    expect(copy.nalus[0].buffer).not.toBe(src.nalus[0].buffer);
  });

  it('a slow viewer skips to the next keyframe and never holds back a fast one', () => {
    const hub = new LiveHub('t', { gopMaxBytes: 8 << 20, gopMaxFrames: 300, queueMaxBytes: 1 << 20, queueMaxFrames: 30 });
    hub.setParams(params);
    const slow = hub.addViewer(() => undefined);
    const fast = hub.addViewer(() => undefined);
    const fastGot: number[] = [];
    for (let i = 0; i < 120; i++) {
      hub.pushFrame(frame(i));
      for (const it of drain(fast)) if (it.kind === 'frame') fastGot.push(it.frame.pts90k / 3600);
    }
    expect(fastGot).toEqual(Array.from({ length: 120 }, (_, i) => i));
    // The slow viewer never read: its queue overflowed and restarted at keyframes 50 and 100.
    expect(slow.length).toBeLessThanOrEqual(30);
    const got = drain(slow).filter((x) => x.kind === 'frame');
    expect(got[0].kind === 'frame' && got[0].frame.keyframe).toBe(true);
    expect(got[0].kind === 'frame' && got[0].frame.pts90k).toBe(100 * 3600);
    expect(slow.skippedFrames).toBeGreaterThan(80);
  });

  it('keeps memory bounded: GOP and queues stop growing with a camera that never sends a keyframe', () => {
    const hub = new LiveHub('t', { gopMaxBytes: 200_000, gopMaxFrames: 300, queueMaxBytes: 100_000, queueMaxFrames: 1000 });
    hub.setParams(params);
    const q = hub.addViewer(() => undefined);
    hub.pushFrame(frame(0, 10_000));
    for (let i = 1; i < 2000; i++) hub.pushFrame({ ...frame(i, 10_000), keyframe: false });
    expect(hub.gopBytesHeld).toBeLessThanOrEqual(200_000);
    expect(q.bytes).toBeLessThanOrEqual(100_000);
    // A joiner now waits for a keyframe instead of getting a truncated GOP.
    const late = hub.addViewer(() => undefined);
    expect(drain(late).filter((x) => x.kind === 'frame')).toHaveLength(0);
  });

  it('sends new parameters to viewers and restarts them at a keyframe', () => {
    const hub = new LiveHub('t');
    const q = hub.addViewer(() => undefined);
    hub.pushFrame(frame(1)); // before params: ignored
    hub.setParams(params);
    hub.pushFrame(frame(49)); // not a keyframe: skipped
    hub.pushFrame(frame(50));
    const items = drain(q);
    expect(items.map((x) => x.kind)).toEqual(['init', 'frame']);
  });

  it('one init for a viewer that joined before the session: the SDP\'s parameters repeated in band by the first keyframe are no news', () => {
    // A sub stream is opened for its first viewer: session-start brings the SDP's SPS/PPS, the
    // first keyframe the same ones in band. Two inits made every tile recreate its MediaSource.
    const hub = new LiveHub('t');
    const q = hub.addViewer(() => undefined);
    hub.setParams(params);
    hub.pushFrame({ ...frame(0), newParams: h264VideoParams(Uint8Array.from(clip.sps), Uint8Array.from(clip.pps)) });
    hub.pushFrame(frame(1));
    expect(drain(q).map((x) => x.kind)).toEqual(['init', 'frame', 'frame']);
    // After frames, the same parameters again are a new session (new time base): a new init.
    hub.setParams(params);
    hub.pushFrame(frame(50));
    expect(drain(q).map((x) => x.kind)).toEqual(['init', 'frame']);
  });

  it('muxes one moof+mdat per frame with decode time from the first keyframe', () => {
    const m = new LiveMuxer();
    const init = m.init(params);
    expect(parseBoxes(init).boxes.map((b) => b.type)).toEqual(['ftyp', 'moov']);
    expect(m.fragment(frame(1))).toBeUndefined(); // waits for a keyframe
    const f0 = m.fragment(frame(50), 4)!;
    expect(parseBoxes(f0, 4).boxes.map((b) => b.type)).toEqual(['moof', 'mdat']);
    expect(m.wallAtZeroMs).toBe(1000 + 50 * 40);
  });
});
