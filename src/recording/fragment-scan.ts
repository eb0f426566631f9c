// Reads a recording file as xuncha wrote it (ftyp, moov, then moof+mdat fragments) without
// trusting the index: where each complete fragment lies, its video samples' durations, sizes and
// keyframe flags, whether the parameter sets parse, and (optionally) whether every sample is a
// well-formed run of length-prefixed NAL units. Used by `verify-recordings` to compare media
// with the index, and by start-up recovery to rebuild the index of fragments that reached the
// disk but not the database (docs/design/recording.md).
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { h264VideoParams } from '../media/h264/params.ts';
import { h265VideoParams } from '../media/h265/params.ts';
import type { FragmentEntry } from './fragment-index.ts';

export interface ScannedFragment extends FragmentEntry {
  /** Offset of the moof in the file. */
  fileOffset: number;
  /** tfdt of the video track, 90 kHz. */
  baseDecodeTime90k: number;
  /** Durations of the video samples, 90 kHz. */
  sampleDurations90k: number[];
  keyframes: boolean[];
  /** First thing wrong inside the fragment (bad NAL structure, sample outside mdat…). */
  problem?: string;
}

export interface FileScan {
  /** Bytes of the file on disk. */
  size: number;
  codec?: 'h264' | 'h265';
  /** What the init segment describes (to rebuild a run row from a file alone). */
  video?: { width: number; height: number; rfc6381: string };
  audioCodec?: 'aac' | 'pcma' | 'pcmu';
  /** End of ftyp+moov; 0 when the init segment is incomplete or unreadable. */
  initBytes: number;
  /** Why the init segment or its parameter sets are unusable. */
  initProblem?: string;
  fragments: ScannedFragment[];
  /** Offset just past the last complete moof+mdat (initBytes when none). */
  completeEnd: number;
  /** What follows completeEnd within the scanned length, when it is not a complete fragment. */
  trailing?: string;
}

const VIDEO_HANDLER = 'vide';
const MAX_MOOF_BYTES = 8 * 1024 * 1024;
const MAX_MOOV_BYTES = 4 * 1024 * 1024;
/** Far more samples than one fragment holds (≤ 10 s at ≤ 120 fps is 1,200). */
const MAX_FRAGMENT_SAMPLES = 100_000;

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

interface Box {
  type: string;
  offset: number;
  size: number;
  header: number;
}

function boxesIn(buf: Uint8Array, start: number, end: number): Box[] {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Box[] = [];
  let o = start;
  while (o + 8 <= end) {
    const size = v.getUint32(o);
    const type = String.fromCharCode(buf[o + 4], buf[o + 5], buf[o + 6], buf[o + 7]);
    if (size < 8 || o + size > end) break;
    out.push({ type, offset: o, size, header: 8 });
    o += size;
  }
  return out;
}

const child = (buf: Uint8Array, b: Box | undefined, type: string): Box | undefined => (b ? boxesIn(buf, b.offset + b.header, b.offset + b.size).find((c) => c.type === type) : undefined);
const children = (buf: Uint8Array, b: Box, type: string): Box[] => boxesIn(buf, b.offset + b.header, b.offset + b.size).filter((c) => c.type === type);

interface VideoTrack {
  trackId: number;
  timescale: number;
  codec: 'h264' | 'h265';
  nalLengthSize: number;
  params: { width: number; height: number; rfc6381: string };
  audioCodec?: 'aac' | 'pcma' | 'pcmu';
}

const AUDIO_ENTRIES: Record<string, 'aac' | 'pcma' | 'pcmu'> = { mp4a: 'aac', alaw: 'pcma', ulaw: 'pcmu' };

function audioCodecOf(buf: Uint8Array, moov: Box): 'aac' | 'pcma' | 'pcmu' | undefined {
  for (const trak of children(buf, moov, 'trak')) {
    const stsd = child(buf, child(buf, child(buf, child(buf, trak, 'mdia'), 'minf'), 'stbl'), 'stsd');
    const entry = stsd ? boxesIn(buf, stsd.offset + 16, stsd.offset + stsd.size)[0] : undefined;
    if (entry && AUDIO_ENTRIES[entry.type]) return AUDIO_ENTRIES[entry.type];
  }
  return undefined;
}

/** Finds the video track in a moov and checks its parameter sets parse. */
function readMoov(buf: Uint8Array, moov: Box): VideoTrack | string {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const trak of children(buf, moov, 'trak')) {
    const mdia = child(buf, trak, 'mdia');
    const hdlr = child(buf, mdia, 'hdlr');
    if (!hdlr || String.fromCharCode(...buf.subarray(hdlr.offset + 16, hdlr.offset + 20)) !== VIDEO_HANDLER) continue;
    const tkhd = child(buf, trak, 'tkhd');
    const mdhd = child(buf, mdia, 'mdhd');
    if (!tkhd || !mdhd) return 'video track without tkhd/mdhd';
    const trackId = v.getUint32(tkhd.offset + 8 + (buf[tkhd.offset + 8] === 1 ? 20 : 12));
    const timescale = v.getUint32(mdhd.offset + 8 + (buf[mdhd.offset + 8] === 1 ? 20 : 12));
    const stsd = child(buf, child(buf, child(buf, mdia, 'minf'), 'stbl'), 'stsd');
    if (!stsd || timescale === 0) return 'video track without sample description';
    const entry = boxesIn(buf, stsd.offset + 16, stsd.offset + stsd.size)[0];
    if (!entry) return 'empty sample description';
    // VisualSampleEntry: 8 header + 78 bytes before its child boxes.
    const configs = boxesIn(buf, entry.offset + 86, entry.offset + entry.size);
    try {
      if (entry.type === 'avc1' || entry.type === 'avc3') {
        const c = configs.find((b) => b.type === 'avcC');
        if (!c) return 'avc1 without avcC';
        const rec = buf.subarray(c.offset + 8, c.offset + c.size);
        const sets = readAvcC(rec);
        const p = h264VideoParams(sets.sps, sets.pps);
        return { trackId, timescale, codec: 'h264', nalLengthSize: (rec[4] & 3) + 1, params: { width: p.width, height: p.height, rfc6381: p.rfc6381 }, audioCodec: audioCodecOf(buf, moov) };
      }
      if (entry.type === 'hvc1' || entry.type === 'hev1') {
        const c = configs.find((b) => b.type === 'hvcC');
        if (!c) return 'hvc1 without hvcC';
        const rec = buf.subarray(c.offset + 8, c.offset + c.size);
        const sets = readHvcC(rec);
        const p = h265VideoParams(sets.vps, sets.sps, sets.pps);
        return { trackId, timescale, codec: 'h265', nalLengthSize: (rec[21] & 3) + 1, params: { width: p.width, height: p.height, rfc6381: p.rfc6381 }, audioCodec: audioCodecOf(buf, moov) };
      }
    } catch (err) {
      return `parameter sets do not parse: ${(err as Error).message}`;
    }
    return `unsupported video sample entry ${entry.type}`;
  }
  return 'no video track';
}

function readAvcC(rec: Uint8Array): { sps: Uint8Array; pps: Uint8Array } {
  let o = 5;
  const take = (): Uint8Array => {
    const len = (rec[o] << 8) | rec[o + 1];
    if (o + 2 + len > rec.length) throw new Error('avcC truncated');
    const nal = rec.subarray(o + 2, o + 2 + len);
    o += 2 + len;
    return nal;
  };
  const nSps = rec[o++] & 0x1f;
  if (nSps < 1) throw new Error('avcC holds no SPS');
  const sps = take();
  for (let i = 1; i < nSps; i++) take();
  if (rec[o++] < 1) throw new Error('avcC holds no PPS');
  const pps = take();
  if ((sps[0] & 0x1f) !== 7 || (pps[0] & 0x1f) !== 8) throw new Error('avcC SPS/PPS have wrong NAL types');
  return { sps, pps };
}

function readHvcC(rec: Uint8Array): { vps: Uint8Array; sps: Uint8Array; pps: Uint8Array } {
  const found = new Map<number, Uint8Array>();
  let o = 23;
  const arrays = rec[22];
  for (let a = 0; a < arrays; a++) {
    const type = rec[o] & 0x3f;
    const n = (rec[o + 1] << 8) | rec[o + 2];
    o += 3;
    for (let i = 0; i < n; i++) {
      const len = (rec[o] << 8) | rec[o + 1];
      if (o + 2 + len > rec.length) throw new Error('hvcC truncated');
      if (!found.has(type)) found.set(type, rec.subarray(o + 2, o + 2 + len));
      o += 2 + len;
    }
  }
  const vps = found.get(32);
  const sps = found.get(33);
  const pps = found.get(34);
  if (!vps || !sps || !pps) throw new Error('hvcC lacks VPS, SPS or PPS');
  return { vps, sps, pps };
}

interface TrunSamples {
  dataOffset: number;
  durations: number[];
  sizes: number[];
  keyframes: boolean[];
}

/** The video track's samples of one moof; undefined when the moof has none. */
function readMoof(buf: Uint8Array, track: VideoTrack): { base: number; trun: TrunSamples } | string | undefined {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const moof: Box = { type: 'moof', offset: 0, size: buf.length, header: 8 };
  for (const traf of children(buf, moof, 'traf')) {
    const tfhd = child(buf, traf, 'tfhd');
    if (!tfhd) return 'traf without tfhd';
    const tfFlags = v.getUint32(tfhd.offset + 8) & 0xffffff;
    if (v.getUint32(tfhd.offset + 12) !== track.trackId) continue;
    let o = tfhd.offset + 16;
    if (tfFlags & 0x01) return 'tfhd base-data-offset is not written by xuncha';
    if (tfFlags & 0x02) o += 4;
    const defDuration = tfFlags & 0x08 ? v.getUint32(o) : 0;
    if (tfFlags & 0x08) o += 4;
    const defSize = tfFlags & 0x10 ? v.getUint32(o) : 0;
    if (tfFlags & 0x10) o += 4;
    const defFlags = tfFlags & 0x20 ? v.getUint32(o) : 0;
    const tfdt = child(buf, traf, 'tfdt');
    if (!tfdt) return 'traf without tfdt';
    const base = buf[tfdt.offset + 8] === 1 ? Number(v.getBigUint64(tfdt.offset + 12)) : v.getUint32(tfdt.offset + 12);
    const trun = child(buf, traf, 'trun');
    if (!trun) return 'traf without trun';
    const flags = v.getUint32(trun.offset + 8) & 0xffffff;
    const count = v.getUint32(trun.offset + 12);
    let p = trun.offset + 16;
    const dataOffset = flags & 0x1 ? v.getInt32(p) : 0;
    if (flags & 0x1) p += 4;
    let firstFlags: number | undefined;
    if (flags & 0x4) {
      firstFlags = v.getUint32(p);
      p += 4;
    }
    const per = (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0);
    if (p + per * count > trun.offset + trun.size) return 'trun shorter than its sample count';
    // Without per-sample fields the count alone says how many samples: a lying one must not
    // make the scan build billions of entries.
    if (count > MAX_FRAGMENT_SAMPLES) return `trun claims ${count} samples`;
    const out: TrunSamples = { dataOffset, durations: [], sizes: [], keyframes: [] };
    for (let i = 0; i < count; i++) {
      const d = flags & 0x100 ? v.getUint32(p) : defDuration;
      if (flags & 0x100) p += 4;
      const s = flags & 0x200 ? v.getUint32(p) : defSize;
      if (flags & 0x200) p += 4;
      let f = flags & 0x400 ? v.getUint32(p) : defFlags;
      if (flags & 0x400) p += 4;
      if (i === 0 && firstFlags !== undefined) f = firstFlags;
      if (flags & 0x800) p += 4;
      out.durations.push(Math.round((d * 90_000) / track.timescale));
      out.sizes.push(s);
      // sample_is_non_sync_sample is bit 16.
      out.keyframes.push((f & 0x10000) === 0);
    }
    return { base: Math.round((base * 90_000) / track.timescale), trun: out };
  }
  return undefined;
}

/** Checks one sample is a run of length-prefixed NAL units, a keyframe holding an IRAP picture. */
function sampleProblem(s: Uint8Array, track: VideoTrack, keyframe: boolean): string | undefined {
  let o = 0;
  let vcl = false;
  let irap = false;
  while (o < s.length) {
    if (o + track.nalLengthSize > s.length) return 'sample ends inside a NAL length';
    let len = 0;
    for (let i = 0; i < track.nalLengthSize; i++) len = len * 256 + s[o + i];
    o += track.nalLengthSize;
    if (len === 0 || o + len > s.length) return 'NAL length past the sample';
    if (s[o] & 0x80) return 'NAL forbidden bit set';
    if (track.codec === 'h264') {
      const t = s[o] & 0x1f;
      if (t === 0 || t >= 24) return `unknown H.264 NAL type ${t}`;
      if (t >= 1 && t <= 5) vcl = true;
      if (t === 5) irap = true;
    } else {
      const t = (s[o] >> 1) & 0x3f;
      if (t <= 31) vcl = true;
      if (t >= 16 && t <= 21) irap = true;
      if (t >= 41 && t <= 47) return `reserved H.265 NAL type ${t}`;
    }
    o += len;
  }
  if (!vcl) return 'sample holds no picture';
  if (keyframe && !irap) return 'keyframe sample without an IDR/IRAP picture';
  return undefined;
}

/** A read the scan needs: `length` bytes at `offset` (fewer at the end of the file). */
interface ReadRequest {
  offset: number;
  length: number;
}

export interface ScanOptions {
  limitBytes?: number;
  checkSamples?: boolean;
}

/**
 * Scans a recording file up to `limitBytes` (default: its size). With `checkSamples`, reads every
 * video sample too (a full read of the file); otherwise only box headers and moofs.
 */
export async function scanRecordingFile(absPath: string, opts: ScanOptions = {}): Promise<FileScan> {
  const fh = await open(absPath, 'r');
  try {
    const steps = scanSteps((await fh.stat()).size, opts);
    let step = steps.next();
    while (!step.done) step = steps.next(await readAt(fh, step.value.offset, step.value.length));
    return step.value;
  } finally {
    await fh.close();
  }
}

/** The same scan over bytes in memory (the fuzz target; tests of damaged files). */
export function scanRecordingBytes(bytes: Uint8Array, opts: ScanOptions = {}): FileScan {
  const steps = scanSteps(bytes.length, opts);
  let step = steps.next();
  while (!step.done) step = steps.next(bytes.subarray(step.value.offset, Math.min(bytes.length, step.value.offset + step.value.length)));
  return step.value;
}

/** Parses a box already read whole; a field past its end is a reason, not an exception. */
function parsed<T>(what: string, fn: () => T): T | string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) return `${what} truncated: a field lies past its end`;
    throw err;
  }
}

/**
 * The scan as a generator of reads, so that files are read asynchronously and memory
 * synchronously by the same code.
 */
function* scanSteps(size: number, opts: ScanOptions): Generator<ReadRequest, FileScan, Uint8Array> {
  const end = Math.min(size, opts.limitBytes ?? size);
  const scan: FileScan = { size, initBytes: 0, fragments: [], completeEnd: 0 };
  let pos = 0;
  let track: VideoTrack | undefined;
  function* header(at: number): Generator<ReadRequest, Box | string, Uint8Array> {
    if (at + 8 > end) return `${end - at} bytes of a box header`;
    const h = yield { offset: at, length: 8 };
    const boxSize = new DataView(h.buffer, h.byteOffset, h.byteLength).getUint32(0);
    const type = String.fromCharCode(...h.subarray(4, 8));
    if (boxSize < 8) return `a box of impossible size ${boxSize}`;
    if (at + boxSize > end) return `an incomplete '${type.replace(/[^\x20-\x7e]/g, '?')}' box (${end - at} of ${boxSize} bytes)`;
    return { type, offset: at, size: boxSize, header: 8 };
  }
  // Init segment: ftyp then moov.
  while (pos < end && !track) {
    const b = yield* header(pos);
    if (typeof b === 'string') {
      scan.initProblem = `init segment incomplete: ${b}`;
      scan.trailing = b;
      return scan;
    }
    if (b.type === 'moov') {
      if (b.size > MAX_MOOV_BYTES) {
        scan.initProblem = 'moov too large';
        return scan;
      }
      const moov = yield { offset: b.offset, length: b.size };
      const t = parsed('moov', () => readMoov(moov, { type: 'moov', offset: 0, size: b.size, header: 8 }));
      if (typeof t === 'string') {
        scan.initProblem = t;
        return scan;
      }
      track = t;
      scan.codec = t.codec;
      scan.video = t.params;
      scan.audioCodec = t.audioCodec;
    } else if (b.type !== 'ftyp') {
      scan.initProblem = `unexpected '${b.type.replace(/[^\x20-\x7e]/g, '?')}' box before moov`;
      return scan;
    }
    pos = b.offset + b.size;
  }
  if (!track) {
    scan.initProblem = 'no moov';
    return scan;
  }
  scan.initBytes = pos;
  scan.completeEnd = pos;
  while (pos < end) {
    const moofBox = yield* header(pos);
    if (typeof moofBox === 'string' || moofBox.type !== 'moof' || moofBox.size > MAX_MOOF_BYTES) {
      scan.trailing = typeof moofBox === 'string' ? moofBox : `a '${moofBox.type.replace(/[^\x20-\x7e]/g, '?')}' box where a moof was expected`;
      break;
    }
    const mdatBox = yield* header(moofBox.offset + moofBox.size);
    if (typeof mdatBox === 'string' || mdatBox.type !== 'mdat') {
      scan.trailing = `a moof whose mdat is ${typeof mdatBox === 'string' ? mdatBox : `a '${mdatBox.type.replace(/[^\x20-\x7e]/g, '?')}' box`}`;
      break;
    }
    const moof = yield { offset: moofBox.offset, length: moofBox.size };
    const videoTrack = track;
    const samples = parsed('moof', () => readMoof(moof, videoTrack));
    const frag: ScannedFragment = { fileOffset: moofBox.offset, byteLength: moofBox.size + mdatBox.size, duration90k: 0, frameCount: 0, baseDecodeTime90k: 0, sampleDurations90k: [], keyframes: [] };
    if (typeof samples === 'string') frag.problem = samples;
    else if (samples) {
      const t = samples.trun;
      frag.baseDecodeTime90k = samples.base;
      frag.sampleDurations90k = t.durations;
      frag.keyframes = t.keyframes;
      frag.frameCount = t.durations.length;
      frag.duration90k = t.durations.reduce((a, b) => a + b, 0);
      const k = t.keyframes.indexOf(true);
      frag.keyframeOffset90k = k < 0 ? undefined : t.durations.slice(0, k).reduce((a, b) => a + b, 0);
      const dataStart = moofBox.offset + t.dataOffset;
      const dataBytes = t.sizes.reduce((a, b) => a + b, 0);
      if (dataStart < mdatBox.offset + 8 || dataStart + dataBytes > mdatBox.offset + mdatBox.size) frag.problem = 'video samples lie outside their mdat';
      else if (opts.checkSamples) {
        const data = yield { offset: dataStart, length: dataBytes };
        let o = 0;
        for (let i = 0; i < t.sizes.length && !frag.problem; i++) {
          const p = sampleProblem(data.subarray(o, o + t.sizes[i]), track, t.keyframes[i]);
          if (p) frag.problem = `sample ${i}: ${p}`;
          o += t.sizes[i];
        }
      }
    }
    scan.fragments.push(frag);
    pos = mdatBox.offset + mdatBox.size;
    scan.completeEnd = pos;
  }
  return scan;
}
