// A recording file whose index cannot take a fragment fails alone (R-REC-4): what is durable stays,
// the recorder is told, and the process does not die of an unhandled rejection in the write chain.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import type { IndexWriter, RunHandle } from '../../src/recording/index-writer.ts';
import { RecordingFile } from '../../src/recording/recording-file.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';

const clip = loadMainClip();
const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-recfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RecordingFile (R-REC-4)', () => {
  it('an index that throws on a durable fragment fails that file only: error reported, no unhandled rejection', async () => {
    const updates: Array<Record<string, unknown>> = [];
    const index = {
      insertFile: () => undefined,
      updateFile: (_h: unknown, patch: Record<string, unknown>) => {
        updates.push(patch);
        if ('fragment_index' in patch) throw new RangeError('index refused the fragment');
      },
      updateRun: () => undefined,
    } as unknown as IndexWriter;
    const run = { row: { camera_id: 1, duration_90k: 0, frame_count: 0 } } as unknown as RunHandle;
    const errors: Error[] = [];
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const file = new RecordingFile(new DiskFileStore(dir), index, run, {
        relPath: '1/a.mp4', start90k: 0, startMs: 0, firstPts90k: 0, video: clip.params, fragmentDurationMs: 1000, onError: (e) => errors.push(e),
      });
      for (let i = 0; i < 100; i++) file.push(clipFrame(clip, i, 0, i * 40, i === 0));
      await file.finish();
      await new Promise((r) => setTimeout(r, 50));
      expect(errors.map((e) => e.message)).toEqual(['index refused the fragment']);
      expect(rejections).toEqual([]);
      expect(updates.at(-1)).toEqual({ status: 'closed' }); // closed at its last good fragment
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
