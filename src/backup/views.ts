// What the API and the report show of a backup (R-RET-2): progress counts and, per file, size,
// SHA-256 and whether the copy was verified.
import type { BackupItemRow, BackupRow } from '../store/repos/retention-repo.ts';
import type { BackupTarget } from './target.ts';
import { itemKey } from './target.ts';

export interface BackupView {
  id: number;
  examId: number | null;
  sessionId: number | null;
  cameraIds: number[] | null;
  fromMs: number;
  toMs: number;
  state: BackupRow['state'];
  target: string;
  totalFiles: number;
  totalBytes: number;
  /** Progress: files (and bytes) copied and verified so far, files that failed. */
  verifiedFiles: number;
  verifiedBytes: number;
  failedFiles: number;
  pendingFiles: number;
  createdBy: string;
  createdAtMs: number;
  finishedAtMs: number | null;
  verifiedAtMs: number | null;
  verifyOk: boolean | null;
}

export interface BackupReport {
  backupId: number;
  examId: number | null;
  sessionId: number | null;
  fromMs: number;
  toMs: number;
  state: BackupRow['state'];
  target: string;
  createdBy: string;
  createdAtMs: number;
  finishedAtMs: number | null;
  totalFiles: number;
  totalBytes: number;
  verifiedFiles: number;
  files: Array<{ cameraId: number; relPath: string; copy: string; startMs: number; endMs: number; bytes: number; sha256: string | null; verified: boolean; error: string | null }>;
}

const n = (v: number | null): number | null => (v === null ? null : Number(v));

export function backupView(row: BackupRow, items: BackupItemRow[]): BackupView {
  const verified = items.filter((i) => i.state === 'verified');
  return {
    id: row.id,
    examId: row.exam_id,
    sessionId: row.session_id,
    cameraIds: row.camera_ids ? (JSON.parse(row.camera_ids) as number[]) : null,
    fromMs: Number(row.from_ms),
    toMs: Number(row.to_ms),
    state: row.state,
    target: row.target,
    totalFiles: row.total_files,
    totalBytes: Number(row.total_bytes),
    verifiedFiles: verified.length,
    verifiedBytes: verified.reduce((s, i) => s + Number(i.bytes), 0),
    failedFiles: items.filter((i) => i.state === 'failed').length,
    pendingFiles: items.filter((i) => i.state === 'pending' || i.state === 'copied').length,
    createdBy: row.created_by,
    createdAtMs: Number(row.created_at_ms),
    finishedAtMs: n(row.finished_at_ms),
    verifiedAtMs: n(row.verified_at_ms),
    verifyOk: row.verify_ok === null ? null : row.verify_ok === 1,
  };
}

export function buildReport(row: BackupRow, items: BackupItemRow[], target: BackupTarget): BackupReport {
  return {
    backupId: row.id,
    examId: row.exam_id,
    sessionId: row.session_id,
    fromMs: Number(row.from_ms),
    toMs: Number(row.to_ms),
    state: row.state,
    target: row.target,
    createdBy: row.created_by,
    createdAtMs: Number(row.created_at_ms),
    finishedAtMs: n(row.finished_at_ms),
    totalFiles: items.length,
    totalBytes: items.reduce((s, i) => s + Number(i.bytes), 0),
    verifiedFiles: items.filter((i) => i.state === 'verified').length,
    files: items.map((i) => ({
      cameraId: i.camera_id,
      relPath: i.rel_path,
      copy: target.locate(itemKey(row.id, i.rel_path)),
      startMs: Number(i.start_ms),
      endMs: Number(i.end_ms),
      bytes: Number(i.bytes),
      sha256: i.sha256,
      verified: i.state === 'verified',
      error: i.error,
    })),
  };
}
