// The recording index as playback sees it: files with their decoded fragment index placed on the
// wall clock in 90 kHz ticks, and the keyframe before an instant — from the index alone, without
// opening a video file (docs/design/playback.md).
import type { Kysely } from 'kysely';
import { decodeFragmentIndex } from '../recording/fragment-index.ts';
import type { FileRow, RunRow } from '../store/repos/recording-repo.ts';
import type { Database } from '../store/schema.ts';

export interface IndexedFragment {
  index: number;
  fileOffset: number;
  byteLength: number;
  duration90k: number;
  frameCount: number;
  keyframeOffset90k?: number;
  /** Wall clock of the fragment's first sample, ms × 90 since the epoch. */
  wall90k: number;
}

export interface IndexedFile {
  row: FileRow;
  /** Wall clock of the first sample and of the end of the last, ms × 90 since the epoch. */
  start90k: number;
  end90k: number;
  frags: IndexedFragment[];
}

/**
 * Wall clock of a file's first sample in 90 kHz ticks, exact: the run's start (start_ms was
 * computed as run start + round(start_90k / 90)) plus the media offset, not the rounded start_ms.
 */
export function fileWall90k(row: Pick<FileRow, 'start_ms' | 'start_90k'>): number {
  const start90k = Number(row.start_90k);
  return (Number(row.start_ms) - Math.round(start90k / 90)) * 90 + start90k;
}

export function indexFile(row: FileRow): IndexedFile {
  const start90k = fileWall90k(row);
  const frags = decodeFragmentIndex(row.fragment_index, Number(row.init_bytes)).map((f, index) => ({ ...f, index, wall90k: start90k + f.start90k }));
  return { row, start90k, end90k: start90k + Number(row.duration_90k), frags };
}

export interface StartPoint {
  file: IndexedFile;
  fragIndex: number;
  /** Wall clock of the keyframe the stream starts with, ms × 90. */
  keyframe90k: number;
  /** True when the instant is not recorded and the start is the next recorded keyframe. */
  inGap: boolean;
}

/** The fragment whose keyframe is the last at or before the instant, in a file that holds it. */
export function keyframeBefore(file: IndexedFile, at90k: number): { fragIndex: number; keyframe90k: number } | undefined {
  let best: { fragIndex: number; keyframe90k: number } | undefined;
  for (const f of file.frags) {
    if (f.keyframeOffset90k === undefined) continue;
    const k = f.wall90k + f.keyframeOffset90k;
    if (k > at90k) break;
    best = { fragIndex: f.index, keyframe90k: k };
  }
  return best;
}

/** Queries of the index used by playback and export (camera-scoped by the caller). */
export class PlaybackIndex {
  constructor(private readonly db: Kysely<Database>) {}

  /** The last file starting at or before the instant and ending after it. */
  fileAt(cameraId: number, atMs: number): Promise<FileRow | undefined> {
    return this.db.selectFrom('recording_file').selectAll().where('camera_id', '=', cameraId).where('start_ms', '<=', atMs).where('end_ms', '>', atMs).orderBy('start_ms', 'desc').limit(1).executeTakeFirst();
  }

  /** Files starting after `afterStartMs` (or at it with a larger id), in time order. */
  filesAfter(cameraId: number, afterStartMs: number, afterId: number, limit = 16): Promise<FileRow[]> {
    return this.db
      .selectFrom('recording_file')
      .selectAll()
      .where('camera_id', '=', cameraId)
      .where((eb) => eb.or([eb('start_ms', '>', afterStartMs), eb.and([eb('start_ms', '=', afterStartMs), eb('id', '>', afterId)])]))
      .orderBy('start_ms')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  fileById(id: number): Promise<FileRow | undefined> {
    return this.db.selectFrom('recording_file').selectAll().where('id', '=', id).executeTakeFirst();
  }

  runById(id: number): Promise<RunRow | undefined> {
    return this.db.selectFrom('recording_run').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Where playback of a camera starts for an instant; undefined when nothing is recorded after it. */
  async startPoint(cameraId: number, atMs: number): Promise<StartPoint | undefined> {
    const at90k = atMs * 90;
    const row = await this.fileAt(cameraId, atMs);
    if (row) {
      const file = indexFile(row);
      const k = keyframeBefore(file, at90k);
      if (k) return { file, ...k, inGap: false };
    }
    const next = (await this.filesAfter(cameraId, atMs, 0, 1))[0];
    if (!next) return undefined;
    const file = indexFile(next);
    const k = file.frags.find((f) => f.keyframeOffset90k !== undefined);
    if (!k) return undefined;
    return { file, fragIndex: k.index, keyframe90k: k.wall90k + k.keyframeOffset90k!, inGap: file.start90k > at90k };
  }
}
