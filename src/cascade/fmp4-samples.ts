// A small reader of the recorder's fMP4 (recording.md): the video track's codec and parameter
// sets from the init segment (avcC/hvcC), and the video frames of one moof+mdat fragment, as
// NAL units with 90 kHz times — what the PS muxer needs to send recordings over GB/T 28181.
import { parseBoxes, parseChildren } from '../media/fmp4/parse-boxes.ts';
import type { BoxInfo } from '../media/fmp4/parse-boxes.ts';
import type { VideoCodec } from '../media/types.ts';

export interface VideoTrackInfo {
  trackId: number;
  timescale: number;
  codec: VideoCodec;
  /** SPS/PPS (and VPS) from the sample entry: sent in-band before every keyframe. */
  paramSets: Uint8Array[];
}

export interface StoredFrame {
  /** Decode time in 90 kHz ticks (track time converted). */
  dts90k: number;
  pts90k: number;
  keyframe: boolean;
  nalus: Uint8Array[];
}

export class Fmp4ReadError extends Error {
  override readonly name = 'Fmp4ReadError';
}

const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const child = (b: Uint8Array, box: BoxInfo, type: string, skip = 0): BoxInfo | undefined =>
  parseBoxes(b, box.offset + box.headerSize + skip, box.offset + box.size).boxes.find((x) => x.type === type);
const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new Fmp4ReadError(`fMP4: ${what} missing`);
  return v;
};

export function readVideoTrack(init: Uint8Array): VideoTrackInfo {
  const moov = need(parseBoxes(init).boxes.find((b) => b.type === 'moov'), 'moov');
  for (const trak of parseChildren(init, moov).filter((b) => b.type === 'trak')) {
    const tkhd = need(child(init, trak, 'tkhd'), 'tkhd');
    const mdia = need(child(init, trak, 'mdia'), 'mdia');
    const hdlr = need(child(init, mdia, 'hdlr'), 'hdlr');
    if (String.fromCharCode(...init.subarray(hdlr.offset + 16, hdlr.offset + 20)) !== 'vide') continue;
    const v = init[tkhd.offset + 8];
    const trackId = u32(init, tkhd.offset + 12 + (v === 1 ? 16 : 8));
    const mdhd = need(child(init, mdia, 'mdhd'), 'mdhd');
    const timescale = u32(init, mdhd.offset + 12 + (init[mdhd.offset + 8] === 1 ? 16 : 8));
    const stbl = need(child(init, need(child(init, mdia, 'minf'), 'minf'), 'stbl'), 'stbl');
    const stsd = need(child(init, stbl, 'stsd'), 'stsd');
    const entry = need(parseBoxes(init, stsd.offset + 16, stsd.offset + stsd.size).boxes[0], 'sample entry');
    const codec: VideoCodec = entry.type === 'avc1' || entry.type === 'avc3' ? 'h264' : 'h265';
    const cfg = need(child(init, entry, codec === 'h264' ? 'avcC' : 'hvcC', 78), codec === 'h264' ? 'avcC' : 'hvcC');
    const rec = init.subarray(cfg.offset + cfg.headerSize, cfg.offset + cfg.size);
    return { trackId, timescale, codec, paramSets: codec === 'h264' ? avcParamSets(rec) : hevcParamSets(rec) };
  }
  throw new Fmp4ReadError('fMP4: no video track');
}

function avcParamSets(r: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 5;
  for (const count of [r[o++] & 0x1f, -1]) {
    const n = count >= 0 ? count : r[o++];
    for (let i = 0; i < n; i++) {
      const len = u16(r, o);
      out.push(r.slice(o + 2, o + 2 + len));
      o += 2 + len;
    }
  }
  return out;
}

function hevcParamSets(r: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 22;
  const arrays = r[o++];
  for (let a = 0; a < arrays; a++) {
    o++; // array_completeness, NAL type
    const n = u16(r, o);
    o += 2;
    for (let i = 0; i < n; i++) {
      const len = u16(r, o);
      out.push(r.slice(o + 2, o + 2 + len));
      o += 2 + len;
    }
  }
  return out;
}

/** Video frames of one fragment (bytes = moof followed by its mdat). */
export function fragmentFrames(bytes: Uint8Array, track: VideoTrackInfo): StoredFrame[] {
  const moof = need(parseBoxes(bytes).boxes.find((b) => b.type === 'moof'), 'moof');
  const toTicks = (t: number): number => (track.timescale === 90000 ? t : Math.round((t * 90000) / track.timescale));
  const out: StoredFrame[] = [];
  for (const traf of parseChildren(bytes, moof).filter((b) => b.type === 'traf')) {
    const tfhd = need(child(bytes, traf, 'tfhd'), 'tfhd');
    const tf = u32(bytes, tfhd.offset + 8) & 0xffffff;
    if (u32(bytes, tfhd.offset + 12) !== track.trackId) continue;
    let p = tfhd.offset + 16 + (tf & 0x1 ? 8 : 0) + (tf & 0x2 ? 4 : 0);
    const defDur = tf & 0x8 ? u32(bytes, (p += 4) - 4) : 0;
    const defSize = tf & 0x10 ? u32(bytes, (p += 4) - 4) : 0;
    const defFlags = tf & 0x20 ? u32(bytes, p) : 0;
    const tfdt = child(bytes, traf, 'tfdt');
    let t = tfdt ? (bytes[tfdt.offset + 8] === 1 ? Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(tfdt.offset + 12)) : u32(bytes, tfdt.offset + 12)) : 0;
    for (const trun of parseChildren(bytes, traf).filter((b) => b.type === 'trun')) {
      const flags = u32(bytes, trun.offset + 8) & 0xffffff;
      const count = u32(bytes, trun.offset + 12);
      let q = trun.offset + 16;
      let data = moof.offset + (flags & 0x1 ? u32(bytes, (q += 4) - 4) | 0 : moof.size + 8);
      const first = flags & 0x4 ? u32(bytes, (q += 4) - 4) : undefined;
      for (let i = 0; i < count; i++) {
        const duration = flags & 0x100 ? u32(bytes, (q += 4) - 4) : defDur;
        const size = flags & 0x200 ? u32(bytes, (q += 4) - 4) : defSize;
        const sf = i === 0 && first !== undefined ? first : flags & 0x400 ? u32(bytes, (q += 4) - 4) : defFlags;
        const cto = flags & 0x800 ? u32(bytes, (q += 4) - 4) | 0 : 0;
        if (data + size > bytes.length) throw new Fmp4ReadError('fMP4: sample past the end of the fragment');
        const nalus = splitLengthPrefixed(bytes.subarray(data, data + size));
        const keyframe = (sf & 0x00010000) === 0;
        out.push({ dts90k: toTicks(t), pts90k: toTicks(t + cto), keyframe, nalus: keyframe ? [...track.paramSets, ...nalus] : nalus });
        t += duration;
        data += size;
      }
    }
  }
  return out;
}

function splitLengthPrefixed(s: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 4 <= s.length; ) {
    const len = u32(s, o);
    if (len === 0 || o + 4 + len > s.length) break;
    out.push(s.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return out;
}
