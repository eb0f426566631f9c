import { describe, expect, it } from 'vitest';
import { BitstreamError } from '../h264/bit-reader.ts';
import {
  aacCodecString,
  buildAacAudioSpecificConfig,
  parseAacAudioSpecificConfig,
  parseHexConfig,
} from './audio-specific-config.ts';

describe('AudioSpecificConfig', () => {
  it('parses the usual camera configs from fmtp config=', () => {
    expect(parseAacAudioSpecificConfig(parseHexConfig('1408')!)).toMatchObject({ objectType: 2, sampleRate: 16000, channels: 1, frameLength: 1024 });
    expect(parseAacAudioSpecificConfig(parseHexConfig('1190')!)).toMatchObject({ objectType: 2, sampleRate: 48000, channels: 2 });
    expect(parseAacAudioSpecificConfig(parseHexConfig('1588')!)).toMatchObject({ objectType: 2, sampleRate: 8000, channels: 1 });
  });

  it('round-trips build -> parse, including explicit sample rates and 960-sample frames', () => {
    for (const sampleRate of [8000, 16000, 44100, 48000, 12345]) {
      const asc = buildAacAudioSpecificConfig({ objectType: 2, sampleRate, channels: 2 });
      expect(parseAacAudioSpecificConfig(asc)).toMatchObject({ objectType: 2, sampleRate, channels: 2 });
    }
    expect([...buildAacAudioSpecificConfig({ objectType: 2, sampleRate: 16000, channels: 1 })]).toEqual([0x14, 0x08]);
    expect(parseAacAudioSpecificConfig(Uint8Array.of(0x14, 0x0c)).frameLength).toBe(960);
  });

  it('reads HE-AAC (SBR) hierarchical signalling', () => {
    // aot 5, 24 kHz core (idx 6), stereo, extension 48 kHz (idx 3), core aot 2
    const asc = Uint8Array.of(0x2b, 0x11, 0x88, 0x00);
    expect(parseAacAudioSpecificConfig(asc)).toMatchObject({ objectType: 2, sampleRate: 24000, extensionSampleRate: 48000, channels: 2 });
  });

  it('rejects bad input with BitstreamError and bad hex with undefined', () => {
    expect(() => parseAacAudioSpecificConfig(Uint8Array.of(0x14))).toThrow(BitstreamError);
    expect(() => parseAacAudioSpecificConfig(Uint8Array.of(0x16, 0x88))).toThrow(BitstreamError); // index 13 reserved
    expect(parseHexConfig('14x8')).toBeUndefined();
    expect(parseHexConfig('140')).toBeUndefined();
    expect(aacCodecString(2)).toBe('mp4a.40.2');
  });
});
