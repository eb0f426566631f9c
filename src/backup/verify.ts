// Verification of a finished backup (R-RET-2): every copy re-read and hashed; each missing file,
// file of another size or of another SHA-256 is named. The result is stored and audited (R-ACC-1).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { BackupTarget } from './target.ts';
import { itemKey } from './target.ts';

export interface VerifyProblem {
  relPath: string;
  /** The copy's location in the target. */
  copy: string;
  problem: 'missing' | 'size' | 'changed' | 'never-copied';
  expected: { bytes: number; sha256: string | null };
  actual?: { bytes: number; sha256: string };
}

export interface BackupVerifyResult {
  backupId: number;
  ok: boolean;
  checked: number;
  problems: VerifyProblem[];
  atMs: number;
}

export async function verifyBackup(deps: { store: Store; audit: AuditService; clock: Clock; targetFor: (root: string) => BackupTarget }, actor: Actor, id: number): Promise<BackupVerifyResult> {
  const { store, audit, clock } = deps;
  await requirePermission(audit, actor, 'recording.manage', 'backup.verify', 'backup', id);
  const r = repos(store.db).retention;
  const row = await r.getBackup(actor.scope, id);
  if (!row) {
    await audit.record(actor, { action: 'backup.verify', objectType: 'backup', objectId: id, outcome: 'denied', detail: { reason: 'not found in scope' } });
    throw new AppError('not_found', '备份不存在或不在您的管辖范围内 (backup not found in your scope)');
  }
  const target = deps.targetFor(row.target);
  const problems: VerifyProblem[] = [];
  let checked = 0;
  for (const item of await r.items(id)) {
    const copy = target.locate(itemKey(id, item.rel_path));
    const expected = { bytes: Number(item.bytes), sha256: item.sha256 };
    checked++;
    if (item.state !== 'verified' || !item.sha256) {
      problems.push({ relPath: item.rel_path, copy, problem: 'never-copied', expected });
      continue;
    }
    const actual = await target.digest(itemKey(id, item.rel_path));
    if (!actual) problems.push({ relPath: item.rel_path, copy, problem: 'missing', expected });
    else if (actual.bytes !== expected.bytes) problems.push({ relPath: item.rel_path, copy, problem: 'size', expected, actual });
    else if (actual.sha256 !== item.sha256) problems.push({ relPath: item.rel_path, copy, problem: 'changed', expected, actual });
  }
  const atMs = clock.nowMs();
  const ok = problems.length === 0;
  await store.db.transaction().execute(async (trx) => {
    await repos(trx).retention.updateBackup(id, { verified_at_ms: atMs, verify_ok: ok ? 1 : 0 });
    await audit.append(trx, actor, { action: 'backup.verify', objectType: 'backup', objectId: id, outcome: ok ? 'ok' : 'error', scopePath: row.scope_path, detail: { checked, problems: problems.slice(0, 100).map((p) => ({ relPath: p.relPath, problem: p.problem })) } });
  });
  return { backupId: id, ok, checked, problems, atMs };
}
