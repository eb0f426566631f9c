// Reading the recorder's fMP4 for playback and export: the tracks of an init segment and the
// samples of a movie fragment (moof), with absolute byte positions of their data.
import { findBox, parseBoxes, parseChildren } from '../media/fmp4/parse-boxes.ts';
import type { BoxInfo } from '../media/fmp4/parse-boxes.ts';

export interface InitTrack {
  trackId: number;
  timescale: number;
  handler: string;
  width: number;
  height: number;
  /** The whole trak box, and its hdlr, minf header (vmhd/smhd), dinf and stsd boxes, verbatim. */
  trak: Uint8Array;
  hdlr: Uint8Array;
  mediaHeader?: Uint8Array;
  dinf?: Uint8Array;
  stsd: Uint8Array;
}

export interface FragSample {
  trackId: number;
  /** Decode time in the track's timescale (tfdt + preceding durations). */
  decodeTime: number;
  duration: number;
  size: number;
  flags: number;
  cto: number;
  /** Offset of the sample data from the start of the moof. */
  dataOffset: number;
}

const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const i32 = (b: Uint8Array, o: number) => u32(b, o) | 0;
const slice = (b: Uint8Array, box: BoxInfo) => b.subarray(box.offset, box.offset + box.size);

export const isSync = (flags: number): boolean => (flags & 0x00010000) === 0;

export function parseInit(init: Uint8Array): InitTrack[] {
  const moov = parseBoxes(init).boxes.find((b) => b.type === 'moov');
  if (!moov) throw new Error('init segment without moov');
  const out: InitTrack[] = [];
  for (const trak of parseChildren(init, moov).filter((b) => b.type === 'trak')) {
    const kids = parseChildren(init, trak);
    const tkhd = kids.find((b) => b.type === 'tkhd');
    const mdia = kids.find((b) => b.type === 'mdia');
    if (!tkhd || !mdia) continue;
    const version = init[tkhd.offset + 8];
    const trackId = u32(init, tkhd.offset + 8 + 4 + (version === 1 ? 16 : 8));
    const m = parseChildren(init, mdia);
    const mdhd = m.find((b) => b.type === 'mdhd')!;
    const hdlr = m.find((b) => b.type === 'hdlr')!;
    const minf = m.find((b) => b.type === 'minf')!;
    const mv = init[mdhd.offset + 8];
    const timescale = u32(init, mdhd.offset + 12 + (mv === 1 ? 16 : 8));
    const mi = parseChildren(init, minf);
    const stbl = mi.find((b) => b.type === 'stbl')!;
    const stsd = parseChildren(init, stbl).find((b) => b.type === 'stsd')!;
    const mh = mi.find((b) => b.type === 'vmhd' || b.type === 'smhd');
    const dinf = mi.find((b) => b.type === 'dinf');
    const end = tkhd.offset + tkhd.size;
    out.push({
      trackId,
      timescale,
      handler: String.fromCharCode(...init.subarray(hdlr.offset + 16, hdlr.offset + 20)),
      width: u32(init, end - 8) / 65536,
      height: u32(init, end - 4) / 65536,
      trak: slice(init, trak),
      hdlr: slice(init, hdlr),
      mediaHeader: mh ? slice(init, mh) : undefined,
      dinf: dinf ? slice(init, dinf) : undefined,
      stsd: slice(init, stsd),
    });
  }
  return out;
}

/** The init segment with the video track only (MSE cannot take G.711, and audio would stall it). */
export function videoOnlyInit(init: Uint8Array): Uint8Array {
  const tracks = parseInit(init);
  const video = tracks.find((t) => t.handler === 'vide');
  if (!video) throw new Error('recording has no video track');
  if (tracks.length === 1) return init;
  const top = parseBoxes(init).boxes;
  const parts: Uint8Array[] = [];
  for (const b of top) {
    if (b.type !== 'moov') {
      parts.push(slice(init, b));
      continue;
    }
    const kids: Uint8Array[] = [];
    for (const k of parseChildren(init, b)) {
      if (k.type === 'trak' && init.byteOffset + k.offset !== video.trak.byteOffset) continue;
      if (k.type === 'mvex') {
        const trex = parseChildren(init, k).filter((x) => x.type !== 'trex' || u32(init, x.offset + 12) === video.trackId);
        kids.push(box('mvex', trex.map((x) => slice(init, x))));
      } else kids.push(slice(init, k));
    }
    parts.push(box('moov', kids));
  }
  return concat(parts);
}

function box(type: string, children: Uint8Array[]): Uint8Array {
  const body = concat(children);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Size of the moof box at the start of `bytes` (first 8 bytes are enough). */
export function moofSize(bytes: Uint8Array): number {
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(4, 8)) !== 'moof') throw new Error('fragment does not start with moof');
  return u32(bytes, 0);
}

/** Samples of a fragment; `moof` must hold at least the whole moof box. Data offsets are relative to the moof start. */
export function parseFragment(moof: Uint8Array): FragSample[] {
  const m = findBox(moof, ['moof']);
  if (!m) throw new Error('fragment does not start with moof');
  const out: FragSample[] = [];
  for (const traf of parseChildren(moof, m).filter((b) => b.type === 'traf')) {
    const kids = parseChildren(moof, traf);
    const tfhd = kids.find((b) => b.type === 'tfhd')!;
    const tf = u32(moof, tfhd.offset + 8) & 0xffffff;
    let p = tfhd.offset + 12;
    const trackId = u32(moof, p);
    p += 4;
    if (tf & 0x1) p += 8; // base_data_offset: the recorder never writes it (default-base-is-moof)
    if (tf & 0x2) p += 4;
    let defDur = 0;
    let defSize = 0;
    let defFlags = 0;
    if (tf & 0x8) {
      defDur = u32(moof, p);
      p += 4;
    }
    if (tf & 0x10) {
      defSize = u32(moof, p);
      p += 4;
    }
    if (tf & 0x20) defFlags = u32(moof, p);
    const tfdt = kids.find((b) => b.type === 'tfdt');
    let t = 0;
    if (tfdt) t = moof[tfdt.offset + 8] === 1 ? Number(new DataView(moof.buffer, moof.byteOffset).getBigUint64(tfdt.offset + 12)) : u32(moof, tfdt.offset + 12);
    let data = 0;
    for (const trun of kids.filter((b) => b.type === 'trun')) {
      const flags = u32(moof, trun.offset + 8) & 0xffffff;
      const count = u32(moof, trun.offset + 12);
      let q = trun.offset + 16;
      if (flags & 0x1) {
        data = i32(moof, q);
        q += 4;
      }
      let first: number | undefined;
      if (flags & 0x4) {
        first = u32(moof, q);
        q += 4;
      }
      for (let i = 0; i < count; i++) {
        const duration = flags & 0x100 ? u32(moof, (q += 4) - 4) : defDur;
        const size = flags & 0x200 ? u32(moof, (q += 4) - 4) : defSize;
        let sf = flags & 0x400 ? u32(moof, (q += 4) - 4) : defFlags;
        if (i === 0 && first !== undefined) sf = first;
        const cto = flags & 0x800 ? i32(moof, (q += 4) - 4) : 0;
        out.push({ trackId, decodeTime: t, duration, size, flags: sf, cto, dataOffset: data });
        t += duration;
        data += size;
      }
    }
  }
  return out;
}
