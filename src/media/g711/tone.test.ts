// G.711 encode/decode and tone analysis: the measuring stick of the back-channel tests (issue 15).
import { describe, expect, it } from 'vitest';
import { decodeG711, g711Level } from './level.ts';
import { encodeG711, transcodeG711 } from './encode.ts';
import { toneFrequencyHz, toneSamples } from './tone.ts';

describe('G.711 encoder', () => {
  it('round-trips every code word of both laws (decode → encode is the identity)', () => {
    for (const law of ['pcma', 'pcmu'] as const) {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const back = encodeG711(law, decodeG711(law, all));
      // μ-law has two zeros (0x7f and 0xff); both decode to 0 and encode to 0xff.
      const expected = law === 'pcmu' ? all.map((b) => (b === 0x7f ? 0xff : b)) : all;
      expect([...back]).toEqual([...expected]);
    }
  });

  it('keeps a tone within quantisation error and transcodes A-law to μ-law', () => {
    const tone = toneSamples(1000, -6, 800);
    const alaw = encodeG711('pcma', tone);
    const decoded = decodeG711('pcma', alaw);
    for (let i = 0; i < tone.length; i++) expect(Math.abs(decoded[i] - tone[i])).toBeLessThanOrEqual(Math.abs(tone[i]) / 16 + 16);
    const ulaw = transcodeG711('pcma', 'pcmu', alaw);
    expect(g711Level('pcmu', [ulaw])!.maxDb).toBeCloseTo(-6, 0);
  });
});

describe('tone analysis', () => {
  it('reads the frequency of a G.711 tone to within 1 Hz and its level to within 0.5 dB', () => {
    for (const hz of [440, 1000, 1733]) {
      const payload = encodeG711('pcma', toneSamples(hz, -12, 8000));
      expect(toneFrequencyHz(decodeG711('pcma', payload))).toBeCloseTo(hz, 0);
      // A sine's mean power is 3 dB below its peak.
      expect(g711Level('pcma', [payload])!.meanDb).toBeGreaterThan(-15.5);
      expect(g711Level('pcma', [payload])!.meanDb).toBeLessThan(-14.5);
    }
  });

  it('reports no frequency for silence or noise far below full scale', () => {
    expect(toneFrequencyHz(new Int16Array(8000))).toBeUndefined();
    expect(toneFrequencyHz(Int16Array.from({ length: 8000 }, (_, i) => (i % 3) - 1))).toBeUndefined();
  });
});
