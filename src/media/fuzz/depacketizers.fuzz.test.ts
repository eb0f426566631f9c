// Deterministic fuzzing of depacketizers, parameter-set parsers and splitters (targets in
// depacketizer-targets.ts), plus the reassembly memory cap under a never-ending FU.
import { describe, expect, it } from 'vitest';
import type { Depacketizer, RtpPacket } from '../types.ts';
import { AacDepacketizer } from '../rtp/depacketize/aac.ts';
import { MAX_REASSEMBLY_BYTES } from '../rtp/depacketize/fragment-buffer.ts';
import { H264Depacketizer } from '../rtp/depacketize/h264.ts';
import { H265Depacketizer } from '../rtp/depacketize/h265.ts';
import './depacketizer-targets.ts';
import { fuzzSeeds, fuzzTargets, runFuzz } from './targets.ts';

const ITERATIONS: Record<string, number> = {
  'depacketize-h264': 3000,
  'depacketize-h264-sprop': 2000,
  'depacketize-h265': 3000,
  'depacketize-aac': 3000,
  'depacketize-g711': 2000,
  'h264-sps': 5000,
  'h265-sps': 5000,
  'aac-config': 3000,
  'bitstream-splitters': 3000,
};

describe('media bitstream fuzzing (deterministic)', () => {
  it('seeds are valid input', () => {
    for (const name of Object.keys(ITERATIONS)) {
      expect(fuzzSeeds[name].length).toBeGreaterThan(0);
      for (const s of fuzzSeeds[name]) expect(() => fuzzTargets[name](s)).not.toThrow();
    }
  });

  for (const [target, iterations] of Object.entries(ITERATIONS)) {
    it(`${target}: no throw / only BitstreamError, no hang, bounded memory (${iterations} inputs)`, () => {
      const report = runFuzz(target, iterations, 0x5eed, { maxInputMs: 1000 });
      expect(report.failures).toEqual([]);
      expect(report.iterations).toBe(iterations);
    });
  }

  it('caps reassembly at MAX_REASSEMBLY_BYTES when a fragmented unit never ends', () => {
    const chunk = new Uint8Array(60_000);
    const cases: Array<[Depacketizer & { bufferedBytes: number }, (i: number) => Uint8Array]> = [
      [new H264Depacketizer({ type: 'video', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding: 'H264', clockRate: 90000, fmtp: {} }),
        (i) => Uint8Array.from([28, i === 0 ? 0x85 : 0x05, ...chunk.subarray(0, 1000)])],
      [new H265Depacketizer({ type: 'video', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding: 'H265', clockRate: 90000, fmtp: {} }),
        (i) => Uint8Array.from([98, 1, i === 0 ? 0x93 : 0x13, ...chunk.subarray(0, 1000)])],
      [new AacDepacketizer({ type: 'audio', port: 0, protocol: 'RTP/AVP', payloadType: 96, encoding: 'MPEG4-GENERIC', clockRate: 16000, fmtp: { sizelength: '13', indexlength: '3', indexdeltalength: '3', config: '1408' } }),
        () => Uint8Array.from([0, 16, 0xff, 0xf8, ...chunk.subarray(0, 1000)])],
    ];
    for (const [d, payload] of cases) {
      let peak = 0;
      for (let i = 0; i < 9000; i++) {
        const p: RtpPacket = { payloadType: 96, sequence: i & 0xffff, timestamp: 0, ssrc: 1, marker: false, payload: payload(i) };
        expect(d.push(p, 0)).toEqual([]);
        peak = Math.max(peak, d.bufferedBytes);
      }
      expect(peak).toBeLessThanOrEqual(MAX_REASSEMBLY_BYTES);
      // Video gives up at the cap; AAC already at the declared AU size (13 bits -> 8191 bytes).
      expect(d.bufferedBytes).toBeLessThanOrEqual(d instanceof AacDepacketizer ? 8191 : 0);
    }
  });
});
