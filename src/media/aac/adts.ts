// ADTS framing (ISO/IEC 13818-7 6.2 / 14496-3 1.A.2): the simulator reads .aac files made of
// ADTS frames and strips the 7/9-byte headers to get raw AUs for RTP (RFC 3640 carries no ADTS).

import { AAC_SAMPLE_RATES, buildAacAudioSpecificConfig } from './audio-specific-config.ts';

export interface AdtsHeader {
  objectType: number;
  sampleRate: number;
  samplingFrequencyIndex: number;
  channels: number;
  /** 7, or 9 with CRC. */
  headerLength: number;
  /** Whole frame including header. */
  frameLength: number;
  /** Raw data blocks in the frame (almost always 1). */
  rawDataBlocks: number;
}

export interface AdtsFrame {
  header: AdtsHeader;
  /** Raw AU bytes (view into the input). */
  payload: Uint8Array;
}

/** Parses the header at `offset`; undefined if there is no valid header or it is truncated. */
export function parseAdtsHeader(buf: Uint8Array, offset = 0): AdtsHeader | undefined {
  if (offset + 7 > buf.length) return undefined;
  const b = buf.subarray(offset, offset + 7);
  if (b[0] !== 0xff || (b[1] & 0xf6) !== 0xf0) return undefined; // syncword, layer 0
  const protectionAbsent = b[1] & 1;
  const objectType = (b[2] >> 6) + 1;
  const samplingFrequencyIndex = (b[2] >> 2) & 0x0f;
  const sampleRate = AAC_SAMPLE_RATES[samplingFrequencyIndex];
  if (sampleRate === undefined) return undefined;
  const channelConfig = ((b[2] & 1) << 2) | (b[3] >> 6);
  const frameLength = ((b[3] & 3) << 11) | (b[4] << 3) | (b[5] >> 5);
  const headerLength = protectionAbsent ? 7 : 9;
  if (frameLength < headerLength) return undefined;
  return {
    objectType,
    sampleRate,
    samplingFrequencyIndex,
    channels: channelConfig === 7 ? 8 : channelConfig,
    headerLength,
    frameLength,
    rawDataBlocks: (b[6] & 3) + 1,
  };
}

/** Splits an ADTS stream; resynchronises on garbage and stops at a truncated last frame. */
export function splitAdts(buf: Uint8Array): AdtsFrame[] {
  const frames: AdtsFrame[] = [];
  let o = 0;
  while (o + 7 <= buf.length) {
    const header = parseAdtsHeader(buf, o);
    if (!header) {
      o++;
      continue;
    }
    if (o + header.frameLength > buf.length) break;
    frames.push({ header, payload: buf.subarray(o + header.headerLength, o + header.frameLength) });
    o += header.frameLength;
  }
  return frames;
}

/** AudioSpecificConfig equivalent to an ADTS header (for SDP config= and esds). */
export function adtsToAudioSpecificConfig(h: AdtsHeader): Uint8Array {
  return buildAacAudioSpecificConfig({ objectType: h.objectType, sampleRate: h.sampleRate, channels: h.channels });
}
