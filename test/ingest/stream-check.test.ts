// The video payload check (R-REC-4; issue 12 item 2): real camera streams of both codecs never
// trip it, random RTP payloads are garbage within one window, H.265 under an H.264 SDP (and the
// reverse) is a codec mismatch, and no input makes it throw (it parses network input).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHECK_WINDOW_PACKETS, StreamCheck } from '../../src/ingest/stream-check.ts';
import type { StreamVerdict } from '../../src/ingest/stream-check.ts';
import { loadClips } from '../../src/sim/clips.ts';
import type { VideoClip } from '../../src/sim/clips.ts';
import { rtpPackets, instantiate } from '../../src/sim/rtp-template.ts';

/** RTP payloads (after the 12-byte header) of every packet of a clip, as the simulator sends them. */
function payloads(clip: VideoClip): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of clip.frames) for (const p of rtpPackets(instantiate(f, 0, 0, 0, 1).buf)) out.push(p.subarray(12));
  return out;
}

function run(check: StreamCheck, list: Uint8Array[]): StreamVerdict[] {
  const verdicts: StreamVerdict[] = [];
  let now = 0;
  for (const p of list) {
    const { verdict } = check.push(p, (now += 5));
    if (verdict) verdicts.push(verdict);
  }
  return verdicts;
}

describe('StreamCheck (R-REC-4)', async () => {
  const clips = await loadClips();

  it('passes every packet of real H.264 (720p, 360p) and H.265 streams', () => {
    for (const clip of [clips.video.main, clips.video.sub, clips.video.h265]) {
      const check = new StreamCheck(clip.codec);
      const verdicts = run(check, payloads(clip));
      expect(check.badPackets, clip.name).toBe(0);
      expect(verdicts.length).toBeGreaterThan(0);
      expect(new Set(verdicts)).toEqual(new Set(['ok']));
    }
  });

  it('calls random payloads garbage within one window', () => {
    const check = new StreamCheck('h264');
    const verdicts = run(check, Array.from({ length: CHECK_WINDOW_PACKETS }, () => randomBytes(200 + Math.floor(Math.random() * 1200))));
    expect(verdicts).toEqual(['garbage']);
  });

  it('names a lying SDP: H.265 sent as H.264 and H.264 sent as H.265 are codec-mismatch', () => {
    expect(run(new StreamCheck('h264'), payloads(clips.video.h265)).slice(0, 3)).toEqual(['codec-mismatch', 'codec-mismatch', 'codec-mismatch']);
    expect(run(new StreamCheck('h265'), payloads(clips.video.main)).slice(0, 3)).toEqual(['codec-mismatch', 'codec-mismatch', 'codec-mismatch']);
  });

  it('a little damage (one bad packet in a window) is not garbage', () => {
    const list = payloads(clips.video.main).slice(0, 2 * CHECK_WINDOW_PACKETS);
    list[10] = Uint8Array.of(0xff, 0xff, 0xff);
    const check = new StreamCheck('h264');
    expect(run(check, list)).toEqual(['ok', 'ok']);
    expect(check.badPackets).toBe(1);
  });

  it('never throws on random input of any length (fuzz, 20 000 inputs)', () => {
    for (const codec of ['h264', 'h265'] as const) {
      const check = new StreamCheck(codec);
      for (let i = 0; i < 10_000; i++) check.push(randomBytes(i % 40), i);
    }
  });
});
