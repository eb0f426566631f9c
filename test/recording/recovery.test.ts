// Start-up recovery keeps what is durable and cuts only damage (R-REC-4): complete fragments the
// index never heard of (index batch lost in a crash, database down) are indexed, not cut; a file
// with no row at all (its run never committed either) gets its run and row rebuilt from its own
// fragments; a damaged tail is cut in every file, open or closed; an empty file leaves nothing.
// A write that fails half-way (ENOSPC) is cut back at once. The verifier agrees afterwards.
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppendFile, FileStore } from '../../src/recording/file-store.ts';
import { DiskFileStore } from '../../src/recording/file-store.ts';
import { IndexWriter } from '../../src/recording/index-writer.ts';
import type { RunHandle } from '../../src/recording/index-writer.ts';
import { RecordingFile } from '../../src/recording/recording-file.ts';
import { recoverRecordings } from '../../src/recording/recovery.ts';
import { verifyRecordings } from '../../src/recording/verify/verify-recordings.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { clipFrame, loadMainClip } from '../helpers/clip-frames.ts';
import { ffprobe } from '../helpers/ffprobe.ts';

const clip = loadMainClip();
const log = pino({ level: 'silent' });

function runHandle(cameraId: number, startedAtMs: number): RunHandle {
  return { row: { camera_id: cameraId, stream: 'main', started_at_ms: startedAtMs, duration_90k: 0, ended_at_ms: null, end_reason: null, end_detail: null, video_codec: 'h264', width: 1280, height: 720, rfc6381: clip.params.rfc6381, audio_codec: null, clock_offset_ms: null, frame_count: 0 } };
}

describe.each(DIALECTS)('recording recovery on %s', (dialect) => {
  let t: TestApp;
  let files: DiskFileStore;
  let roomId: number;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    files = new DiskFileStore(path.join(t.db.dataDir, 'recordings'));
    const admin = await t.actor('admin');
    roomId = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0].id;
  });
  afterAll(() => t.close());

  const newCamera = async (name: string) => (await t.app.devices.createCamera(await t.actor('admin'), { roomId, name, position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
  const rowsOf = (cameraId: number) => repos(t.app.store.db).recordings.filesBetween(cameraId, 0, Number.MAX_SAFE_INTEGER);
  const runsOf = (cameraId: number) => repos(t.app.store.db).recordings.runsBetween(cameraId, 0, Number.MAX_SAFE_INTEGER);

  /** Writes `frames` frames into one file; the index is committed only after `committedFrames`. */
  async function write(store: FileStore, cameraId: number, frames: number, committedFrames: number): Promise<{ rel: string; t0: number }> {
    const index = new IndexWriter(t.app.store, log);
    const t0 = t.clock.nowMs();
    const run = runHandle(cameraId, t0);
    const rel = `${cameraId}/2026-06-07/${t0}-0000.mp4`;
    index.insertRun(run);
    const file = new RecordingFile(store, index, run, { relPath: rel, start90k: 0, startMs: t0, firstPts90k: 0, video: clip.params, fragmentDurationMs: 1000, onError: () => undefined });
    for (let i = 0; i < frames; i++) {
      file.push(clipFrame(clip, i, 0, t0 + i * 40, i === 0));
      if (i + 1 === committedFrames) {
        // Wait for the fragments so far to be durable (run, file, one update per fragment queued),
        // then commit them; later ones never are.
        await expect.poll(() => index.pending, { timeout: 30_000 }).toBeGreaterThanOrEqual(2 + Math.floor((committedFrames - 1) / 25));
        await index.flush();
      }
    }
    await file.finish();
    if (committedFrames === frames) await index.flush();
    t.clock.advance(frames * 40 + 60_000);
    return { rel, t0 };
  }

  it('indexes complete fragments past the index, cuts only the torn one, and closes the run as crash (R-REC-4)', async () => {
    const cam = await newCamera('outage');
    const { rel, t0 } = await write(files, cam, 250, 75); // 10 s written, 3 s indexed
    const [before] = await rowsOf(cam);
    expect(before.status).toBe('open');
    expect(before.frame_count).toBeLessThan(100);
    // A torn write: half of a fragment after the last complete one.
    const abs = files.absolute(rel);
    const full = readFileSync(abs);
    appendFileSync(abs, full.subarray(Number(before.init_bytes), Number(before.init_bytes) + 5000));
    const report = await recoverRecordings(t.app.store, files, t.clock, log);
    expect(report.fragmentsRecovered).toBeGreaterThanOrEqual(6);
    expect(report.bytesCut).toBe(5000);
    const [after] = await rowsOf(cam);
    expect(after).toMatchObject({ status: 'closed', frame_count: 250, bytes: full.length });
    expect(statSync(abs).size).toBe(full.length);
    expect(ffprobe(abs).frames).toBe(250);
    const [run] = await runsOf(cam);
    expect(run).toMatchObject({ end_reason: 'crash', duration_90k: 250 * 3600, ended_at_ms: t0 + 10_000 });
    expect((await verifyRecordings(t.app.store, files, { cameraId: cam })).problems).toEqual([]);
  });

  it('rebuilds the run and the row of a file the index never heard of (database down all along) (R-REC-4)', async () => {
    const cam = await newCamera('norow');
    // Nothing commits: a throwaway index writer on the same store is never flushed.
    const { rel, t0 } = await write(files, cam, 200, 0);
    expect(await rowsOf(cam)).toEqual([]);
    const report = await recoverRecordings(t.app.store, files, t.clock, log);
    expect(report.filesIndexed).toBeGreaterThanOrEqual(1);
    const [row] = await rowsOf(cam);
    expect(row).toMatchObject({ rel_path: rel, status: 'closed', frame_count: 200, start_ms: t0, end_ms: t0 + 8000 });
    const runs = await runsOf(cam);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ started_at_ms: t0, end_reason: 'crash', duration_90k: 200 * 3600, width: 1280, height: 720 });
    expect(ffprobe(files.absolute(rel)).frames).toBe(200);
    expect((await verifyRecordings(t.app.store, files, { cameraId: cam })).problems).toEqual([]);
  });

  it('cuts a damaged tail of a closed file too, and leaves no empty file behind (R-REC-4)', async () => {
    const cam = await newCamera('closedtail');
    const { rel } = await write(files, cam, 100, 100);
    const [row] = await rowsOf(cam);
    expect(row.status).toBe('closed');
    appendFileSync(files.absolute(rel), Buffer.from('partial moof'));
    const empty = `${cam}/2026-06-07/${t.clock.nowMs()}-0000.mp4`;
    await mkdir(path.dirname(files.absolute(empty)), { recursive: true });
    writeFileSync(files.absolute(empty), Buffer.alloc(0));
    expect((await verifyRecordings(t.app.store, files, { cameraId: cam })).problems.map((p) => p.kind).sort()).toEqual(['damaged-tail', 'unindexed-file']);
    await recoverRecordings(t.app.store, files, t.clock, log);
    expect(statSync(files.absolute(rel)).size).toBe(Number(row.bytes));
    expect(await files.size(empty)).toBeUndefined();
    expect((await verifyRecordings(t.app.store, files, { cameraId: cam })).problems).toEqual([]);
  });

  it('cuts a half-written fragment at once when the disk fills, so the file plays without a restart (R-REC-4)', async () => {
    const cam = await newCamera('enospc');
    let appends = 0;
    const full: FileStore = Object.assign(Object.create(files) as FileStore, {
      create: async (relPath: string): Promise<AppendFile> => {
        const out = await files.create(relPath);
        return {
          appendDurable: async (bytes: Uint8Array) => {
            // Init + 4 fragments fit; the 5th is half written when the disk fills.
            if (++appends === 6) {
              appendFileSync(files.absolute(relPath), bytes.subarray(0, bytes.length >> 1));
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            }
            await out.appendDurable(bytes);
          },
          close: () => out.close(),
        };
      },
    });
    const { rel } = await write(full, cam, 200, 200);
    const [row] = await rowsOf(cam);
    expect(row).toMatchObject({ status: 'closed', frame_count: 100 });
    expect(statSync(files.absolute(rel)).size).toBe(Number(row.bytes));
    expect(ffprobe(files.absolute(rel)).frames).toBe(100);
    expect((await verifyRecordings(t.app.store, files, { cameraId: cam })).problems).toEqual([]);
  });
});
