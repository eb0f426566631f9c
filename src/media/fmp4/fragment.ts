// Movie fragment writer (ISO/IEC 14496-12 8.8): moof(mfhd, traf(tfhd, tfdt v1, trun)) + mdat.
// Sizes are computed up front so the whole fragment is written into one allocation with
// a single copy of the media data; trun data_offset is relative to the moof start
// (tfhd default-base-is-moof), which is what MSE and ffmpeg expect.

export interface FragmentSample {
  durationTicks: number;
  sizeBytes: number;
  keyframe: boolean;
  /** Presentation minus decode time, in track ticks (B-frames); may be negative. */
  compositionOffset?: number;
}

export interface FragmentTrack {
  trackId: number;
  /** Decode time of the first sample, in track timescale ticks. */
  baseMediaDecodeTime: number;
  samples: FragmentSample[];
  /** Sample bytes, concatenated in order (one chunk per sample or any other split). */
  data: Uint8Array[];
}

export interface FragmentInput {
  sequenceNumber: number;
  tracks: FragmentTrack[];
}

/** Layout of a fragment whose mdat payload the caller fills in. */
export interface FragmentLayout {
  bytes: Uint8Array;
  /** Offset in `bytes` of the first mdat payload byte. */
  mdatPayloadOffset: number;
}

// sample_flags (8.8.3.1): sync = depends on nothing; non-sync = depends on others + is_non_sync.
const SYNC_SAMPLE_FLAGS = 0x02000000;
const NON_SYNC_SAMPLE_FLAGS = 0x01010000;

const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x000001;
const TRUN_DURATION = 0x000100;
const TRUN_SIZE = 0x000200;
const TRUN_FLAGS = 0x000400;
const TRUN_CTS = 0x000800;

export function buildFragment(input: FragmentInput): Uint8Array {
  const dataBytes = input.tracks.map((t) => sumLengths(t.data));
  input.tracks.forEach((t, i) => {
    const declared = t.samples.reduce((s, x) => s + x.sizeBytes, 0);
    if (declared !== dataBytes[i]) {
      throw new Error(`track ${t.trackId}: sample sizes total ${declared} but data has ${dataBytes[i]} bytes`);
    }
  });
  const layout = layoutFragment(input.sequenceNumber, input.tracks, dataBytes);
  let o = layout.mdatPayloadOffset;
  for (const t of input.tracks) {
    for (const chunk of t.data) {
      layout.bytes.set(chunk, o);
      o += chunk.length;
    }
  }
  return layout.bytes;
}

/** Returns `size` writable bytes at offset 0 of their buffer (FragmentBuilder's buffer pool). */
export type FragmentAllocator = (size: number) => Uint8Array;

/** A fresh array, not zero-filled (layoutFragment's caller writes every byte of it). */
export const allocateFresh: FragmentAllocator = (size) => new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size);

/**
 * Allocates the whole fragment and writes moof + mdat header; track i's sample data must
 * then be written at mdatPayloadOffset + sum(trackDataBytes[0..i-1]) — every byte of the mdat
 * payload: the array is not zero-filled.
 */
export function layoutFragment(
  sequenceNumber: number,
  tracks: readonly Omit<FragmentTrack, 'data'>[],
  trackDataBytes: readonly number[],
  allocate: FragmentAllocator = allocateFresh,
): FragmentLayout {
  let moofSize = 8 + 16;
  const trunFlags: number[] = [];
  for (const t of tracks) {
    const withCts = t.samples.some((s) => s.compositionOffset !== undefined && s.compositionOffset !== 0);
    trunFlags.push(TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | (withCts ? TRUN_CTS : 0));
    moofSize += 8 + 16 + 20 + 20 + t.samples.length * (withCts ? 16 : 12);
  }
  const totalData = trackDataBytes.reduce((a, b) => a + b, 0);
  const mdatSize = 8 + totalData;
  if (mdatSize > 0xffffffff) throw new Error('fragment too large for a 32-bit mdat');
  const bytes = allocate(moofSize + mdatSize);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const boxHeader = (size: number, type: string): void => {
    v.setUint32(o, size);
    for (let i = 0; i < 4; i++) bytes[o + 4 + i] = type.charCodeAt(i);
    o += 8;
  };

  boxHeader(moofSize, 'moof');
  boxHeader(16, 'mfhd');
  v.setUint32(o, 0);
  v.setUint32(o + 4, sequenceNumber >>> 0);
  o += 8;
  let dataOffset = moofSize + 8;
  tracks.forEach((t, i) => {
    const withCts = (trunFlags[i] & TRUN_CTS) !== 0;
    const trunSize = 20 + t.samples.length * (withCts ? 16 : 12);
    boxHeader(8 + 16 + 20 + trunSize, 'traf');
    boxHeader(16, 'tfhd');
    v.setUint32(o, TFHD_DEFAULT_BASE_IS_MOOF);
    v.setUint32(o + 4, t.trackId);
    o += 8;
    boxHeader(20, 'tfdt');
    v.setUint32(o, 0x01000000); // version 1: 64-bit time
    v.setBigUint64(o + 4, BigInt(Math.max(0, Math.round(t.baseMediaDecodeTime))));
    o += 12;
    boxHeader(trunSize, 'trun');
    // Version 1 makes composition offsets signed.
    v.setUint32(o, ((withCts ? 1 : 0) << 24) | trunFlags[i]);
    v.setUint32(o + 4, t.samples.length);
    v.setUint32(o + 8, dataOffset);
    o += 12;
    for (const s of t.samples) {
      v.setUint32(o, s.durationTicks >>> 0);
      v.setUint32(o + 4, s.sizeBytes >>> 0);
      v.setUint32(o + 8, s.keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
      o += 12;
      if (withCts) {
        v.setInt32(o, s.compositionOffset ?? 0);
        o += 4;
      }
    }
    dataOffset += trackDataBytes[i];
  });
  boxHeader(mdatSize, 'mdat');
  return { bytes, mdatPayloadOffset: o };
}

function sumLengths(chunks: readonly Uint8Array[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}
