// Start-up reconciliation of the recording index with the disk (docs/design/recording.md). The
// files are the truth for what reached the disk: complete fragments past a row's indexed length
// (written while the index batch or the database was down) are indexed, not cut; files no row
// describes are indexed from their own fragments (with their run rebuilt when the run row never
// committed either); only what is not a complete fragment — the damaged tail a crash, a full disk
// or an I/O error left — is cut, in every file, open or closed. Then open runs are closed as
// 'crash', rows whose file is gone are dropped, pending garbage is finished.
import type { Logger } from 'pino';
import type { Store } from '../store/db.ts';
import type { FileRow } from '../store/repos/recording-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { FileStore } from './file-store.ts';
import { FragmentIndexError, FragmentIndexWriter, decodeFragmentIndex } from './fragment-index.ts';
import type { FileScan } from './fragment-scan.ts';
import { scanRecordingFile } from './fragment-scan.ts';

export interface RecoveryReport {
  /** Files whose row was brought in line with the disk (open, short or with a tail). */
  truncatedFiles: number;
  bytesCut: number;
  /** Complete fragments found on disk past the index and indexed now. */
  fragmentsRecovered: number;
  /** Media those fragments hold, ms. */
  recoveredMs: number;
  /** Files no row described, indexed from their fragments. */
  filesIndexed: number;
  closedRuns: number;
  orphanFilesRemoved: number;
  missingFilesDropped: number;
  garbageRemoved: number;
}

/** `<camera>/<day>/<run's first anchor, ms>-<seq>.mp4`, as CameraRecorder names files. */
const FILE_NAME = /^(\d+)\/[^/]+\/(\d+)-(\d+)\.mp4$/;

/** Complete, well-formed fragments from the start of the file: where the good part ends. */
function goodPrefix(scan: FileScan): { fragments: FileScan['fragments']; end: number } {
  const bad = scan.fragments.findIndex((f) => f.problem !== undefined || f.frameCount === 0);
  const fragments = bad < 0 ? scan.fragments : scan.fragments.slice(0, bad);
  const last = fragments.at(-1);
  return { fragments, end: last ? last.fileOffset + last.byteLength : scan.initBytes };
}

/** The fragment index for the good fragments; entries already indexed keep their (pts) keyframe offsets. */
function rebuildIndex(row: Pick<FileRow, 'fragment_index' | 'init_bytes'> | undefined, fragments: FileScan['fragments']): Uint8Array {
  let old: ReturnType<typeof decodeFragmentIndex> = [];
  if (row) {
    try {
      old = decodeFragmentIndex(new Uint8Array(row.fragment_index), Number(row.init_bytes));
    } catch (err) {
      if (!(err instanceof FragmentIndexError)) throw err;
    }
  }
  const w = new FragmentIndexWriter();
  fragments.forEach((f, i) => {
    const o = old[i]?.fileOffset === f.fileOffset && old[i].byteLength === f.byteLength ? old[i] : f;
    w.add({ byteLength: f.byteLength, duration90k: f.duration90k, frameCount: f.frameCount, keyframeOffset90k: o.keyframeOffset90k });
  });
  return w.snapshot();
}

export async function recoverRecordings(store: Store, files: FileStore, clock: Clock, log: Logger): Promise<RecoveryReport> {
  const r = repos(store.db).recordings;
  const report: RecoveryReport = { truncatedFiles: 0, bytesCut: 0, fragmentsRecovered: 0, recoveredMs: 0, filesIndexed: 0, closedRuns: 0, orphanFilesRemoved: 0, missingFilesDropped: 0, garbageRemoved: 0 };

  for (const g of await r.garbage()) {
    await files.remove(g.rel_path);
    await r.removeGarbage(g.id);
    report.garbageRemoved++;
  }

  // Every row whose file is open, shorter or longer than indexed: the disk decides.
  for (const meta of await r.allFileLengths()) {
    const size = await files.size(meta.rel_path);
    if (size === undefined) continue; // handled below as a missing file
    if (meta.status === 'closed' && size === Number(meta.bytes)) continue;
    const f = (await r.fileById(meta.id))!;
    const scan = await scanRecordingFile(files.absolute(f.rel_path)).catch((err: unknown) => {
      log.error({ err, file: f.rel_path }, 'recording file unreadable at start-up: left as it is');
      return undefined;
    });
    if (!scan) continue;
    const good = goodPrefix(scan);
    if (scan.initProblem || good.fragments.length === 0) {
      // Not one playable fragment: an empty file is no recording (and no reason to keep a row).
      await store.db.transaction().execute((trx) => repos(trx).recordings.moveFilesToGarbage([f], clock.nowMs()));
      await files.remove(f.rel_path);
      await r.removeGarbagePath(f.rel_path);
      report.bytesCut += size;
      report.truncatedFiles++;
      continue;
    }
    const indexedFragments = (() => {
      try {
        return decodeFragmentIndex(new Uint8Array(f.fragment_index), Number(f.init_bytes)).length;
      } catch {
        return 0;
      }
    })();
    const duration90k = good.fragments.reduce((n, x) => n + x.duration90k, 0);
    const frames = good.fragments.reduce((n, x) => n + x.frameCount, 0);
    if (good.fragments.length > indexedFragments) {
      report.fragmentsRecovered += good.fragments.length - indexedFragments;
      report.recoveredMs += Math.round((duration90k - Number(f.duration_90k)) / 90);
    }
    if (size > good.end) {
      // Not a complete fragment: never promised to anyone, and it makes the file unreadable.
      await files.truncate(f.rel_path, good.end);
      report.bytesCut += size - good.end;
    }
    await r.updateFile(f.id, {
      bytes: good.end,
      duration_90k: duration90k,
      frame_count: frames,
      end_ms: Number(f.start_ms) + Math.round(duration90k / 90),
      fragment_index: rebuildIndex(f, good.fragments),
      status: 'closed',
    });
    const run = await r.runById(f.run_id);
    if (run && run.ended_at_ms === null) {
      const framesDelta = frames - Number(f.frame_count);
      await r.updateRun(run.id, { duration_90k: Math.max(Number(run.duration_90k), Number(f.start_90k) + duration90k), frame_count: Math.max(0, Number(run.frame_count) + framesDelta) });
    }
    report.truncatedFiles++;
  }

  // Files no row describes: written while the index could not commit. Index what they hold.
  const known = new Set((await r.allFilePaths()).map((f) => f.rel_path));
  const orphans = (await files.list())
    .filter((rel) => !known.has(rel))
    .map((rel) => ({ rel, m: FILE_NAME.exec(rel.split('\\').join('/')) }))
    .sort((a, b) => (a.m && b.m ? Number(a.m[1]) - Number(b.m[1]) || Number(a.m[2]) - Number(b.m[2]) || Number(a.m[3]) - Number(b.m[3]) : a.rel.localeCompare(b.rel)));
  for (const { rel, m } of orphans) {
    const size = (await files.size(rel)) ?? 0;
    const scan = m ? await scanRecordingFile(files.absolute(rel)).catch(() => undefined) : undefined;
    const good = scan && !scan.initProblem ? goodPrefix(scan) : undefined;
    if (!m || !scan?.video || !scan.codec || !good || good.fragments.length === 0) {
      await files.remove(rel);
      report.orphanFilesRemoved++;
      continue;
    }
    const cameraId = Number(m[1]);
    const runStartMs = Number(m[2]);
    const duration90k = good.fragments.reduce((n, x) => n + x.duration90k, 0);
    const frames = good.fragments.reduce((n, x) => n + x.frameCount, 0);
    try {
      await store.db.transaction().execute(async (trx) => {
        const t = repos(trx).recordings;
        let run = await t.runNamed(cameraId, runStartMs);
        const runId =
          run?.id ??
          (await t.insertRun({ camera_id: cameraId, stream: 'main', started_at_ms: runStartMs, duration_90k: 0, ended_at_ms: null, end_reason: null, end_detail: null, video_codec: scan.codec!, width: scan.video!.width, height: scan.video!.height, rfc6381: scan.video!.rfc6381, audio_codec: scan.audioCodec ?? null, clock_offset_ms: null, frame_count: 0 }));
        run ??= await t.runById(runId);
        // Files of one run follow each other without a hole: this one starts where the last ends.
        const start90k = Math.max(0, ...(await t.filesOfRun(runId)).map((x) => Number(x.start_90k) + Number(x.duration_90k)));
        const startMs = Number(run!.started_at_ms) + Math.round(start90k / 90);
        await t.insertFile({ run_id: runId, camera_id: cameraId, rel_path: rel, start_ms: startMs, end_ms: startMs + Math.round(duration90k / 90), start_90k: start90k, duration_90k: duration90k, init_bytes: scan.initBytes, bytes: good.end, frame_count: frames, fragment_index: rebuildIndex(undefined, good.fragments), status: 'closed' });
        await t.updateRun(runId, { duration_90k: Math.max(Number(run!.duration_90k), start90k + duration90k), frame_count: Number(run!.frame_count) + frames, ...(run!.ended_at_ms === null ? {} : { ended_at_ms: Math.max(Number(run!.ended_at_ms), startMs + Math.round(duration90k / 90)) }) });
      });
    } catch (err) {
      // The camera was deleted since (or the name lies): nothing can own these frames.
      log.warn({ err, file: rel }, 'recording file without index row cannot be indexed: removing it');
      await files.remove(rel);
      report.orphanFilesRemoved++;
      continue;
    }
    if (size > good.end) {
      await files.truncate(rel, good.end);
      report.bytesCut += size - good.end;
    }
    report.filesIndexed++;
    report.fragmentsRecovered += good.fragments.length;
    report.recoveredMs += Math.round(duration90k / 90);
  }

  for (const run of await r.openRuns()) {
    await r.updateRun(run.id, { ended_at_ms: Number(run.started_at_ms) + Math.round(Number(run.duration_90k) / 90), end_reason: 'crash', end_detail: 'the process stopped without closing this recording' });
    report.closedRuns++;
  }

  for (const f of await r.allFilePaths()) {
    if ((await files.size(f.rel_path)) === undefined) {
      log.warn({ file: f.rel_path }, 'recording file missing on disk: dropping its index row');
      await r.deleteFile(f.id);
      report.missingFilesDropped++;
    }
  }
  if (Object.values(report).some((n) => n > 0)) log.info({ ...report, atMs: clock.nowMs() }, 'recording index reconciled with disk');
  return report;
}
