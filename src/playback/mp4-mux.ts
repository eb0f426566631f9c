// Progressive MP4 (moov first, "fast start") built straight from recorded fragments: sample
// tables from the trun boxes, sample bytes copied, nothing decoded. Starts at a keyframe, ends
// exactly at the range end, and keeps gaps on the file's time line by lengthening the sample
// before each gap, so that file time t is always wall time start + t.
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { BoxWriter } from '../media/fmp4/box-writer.ts';
import { isSync, moofSize, parseFragment, parseInit } from './fmp4-read.ts';
import type { InitTrack } from './fmp4-read.ts';
import type { IndexedFile } from './index-view.ts';

export interface MuxTrack {
  init: InitTrack;
  durations: number[];
  sizes: number[];
  ctos: number[];
  sync: number[];
  offsets: number[];
  /** Wall clock of the first sample and end of the last, ms × 90. */
  first90k?: number;
  end90k?: number;
}

export interface MuxPart {
  stsdKey: string;
  tracks: MuxTrack[];
  /** Byte ranges to copy into mdat, in order: [source file index, offset, length]. */
  copies: Array<[number, number, number]>;
  mdatBytes: number;
  start90k: number;
  /** Gaps inside the part, wall clock ms. */
  gaps: Array<{ startMs: number; endMs: number }>;
}

export interface MuxInput {
  files: IndexedFile[];
  absPaths: string[];
  /** First fragment of files[0] and the keyframe it starts at (ms × 90). */
  startFrag: number;
  start90k: number;
  end90k: number;
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Uint8Array> {
  const buf = new Uint8Array(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) throw new Error('recording file shorter than its index');
    got += bytesRead;
  }
  return buf;
}

/** Pass 1: reads the init segments and moof boxes only, and lays out the output. */
export async function planMux(input: MuxInput, signal?: AbortSignal): Promise<MuxPart[]> {
  const parts: MuxPart[] = [];
  let part: MuxPart | undefined;
  for (const [fi, file] of input.files.entries()) {
    if (file.start90k >= input.end90k) break;
    const fh = await open(input.absPaths[fi], 'r');
    try {
      const inits = parseInit(await readAt(fh, 0, Number(file.row.init_bytes)));
      const key = inits.map((t) => Buffer.from(t.stsd).toString('base64')).join('|');
      let gate90k = fi === 0 ? input.start90k : file.start90k;
      if (!part || part.stsdKey !== key) {
        part = { stsdKey: key, tracks: inits.map((init) => ({ init, durations: [], sizes: [], ctos: [], sync: [], offsets: [] })), copies: [], mdatBytes: 0, start90k: gate90k, gaps: [] };
        parts.push(part);
      } else {
        const prevEnd = Math.max(...part.tracks.map((t) => t.end90k ?? 0));
        if (file.start90k > prevEnd) part.gaps.push({ startMs: Math.round(prevEnd / 90), endMs: Math.round(file.start90k / 90) });
        for (const t of part.tracks) {
          // Lengthen the last sample up to this file's start: the gap stays on the time line.
          if (t.end90k !== undefined && t.durations.length > 0 && file.start90k > t.end90k) {
            t.durations[t.durations.length - 1] += Math.round(((file.start90k - t.end90k) * t.init.timescale) / 90000);
            t.end90k = file.start90k;
          }
        }
        gate90k = file.start90k;
      }
      for (const frag of file.frags.slice(fi === 0 ? input.startFrag : 0)) {
        if (signal?.aborted) throw new Error('cancelled');
        if (frag.wall90k >= input.end90k) break;
        const head = await readAt(fh, frag.fileOffset, Math.min(frag.byteLength, 8));
        const moof = await readAt(fh, frag.fileOffset, moofSize(head));
        const picked: Array<{ t: MuxTrack; s: ReturnType<typeof parseFragment>[number]; wall: number }> = [];
        for (const s of parseFragment(moof)) {
          const t = part.tracks.find((x) => x.init.trackId === s.trackId);
          if (!t) continue;
          const wall = file.start90k + Math.round((s.decodeTime * 90000) / t.init.timescale);
          if (wall < gate90k || wall >= input.end90k) continue;
          if (t.durations.length === 0 && t.init.handler === 'vide' && !isSync(s.flags) && !picked.some((p) => p.t === t)) continue;
          picked.push({ t, s, wall });
        }
        picked.sort((a, b) => a.s.dataOffset - b.s.dataOffset);
        for (const { t, s, wall } of picked) {
          let duration = s.duration;
          const end = wall + Math.round((duration * 90000) / t.init.timescale);
          if (end > input.end90k) duration = Math.max(1, Math.round(((input.end90k - wall) * t.init.timescale) / 90000));
          t.first90k ??= wall;
          t.end90k = Math.min(end, input.end90k);
          t.durations.push(duration);
          t.sizes.push(s.size);
          t.ctos.push(s.cto);
          t.sync.push(isSync(s.flags) ? 1 : 0);
          t.offsets.push(part.mdatBytes);
          const src = frag.fileOffset + s.dataOffset;
          const last = part.copies.at(-1);
          if (last && last[0] === fi && last[1] + last[2] === src) last[2] += s.size;
          else part.copies.push([fi, src, s.size]);
          part.mdatBytes += s.size;
        }
      }
    } finally {
      await fh.close();
    }
  }
  for (const p of parts) p.tracks = p.tracks.filter((t) => t.durations.length > 0);
  return parts.filter((p) => p.tracks.some((t) => t.init.handler === 'vide'));
}

function ftyp(): Uint8Array {
  const w = new BoxWriter(64);
  w.box('ftyp', (b) => b.fourcc('isom').u32(512).fourcc('isom').fourcc('iso2').fourcc('avc1').fourcc('mp41'));
  return w.toBytes();
}

function moov(part: MuxPart, dataStart: number): Uint8Array {
  const start90k = part.start90k;
  const w = new BoxWriter(64 * 1024);
  const durMs = (t: MuxTrack) => Math.round(((t.end90k ?? start90k) - start90k) / 90);
  const movieMs = Math.max(...part.tracks.map(durMs));
  w.box('moov', (m) => {
    m.fullBox('mvhd', 1, 0, (b) => {
      b.u64(0).u64(0).u32(1000).u64(movieMs).u32(0x00010000).u16(0x0100).zeros(10);
      for (const x of [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000]) b.u32(x);
      b.zeros(24).u32(Math.max(...part.tracks.map((t) => t.init.trackId)) + 1);
    });
    for (const t of part.tracks) {
      const mediaDur = t.durations.reduce((a, b) => a + b, 0);
      const lead = Math.round(((t.first90k ?? start90k) - start90k) / 90);
      m.box('trak', (trak) => {
        trak.fullBox('tkhd', 1, 3, (b) => {
          b.u64(0).u64(0).u32(t.init.trackId).u32(0).u64(durMs(t)).zeros(8).u16(0).u16(0).u16(t.init.handler === 'soun' ? 0x0100 : 0).u16(0);
          for (const x of [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000]) b.u32(x);
          b.u32(Math.round(t.init.width * 65536)).u32(Math.round(t.init.height * 65536));
        });
        if (lead > 0) {
          // A track starting after the movie start: an empty edit, then the media.
          trak.box('edts', (e) => e.fullBox('elst', 0, 0, (b) => b.u32(2).u32(lead).i32(-1).u32(0x10000).u32(durMs(t) - lead).i32(0).u32(0x10000)));
        }
        trak.box('mdia', (mdia) => {
          mdia.fullBox('mdhd', 1, 0, (b) => b.u64(0).u64(0).u32(t.init.timescale).u64(mediaDur).u16(0x55c4).u16(0));
          mdia.bytes(t.init.hdlr);
          mdia.box('minf', (minf) => {
            if (t.init.mediaHeader) minf.bytes(t.init.mediaHeader);
            if (t.init.dinf) minf.bytes(t.init.dinf);
            minf.box('stbl', (s) => writeSampleTables(s, t, dataStart));
          });
        });
      });
    }
  });
  return w.toBytes();
}

function writeSampleTables(s: BoxWriter, t: MuxTrack, dataStart: number): void {
  s.bytes(t.init.stsd);
  const runs = (xs: number[]) => {
    const out: Array<[number, number]> = [];
    for (const x of xs) {
      const last = out.at(-1);
      if (last && last[1] === x) last[0]++;
      else out.push([1, x]);
    }
    return out;
  };
  const stts = runs(t.durations);
  s.fullBox('stts', 0, 0, (b) => {
    b.u32(stts.length);
    for (const [n, d] of stts) b.u32(n).u32(d);
  });
  if (t.ctos.some((c) => c !== 0)) {
    const ctts = runs(t.ctos);
    s.fullBox('ctts', 1, 0, (b) => {
      b.u32(ctts.length);
      for (const [n, c] of ctts) b.u32(n).i32(c);
    });
  }
  if (t.init.handler === 'vide' && t.sync.some((x) => x === 0)) {
    const keys = t.sync.flatMap((x, i) => (x ? [i + 1] : []));
    s.fullBox('stss', 0, 0, (b) => {
      b.u32(keys.length);
      for (const k of keys) b.u32(k);
    });
  }
  s.fullBox('stsc', 0, 0, (b) => b.u32(1).u32(1).u32(1).u32(1));
  s.fullBox('stsz', 0, 0, (b) => {
    b.u32(0).u32(t.sizes.length);
    for (const z of t.sizes) b.u32(z);
  });
  s.fullBox('co64', 0, 0, (b) => {
    b.u32(t.offsets.length);
    for (const o of t.offsets) b.u64(dataStart + o);
  });
}

/** Pass 2: writes ftyp + moov + mdat, copying the sample bytes. */
export async function writeMux(part: MuxPart, absPaths: string[], dest: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<void> {
  const f = ftyp();
  const size = moov(part, 0).length;
  const dataStart = f.length + size + 16;
  const head = new Uint8Array(f.length + size + 16);
  head.set(f, 0);
  head.set(moov(part, dataStart), f.length);
  const dv = new DataView(head.buffer);
  dv.setUint32(f.length + size, 1);
  head.set([0x6d, 0x64, 0x61, 0x74], f.length + size + 4);
  dv.setBigUint64(f.length + size + 8, BigInt(16 + part.mdatBytes));
  const out = await open(dest, 'w', 0o640);
  const sources = new Map<number, FileHandle>();
  try {
    await out.write(head);
    const buf = Buffer.alloc(4 * 1024 * 1024);
    for (const [fi, off, len] of part.copies) {
      let fh = sources.get(fi);
      if (!fh) sources.set(fi, (fh = await open(absPaths[fi], 'r')));
      let done = 0;
      while (done < len) {
        if (signal?.aborted) throw new Error('cancelled');
        const n = Math.min(buf.length, len - done);
        const { bytesRead } = await fh.read(buf, 0, n, off + done);
        if (bytesRead === 0) throw new Error('recording file shorter than its index');
        await out.write(buf, 0, bytesRead);
        done += bytesRead;
        onBytes(bytesRead);
      }
    }
    await out.datasync();
  } finally {
    await out.close();
    for (const fh of sources.values()) await fh.close();
  }
}
