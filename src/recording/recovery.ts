// Start-up reconciliation of the recording index with the disk (docs/design/recording.md):
// open files are cut back to their last committed fragment, open runs are closed as 'crash',
// files without rows are removed, rows without files are dropped, pending garbage is finished.
import type { Logger } from 'pino';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { FileStore } from './file-store.ts';

export interface RecoveryReport {
  truncatedFiles: number;
  bytesCut: number;
  closedRuns: number;
  orphanFilesRemoved: number;
  missingFilesDropped: number;
  garbageRemoved: number;
}

export async function recoverRecordings(store: Store, files: FileStore, clock: Clock, log: Logger): Promise<RecoveryReport> {
  const r = repos(store.db).recordings;
  const report: RecoveryReport = { truncatedFiles: 0, bytesCut: 0, closedRuns: 0, orphanFilesRemoved: 0, missingFilesDropped: 0, garbageRemoved: 0 };

  for (const g of await r.garbage()) {
    await files.remove(g.rel_path);
    await r.removeGarbage(g.id);
    report.garbageRemoved++;
  }

  for (const f of await r.openFiles()) {
    const size = await files.size(f.rel_path);
    if (size === undefined) continue; // handled below as a missing file
    if (size > f.bytes) {
      // Bytes after the last committed fragment were never promised to anyone: cut them.
      await files.truncate(f.rel_path, Number(f.bytes));
      report.bytesCut += size - Number(f.bytes);
    }
    await r.updateFile(f.id, { status: 'closed' });
    report.truncatedFiles++;
  }

  for (const run of await r.openRuns()) {
    await r.updateRun(run.id, { ended_at_ms: Number(run.started_at_ms) + Math.round(Number(run.duration_90k) / 90), end_reason: 'crash', end_detail: 'the process stopped without closing this recording' });
    report.closedRuns++;
  }

  const indexed = await r.allFilePaths();
  const known = new Set(indexed.map((f) => f.rel_path));
  for (const rel of await files.list()) {
    if (!known.has(rel)) {
      await files.remove(rel);
      report.orphanFilesRemoved++;
    }
  }
  for (const f of indexed) {
    if ((await files.size(f.rel_path)) === undefined) {
      log.warn({ file: f.rel_path }, 'recording file missing on disk: dropping its index row');
      await r.deleteFile(f.id);
      report.missingFilesDropped++;
    }
  }
  if (Object.values(report).some((n) => n > 0)) log.info({ ...report, atMs: clock.nowMs() }, 'recording index reconciled with disk');
  return report;
}
