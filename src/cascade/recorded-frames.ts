// Frames of a camera's recordings over [fromMs, toMs), read through the fragment index: only the
// init segment and the fragments covering the range are read, starting at the last keyframe
// fragment at or before fromMs. Gaps between runs are skipped (nothing recorded there).
import { open } from 'node:fs/promises';
import { decodeFragmentIndex } from '../recording/fragment-index.ts';
import type { FileStore } from '../recording/file-store.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { fragmentFrames, readVideoTrack } from './fmp4-samples.ts';
import type { StoredFrame, VideoTrackInfo } from './fmp4-samples.ts';

export interface RecordedFrame extends StoredFrame {
  /** Wall clock of the frame, ms since epoch. */
  wallMs: number;
  codec: VideoTrackInfo['codec'];
}

export async function* recordedFrames(store: Store, files: FileStore, cameraId: number, fromMs: number, toMs: number): AsyncGenerator<RecordedFrame> {
  const rows = await repos(store.db).recordings.filesBetween(cameraId, fromMs, toMs);
  for (const row of rows) {
    const frags = decodeFragmentIndex(row.fragment_index, Number(row.init_bytes));
    const startMs = Number(row.start_ms);
    const wallOf = (f: { start90k: number }) => startMs + f.start90k / 90;
    let first = 0;
    for (let i = 0; i < frags.length; i++) if (frags[i].keyframeOffset90k !== undefined && wallOf(frags[i]) <= fromMs) first = i;
    const fh = await open(files.absolute(row.rel_path), 'r');
    try {
      const init = new Uint8Array(Number(row.init_bytes));
      await fh.read(init, 0, init.length, 0);
      const track = readVideoTrack(init);
      for (let i = first; i < frags.length; i++) {
        const f = frags[i];
        if (wallOf(f) >= toMs) break;
        const bytes = new Uint8Array(f.byteLength);
        await fh.read(bytes, 0, bytes.length, f.fileOffset);
        const frames = fragmentFrames(bytes, track);
        const base = frames[0]?.dts90k ?? 0;
        for (const fr of frames) {
          const wallMs = wallOf(f) + (fr.dts90k - base) / 90;
          if (wallMs >= toMs) break;
          yield { ...fr, wallMs, codec: track.codec };
        }
      }
    } finally {
      await fh.close();
    }
  }
}
