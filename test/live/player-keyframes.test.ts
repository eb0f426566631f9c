// The wall player finds the media time of each keyframe fragment the server sends, so a tile that
// fell behind jumps to a keyframe (one picture to decode) instead of into a GOP (R-FN-1 live view
// on a busy wall; web/src/pages/wall/msePlayer.ts).
import { describe, expect, it } from 'vitest';
import { LiveMuxer } from '../../src/live/fmp4-live.ts';
import { h264VideoParams } from '../../src/media/h264/params.ts';
import { loadClips } from '../../src/sim/index.ts';
import { decodeTimeS } from '../../web/src/pages/wall/msePlayer.ts';

const clip = (await loadClips()).video.sub;

describe('decodeTimeS of live fragments (R-FN-1)', () => {
  it('reads each fragment\'s decode time, in seconds from the first keyframe', () => {
    const m = new LiveMuxer();
    m.init(h264VideoParams(clip.sps, clip.pps));
    const times: number[] = [];
    for (let i = 0; i < 120; i++) {
      const nal = new Uint8Array(300);
      nal[0] = i % 50 === 0 ? 0x65 : 0x41;
      const f = m.fragment({ kind: 'video', pts90k: 7_000_000 + i * 3600, keyframe: i % 50 === 0, nalus: [nal], receivedAtMs: 0 });
      times.push(decodeTimeS(f!)!);
    }
    expect(times[0]).toBe(0);
    expect(times[50]).toBe(2);
    expect(times[119]).toBeCloseTo(4.76, 6);
    expect(decodeTimeS(new Uint8Array(40))).toBeUndefined();
  });
});
