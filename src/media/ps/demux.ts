// MPEG-2 program stream demuxer. Learns stream types from the PSM (falls back to sniffing when a
// device never sends one), reassembles PES packets into access units and emits VideoFrame /
// AudioFrame. Never throws on bad input: damaged bytes are skipped to the next start code and
// counted. Memory is bounded: one pending packet (≤ 64 KiB) plus one frame per stream (≤ 4 MiB).
import { splitAnnexB } from '../h264/annexb.ts';
import { parseAdtsHeader } from '../aac/adts.ts';
import { AUDIO_STREAM_ID, codecOfStreamType, PACK_START, PRIVATE_STREAM_1, PROGRAM_END, PSM_ID, VIDEO_STREAM_ID } from './constants.ts';
import { parsePes, PTS_WRAP } from './pes.ts';
import { buildVideoFrame } from './video-frame.ts';
import type { PsCodec } from './constants.ts';
import { aacCodecString, buildAacAudioSpecificConfig } from '../aac/audio-specific-config.ts';
import type { AudioFrame, AudioParams, MediaFrame, VideoFrame, VideoParams } from '../types.ts';

export const PS_MAX_FRAME_BYTES = 4 * 1024 * 1024;
const MAX_BUFFER_BYTES = 6 + 0xffff + 64;

export interface PsDemuxerOptions {
  /** Sample rate assumed for G.711 (the PSM does not carry it). Default 8000. */
  g711SampleRate?: number;
}

interface Pending {
  streamId: number;
  pts90k: number;
  chunks: Uint8Array[];
  bytes: number;
}

export class PsDemuxer {
  /** stream_id → stream_type from the latest PSM. */
  readonly streamTypes = new Map<number, number>();
  droppedBytes = 0;
  droppedFrames = 0;
  videoParams?: VideoParams;
  /** The audio stream as its frames show it (codec from the PSM, rate and channels from ADTS; G.711 mono at the assumed rate). */
  audioParams?: AudioParams;
  private buf: Uint8Array = new Uint8Array(0);
  private pending = new Map<number, Pending>();
  private lastPts = new Map<number, number>();
  private waitKeyframe = false;

  constructor(private readonly opts: PsDemuxerOptions = {}) {}

  get bufferedBytes(): number {
    return this.buf.length;
  }

  /** Feeds program-stream bytes (any chunking). Frames complete when the next PTS of their stream arrives. */
  push(chunk: Uint8Array, receivedAtMs: number): MediaFrame[] {
    this.buf = this.buf.length === 0 ? chunk : concat2(this.buf, chunk);
    const out: MediaFrame[] = [];
    let o = 0;
    const b = this.buf;
    while (o + 4 <= b.length) {
      if (b[o] !== 0 || b[o + 1] !== 0 || b[o + 2] !== 1) {
        o = this.resync(b, o + 1);
        continue;
      }
      const id = b[o + 3];
      let size: number;
      if (id === PACK_START) {
        if (o + 14 > b.length) break;
        if ((b[o + 4] & 0xc0) === 0x40) size = 14 + (b[o + 13] & 0x07);
        else if ((b[o + 4] & 0xf0) === 0x20) size = 12; // MPEG-1 pack header
        else {
          o = this.resync(b, o + 1);
          continue;
        }
      } else if (id === PROGRAM_END) {
        size = 4;
      } else if (id >= 0xbb) {
        if (o + 6 > b.length) break;
        size = 6 + ((b[o + 4] << 8) | b[o + 5]);
      } else {
        o = this.resync(b, o + 1); // slice/other start code: not a PS packet boundary
        continue;
      }
      if (o + size > b.length) break;
      const pkt = b.subarray(o, o + size);
      if (id === PSM_ID) this.parsePsm(pkt);
      else if (isMediaStream(id)) this.onPes(pkt, receivedAtMs, out);
      o += size;
    }
    this.buf = o >= b.length ? new Uint8Array(0) : b.slice(o);
    if (this.buf.length > MAX_BUFFER_BYTES) {
      this.droppedBytes += this.buf.length;
      this.buf = new Uint8Array(0);
    }
    return out;
  }

  /** Emits frames still being assembled: call at the end of a PS unit (RTP marker) or of a file. */
  flush(receivedAtMs: number): MediaFrame[] {
    const out: MediaFrame[] = [];
    for (const id of [...this.pending.keys()]) this.finish(id, receivedAtMs, out);
    return out;
  }

  /** Drops partial data after packet loss; video resumes at the next keyframe. */
  noteLoss(): void {
    for (const p of this.pending.values()) if (p.bytes > 0) this.droppedFrames++;
    this.pending.clear();
    this.droppedBytes += this.buf.length;
    this.buf = new Uint8Array(0);
    this.waitKeyframe = true;
  }

  private resync(b: Uint8Array, from: number): number {
    let i = from;
    while (i + 3 < b.length && !(b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1 && b[i + 3] === PACK_START)) i++;
    const next = i + 3 < b.length ? i : Math.max(from, b.length - 3);
    this.droppedBytes += next - from + 1;
    return next;
  }

  private parsePsm(pkt: Uint8Array): void {
    if (pkt.length < 16) return;
    const infoLen = (pkt[8] << 8) | pkt[9];
    let o = 10 + infoLen;
    if (o + 2 > pkt.length) return;
    const end = Math.min(o + 2 + ((pkt[o] << 8) | pkt[o + 1]), pkt.length - 4);
    o += 2;
    while (o + 4 <= end) {
      this.streamTypes.set(pkt[o + 1], pkt[o]);
      o += 4 + ((pkt[o + 2] << 8) | pkt[o + 3]);
    }
  }

  private onPes(pkt: Uint8Array, receivedAtMs: number, out: MediaFrame[]): void {
    const pes = parsePes(pkt);
    if (!pes) {
      this.droppedBytes += pkt.length;
      return;
    }
    const id = pes.streamId;
    let cur = this.pending.get(id);
    if (pes.pts90k !== undefined) {
      if (cur) this.finish(id, receivedAtMs, out);
      cur = { streamId: id, pts90k: this.unwrap(id, pes.pts90k), chunks: [], bytes: 0 };
      this.pending.set(id, cur);
    }
    if (!cur) {
      this.droppedBytes += pkt.length; // continuation without a start: joined mid-frame
      return;
    }
    cur.bytes += pes.payload.length;
    if (cur.bytes > PS_MAX_FRAME_BYTES) {
      this.pending.delete(id);
      this.droppedFrames++;
      return;
    }
    cur.chunks.push(pes.payload.slice());
  }

  private unwrap(id: number, pts: number): number {
    const last = this.lastPts.get(id);
    let v = pts;
    if (last !== undefined) {
      // Choose the 2^33 cycle closest to the previous timestamp.
      const base = last - (((last % PTS_WRAP) + PTS_WRAP) % PTS_WRAP);
      v = base + pts;
      if (v - last > PTS_WRAP / 2) v -= PTS_WRAP;
      else if (last - v > PTS_WRAP / 2) v += PTS_WRAP;
    }
    this.lastPts.set(id, v);
    return v;
  }

  private codecOf(id: number, data: Uint8Array): PsCodec | undefined {
    const t = this.streamTypes.get(id);
    if (t !== undefined) return codecOfStreamType(t);
    // No PSM seen yet: GB devices use E0 for H.264 and C0/BD for G.711 or ADTS AAC.
    if ((id & 0xf0) === VIDEO_STREAM_ID) return 'h264';
    return parseAdtsHeader(data) ? 'aac' : 'pcma';
  }

  private finish(id: number, receivedAtMs: number, out: MediaFrame[]): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    if (!p || p.bytes === 0) return;
    const data = p.chunks.length === 1 ? p.chunks[0] : concatAll(p.chunks, p.bytes);
    const codec = this.codecOf(id, data);
    if (codec === 'h264' || codec === 'h265') {
      const frame: VideoFrame | undefined = buildVideoFrame(codec, splitAnnexB(data), p.pts90k, receivedAtMs, this);
      if (!frame) return;
      if (this.waitKeyframe && !frame.keyframe) {
        this.droppedFrames++;
        return;
      }
      this.waitKeyframe = false;
      out.push(frame);
    } else if (codec === 'aac' || codec === 'pcma' || codec === 'pcmu') {
      const frames = audioFrames(codec, data, p.pts90k, receivedAtMs, this.opts.g711SampleRate ?? 8000);
      if (frames.length && this.audioParams?.codec !== codec) this.audioParams = audioParamsOf(codec, data, this.opts.g711SampleRate ?? 8000);
      out.push(...frames);
    } else {
      this.droppedFrames++;
    }
  }
}

function audioParamsOf(codec: 'aac' | 'pcma' | 'pcmu', data: Uint8Array, g711Rate: number): AudioParams | undefined {
  if (codec !== 'aac') return { codec, sampleRate: g711Rate, channels: 1 };
  const h = parseAdtsHeader(data);
  if (!h || h.channels < 1) return undefined;
  const aacConfig = buildAacAudioSpecificConfig({ objectType: h.objectType, sampleRate: h.sampleRate, channels: h.channels });
  return { codec, sampleRate: h.sampleRate, channels: h.channels, aacConfig, rfc6381: aacCodecString(h.objectType) };
}

function audioFrames(codec: 'aac' | 'pcma' | 'pcmu', data: Uint8Array, pts90k: number, receivedAtMs: number, g711Rate: number): AudioFrame[] {
  if (codec !== 'aac') {
    return [{ kind: 'audio', pts: Math.round((pts90k * g711Rate) / 90000), samples: data.length, data, receivedAtMs }];
  }
  const frames: AudioFrame[] = [];
  let o = 0;
  let pts90 = pts90k;
  // A PES may hold several ADTS frames; each is one AU of 1024 samples.
  for (let h = parseAdtsHeader(data, o); h && o + h.frameLength <= data.length; h = parseAdtsHeader(data, o)) {
    frames.push({ kind: 'audio', pts: Math.round((pts90 * h.sampleRate) / 90000), samples: 1024, data: data.subarray(o + h.headerLength, o + h.frameLength), receivedAtMs });
    pts90 += (1024 * 90000) / h.sampleRate;
    o += h.frameLength;
  }
  return frames;
}

const isMediaStream = (id: number): boolean => (id & 0xe0) === AUDIO_STREAM_ID || (id & 0xf0) === VIDEO_STREAM_ID || id === PRIVATE_STREAM_1;

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function concatAll(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
