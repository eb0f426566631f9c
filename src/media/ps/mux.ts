// MPEG-2 program stream muxer (ISO/IEC 13818-1 §2.5) shaped the way GB/T 28181 devices send it:
// every frame is one "PS unit" = pack header + (on keyframes) system header + PSM + PES packets.
// A receiver joining mid-stream therefore learns the stream types at the next keyframe.
import { joinAnnexB } from '../h264/annexb.ts';
import { AAC_SAMPLE_RATES } from '../aac/audio-specific-config.ts';
import { AUDIO_STREAM_ID, crc32Mpeg, PACK_START, PSM_ID, StreamType, SYSTEM_HEADER, VIDEO_STREAM_ID } from './constants.ts';
import { buildPesPackets, PTS_WRAP } from './pes.ts';
import type { AudioFrame, VideoCodec, VideoFrame } from '../types.ts';
import { concatBytes } from '../bytes.ts';

const SAMPLE_RATES: readonly number[] = AAC_SAMPLE_RATES;

export interface PsAudioConfig {
  codec: 'aac' | 'pcma' | 'pcmu';
  sampleRate: number;
  channels: number;
  /** AAC audio object type (2 = LC); default 2. */
  aacObjectType?: number;
}

export interface PsMuxerOptions {
  video?: VideoCodec;
  audio?: PsAudioConfig;
  /** Force PES splitting below 64 KiB (tests). */
  maxPesPayloadBytes?: number;
}

/** Declared mux rate in units of 50 bytes/s (20 Mbit/s): receivers only use it for buffering hints. */
const MUX_RATE_50BPS = 50_000;

export class PsMuxer {
  constructor(private readonly opts: PsMuxerOptions) {
    if (!opts.video && !opts.audio) throw new RangeError('PsMuxer needs a video or audio stream');
    if (opts.audio?.codec === 'aac' && !SAMPLE_RATES.includes(opts.audio.sampleRate)) throw new RangeError(`unsupported AAC sample rate ${opts.audio.sampleRate}`);
  }

  /** One PS unit for a video access unit. `dts90k` defaults to pts (no B-frames). */
  muxVideo(frame: Pick<VideoFrame, 'pts90k' | 'keyframe' | 'nalus'> & { dts90k?: number }): Uint8Array {
    if (!this.opts.video) throw new RangeError('muxer has no video stream');
    const dts = frame.dts90k ?? frame.pts90k;
    const parts = [packHeader(dts)];
    if (frame.keyframe) parts.push(this.systemHeader(), this.psm());
    parts.push(...buildPesPackets(VIDEO_STREAM_ID, joinAnnexB(frame.nalus), frame.pts90k, dts, this.opts.maxPesPayloadBytes));
    return concatBytes(parts);
  }

  /** One PS unit for an audio frame; pts is in sample-rate ticks like AudioFrame. */
  muxAudio(frame: Pick<AudioFrame, 'pts' | 'data'>): Uint8Array {
    const a = this.opts.audio;
    if (!a) throw new RangeError('muxer has no audio stream');
    const pts90k = Math.round((frame.pts * 90000) / a.sampleRate);
    const payload = a.codec === 'aac' ? withAdts(frame.data, a) : frame.data;
    // Audio-only streams need the PSM too; send it with every audio unit then (they are small).
    const parts = [packHeader(pts90k)];
    if (!this.opts.video) parts.push(this.systemHeader(), this.psm());
    parts.push(...buildPesPackets(AUDIO_STREAM_ID, payload, pts90k, undefined, this.opts.maxPesPayloadBytes));
    return concatBytes(parts);
  }

  /**
   * Pack header, system header and PSM alone: announces the streams mid-GOP (an audio stream that
   * appeared after the keyframe), so a receiver need not wait for the next keyframe's PSM.
   */
  muxAnnouncement(scr90k: number): Uint8Array {
    return concatBytes([packHeader(scr90k), this.systemHeader(), this.psm()]);
  }

  private streams(): Array<{ id: number; type: number }> {
    const s: Array<{ id: number; type: number }> = [];
    if (this.opts.video) s.push({ id: VIDEO_STREAM_ID, type: StreamType[this.opts.video] });
    if (this.opts.audio) s.push({ id: AUDIO_STREAM_ID, type: StreamType[this.opts.audio.codec] });
    return s;
  }

  private systemHeader(): Uint8Array {
    const streams = this.streams();
    const b = new Uint8Array(12 + streams.length * 3);
    b.set([0, 0, 1, SYSTEM_HEADER]);
    const len = 6 + streams.length * 3;
    b[4] = len >> 8;
    b[5] = len & 0xff;
    b[6] = 0x80 | (MUX_RATE_50BPS >> 15);
    b[7] = (MUX_RATE_50BPS >> 7) & 0xff;
    b[8] = ((MUX_RATE_50BPS & 0x7f) << 1) | 1;
    b[9] = (this.opts.audio ? 1 : 0) << 2; // audio_bound, fixed_flag 0, CSPS 0
    b[10] = 0xe0 | (this.opts.video ? 1 : 0); // audio/video lock flags, marker, video_bound
    b[11] = 0x7f; // packet_rate_restriction 0, reserved
    let o = 12;
    for (const s of streams) {
      // P-STD buffer bound: video 1024 × 1 KiB units, audio 32 × 128 B units.
      const video = s.id === VIDEO_STREAM_ID;
      const size = video ? 1024 : 32;
      b[o] = s.id;
      b[o + 1] = 0xc0 | (video ? 0x20 : 0) | (size >> 8);
      b[o + 2] = size & 0xff;
      o += 3;
    }
    return b;
  }

  private psm(): Uint8Array {
    const streams = this.streams();
    const esMapLen = streams.length * 4;
    const b = new Uint8Array(16 + esMapLen);
    b.set([0, 0, 1, PSM_ID]);
    const len = 10 + esMapLen;
    b[4] = len >> 8;
    b[5] = len & 0xff;
    b[6] = 0xe0; // current_next_indicator 1, version 0
    b[7] = 0xff;
    b[8] = 0; // program_stream_info_length
    b[9] = 0;
    b[10] = esMapLen >> 8;
    b[11] = esMapLen & 0xff;
    let o = 12;
    for (const s of streams) {
      b[o] = s.type;
      b[o + 1] = s.id;
      o += 4; // elementary_stream_info_length = 0
    }
    new DataView(b.buffer).setUint32(o, crc32Mpeg(b.subarray(0, o)));
    return b;
  }
}

/** 14-byte MPEG-2 pack header with SCR = `scr90k` (extension 0), no stuffing. */
export function packHeader(scr90k: number): Uint8Array {
  const scr = ((Math.floor(scr90k) % PTS_WRAP) + PTS_WRAP) % PTS_WRAP;
  const hi = Math.floor(scr / 2 ** 30);
  const mid = Math.floor(scr / 2 ** 15) & 0x7fff;
  const lo = scr % 2 ** 15;
  const b = new Uint8Array(14);
  b.set([0, 0, 1, PACK_START]);
  b[4] = 0x40 | (hi << 3) | 0x04 | (mid >> 13);
  b[5] = (mid >> 5) & 0xff;
  b[6] = ((mid & 0x1f) << 3) | 0x04 | (lo >> 13);
  b[7] = (lo >> 5) & 0xff;
  b[8] = ((lo & 0x1f) << 3) | 0x04; // SCR extension high bits = 0
  b[9] = 0x01; // SCR extension low bits = 0, marker
  b[10] = MUX_RATE_50BPS >> 14;
  b[11] = (MUX_RATE_50BPS >> 6) & 0xff;
  b[12] = ((MUX_RATE_50BPS & 0x3f) << 2) | 0x03;
  b[13] = 0xf8; // reserved, pack_stuffing_length 0
  return b;
}

function withAdts(au: Uint8Array, a: PsAudioConfig): Uint8Array {
  const len = au.length + 7;
  const sfi = SAMPLE_RATES.indexOf(a.sampleRate);
  const profile = (a.aacObjectType ?? 2) - 1;
  const out = new Uint8Array(len);
  out[0] = 0xff;
  out[1] = 0xf1; // MPEG-4, layer 0, no CRC
  out[2] = (profile << 6) | (sfi << 2) | ((a.channels >> 2) & 1);
  out[3] = ((a.channels & 3) << 6) | ((len >> 11) & 3);
  out[4] = (len >> 3) & 0xff;
  out[5] = ((len & 7) << 5) | 0x1f;
  out[6] = 0xfc; // buffer fullness 0x7FF (VBR), one raw data block
  out.set(au, 7);
  return out;
}

