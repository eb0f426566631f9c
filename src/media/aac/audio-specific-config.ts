// MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the 2+ byte blob that RTSP cameras
// put in fmtp `config=` (hex) and that fMP4 carries in esds. Throws only BitstreamError.

import { BitReader, BitstreamError } from '../h264/bit-reader.ts';

/** Table 1.18, index = samplingFrequencyIndex. */
export const AAC_SAMPLE_RATES = [
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
] as const;

export interface AacConfig {
  /** Audio object type: 2 = AAC-LC, 5 = SBR (HE-AAC), 29 = PS (HE-AAC v2). */
  objectType: number;
  sampleRate: number;
  /** Channel count; 0 when defined by a program config element (not parsed). */
  channels: number;
  /** Samples per access unit at sampleRate: 1024, or 960 with frameLengthFlag. */
  frameLength: number;
  /** For SBR/PS: the output (extension) sample rate. */
  extensionSampleRate?: number;
}

export function parseAacAudioSpecificConfig(bytes: Uint8Array): AacConfig {
  if (bytes.length < 2) throw new BitstreamError('AudioSpecificConfig too short');
  const r = new BitReader(bytes);
  let objectType = readObjectType(r);
  const sampleRate = readSampleRate(r);
  const channelConfig = r.readBits(4);
  let extensionSampleRate: number | undefined;
  if (objectType === 5 || objectType === 29) {
    // Explicit hierarchical signalling: extension rate, then the core object type.
    extensionSampleRate = readSampleRate(r);
    objectType = readObjectType(r);
  }
  let frameLength = 1024;
  if ([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23].includes(objectType) && r.bitsLeft >= 1) {
    frameLength = r.readBit() ? 960 : 1024; // GASpecificConfig frameLengthFlag
  }
  const channels = channelConfig === 7 ? 8 : channelConfig <= 6 ? channelConfig : 0;
  return { objectType, sampleRate, channels, frameLength, extensionSampleRate };
}

function readObjectType(r: BitReader): number {
  const t = r.readBits(5);
  return t === 31 ? 32 + r.readBits(6) : t;
}

function readSampleRate(r: BitReader): number {
  const index = r.readBits(4);
  if (index === 15) {
    const rate = r.readBits(24);
    if (rate === 0) throw new BitstreamError('explicit AAC sample rate is 0');
    return rate;
  }
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new BitstreamError(`reserved samplingFrequencyIndex ${index}`);
  return rate;
}

/** Builds a plain 2-byte (or 5-byte for non-table rates) AudioSpecificConfig. */
export function buildAacAudioSpecificConfig(c: { objectType: number; sampleRate: number; channels: number }): Uint8Array {
  if (c.objectType < 1 || c.objectType > 30) throw new BitstreamError(`unsupported object type ${c.objectType}`);
  const index = (AAC_SAMPLE_RATES as readonly number[]).indexOf(c.sampleRate);
  const channelConfig = c.channels === 8 ? 7 : c.channels;
  if (channelConfig < 0 || channelConfig > 7) throw new BitstreamError(`unsupported channel count ${c.channels}`);
  if (index >= 0) {
    return Uint8Array.of((c.objectType << 3) | (index >> 1), ((index & 1) << 7) | (channelConfig << 3));
  }
  // 5 bits type + 4 bits 0xF + 24 bits rate + 4 bits channels + 3 bits GASpecificConfig = 40 bits.
  const bits = [
    [c.objectType, 5], [15, 4], [c.sampleRate, 24], [channelConfig, 4], [0, 3],
  ] as const;
  const out = new Uint8Array(5);
  let pos = 0;
  for (const [value, n] of bits) {
    for (let i = n - 1; i >= 0; i--) {
      if (Math.floor(value / 2 ** i) % 2) out[pos >> 3] |= 0x80 >> (pos & 7);
      pos++;
    }
  }
  return out;
}

/** RFC 6381 codec string for MPEG-4 audio. */
export function aacCodecString(objectType: number): string {
  return `mp4a.40.${objectType}`;
}

/** Decodes fmtp `config=` hex; undefined for malformed hex. */
export function parseHexConfig(hex: string | undefined): Uint8Array | undefined {
  if (!hex || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
