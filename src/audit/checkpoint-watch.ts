// Upper side of the audit checkpoints (issue 13, R-ACC-1, R-SEC-7; docs/design/security.md
// "Checkpoints checked at the upper"). The upper does not hold a lower's audit key, so it cannot
// check a checkpoint's MAC; what it can check is that the lower's log only grows: each checkpoint
// arrives over the lower's signed channel, must not be below the last one accepted, must have the
// same hash at the same record, and must name the last accepted one as its predecessor with the
// hash the lower's log holds for that record now. A log truncated, rolled back to a copy, or
// rebuilt (even with the key) fails one of these. Checked in the receiver's transaction, so no
// checkpoint is skipped or judged twice; a problem is kept (shown in the console, audited,
// logged) until someone with audit rights acknowledges it.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { AuditCheckpointPeerRow } from '../store/repos/audit-checkpoint-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import type { AuditService } from './audit-service.ts';

export type CheckpointProblem = 'rollback' | 'rebuilt' | 'unlinked' | 'invalid';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const bodySchema = z.object({
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hash: hex64,
  atMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  // Absent from checkpoints of nodes before the link was added; null = "no previous checkpoint".
  prev: z.object({ seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), hash: hex64.nullable() }).nullable().optional(),
});
export type CheckpointBody = z.infer<typeof bodySchema>;

export interface Judgement {
  /** The new baseline (null: keep the old one). After a problem the baseline moves on, so later checkpoints are judged from there. */
  accept: CheckpointBody | null;
  problem?: CheckpointProblem;
  detail?: Record<string, unknown>;
}

/** Parses a checkpoint item's JSON text; null when it is not a checkpoint. */
export function parseCheckpointBody(text: string | null): CheckpointBody | null {
  if (text === null) return null;
  try {
    const r = bodySchema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Whether `cp` extends the last accepted checkpoint `last` (pure; the rules in the file comment). */
export function judgeCheckpoint(last: { seq: number; hash: string } | undefined, cp: CheckpointBody | null): Judgement {
  if (!cp) return { accept: null, problem: 'invalid' };
  if (!last) return { accept: cp };
  const was = { lastSeq: last.seq, lastHash: last.hash, seq: cp.seq, hash: cp.hash };
  if (cp.seq < last.seq) return { accept: cp, problem: 'rollback', detail: was };
  if (cp.seq === last.seq) return cp.hash === last.hash ? { accept: cp } : { accept: cp, problem: 'rebuilt', detail: was };
  if (cp.prev === undefined) return { accept: cp }; // an older node: nothing to link by
  if (cp.prev === null || cp.prev.seq < last.seq) return { accept: cp, problem: 'unlinked', detail: { ...was, prevSeq: cp.prev?.seq ?? null } };
  if (cp.prev.seq === last.seq && cp.prev.hash !== last.hash) return { accept: cp, problem: 'rebuilt', detail: { ...was, prevHash: cp.prev.hash } };
  return { accept: cp };
}

export const PROBLEM_TEXT: Record<CheckpointProblem, string> = {
  rollback: '下级审计日志回退 (the lower\'s audit head went back below a checkpoint already received: records were removed or an older copy restored)',
  rebuilt: '下级审计日志被重建 (a record the upper holds a checkpoint of has a different hash now: the log was rewritten)',
  unlinked: '下级审计检查点不衔接 (the checkpoint does not extend the last one received: the lower\'s history of checkpoints went back)',
  invalid: '下级审计检查点格式错误 (not a valid audit checkpoint)',
};

export interface CheckpointPeerView {
  originCode: string;
  /** Org path at this node the origin maps to, and that node's name. */
  scopePath: string;
  nodeName: string | null;
  lastSeq: number;
  /** When the lower made the last accepted checkpoint (its clock), ms since epoch. */
  lastAtMs: number;
  receivedAtMs: number;
  accepted: number;
  problem: CheckpointProblem | null;
  problemText: string | null;
  problemDetail: Record<string, unknown> | null;
  problemAtMs: number | null;
}

export interface CheckpointWatchDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: { info: (o: object, msg: string) => void; error: (o: object, msg: string) => void };
}

export class CheckpointWatch {
  constructor(private readonly d: CheckpointWatchDeps) {}

  /** Judges one received checkpoint item inside the receiver's transaction. */
  async inspect(trx: Kysely<Database>, item: { originCode: string; body: string | null; scopePath: string; viaSipId: string }): Promise<void> {
    const r = repos(trx).auditCheckpoints;
    const prev = await r.get(item.originCode);
    const cp = parseCheckpointBody(item.body);
    const j = judgeCheckpoint(prev ? { seq: Number(prev.last_seq), hash: prev.last_hash } : undefined, cp);
    const now = this.d.clock.nowMs();
    if (j.accept) {
      const keepProblem = prev?.problem ? { problem: prev.problem, problem_detail: prev.problem_detail, problem_at_ms: prev.problem_at_ms } : { problem: null, problem_detail: null, problem_at_ms: null };
      const row: AuditCheckpointPeerRow = {
        origin_code: item.originCode, scope_path: item.scopePath, last_seq: j.accept.seq, last_hash: j.accept.hash, last_at_ms: j.accept.atMs,
        received_at_ms: now, accepted: Number(prev?.accepted ?? 0) + 1, ...keepProblem,
      };
      // The first problem stays until acknowledged (a later one is audited and logged, not overwritten into it).
      if (j.problem && !prev?.problem) Object.assign(row, { problem: j.problem, problem_detail: JSON.stringify(j.detail ?? {}), problem_at_ms: now });
      await r.save(row);
      if (!prev) this.d.log.info({ originCode: item.originCode, seq: j.accept.seq }, `下级审计检查点开始核对 first audit checkpoint of ${item.originCode} at record ${j.accept.seq}`);
    } else if (j.problem && prev && !prev.problem) {
      await r.save({ ...prev, problem: j.problem, problem_detail: JSON.stringify(j.detail ?? {}), problem_at_ms: now });
    }
    if (!j.problem) return;
    const detail = { problem: j.problem, via: item.viaSipId, ...j.detail };
    this.d.log.error({ originCode: item.originCode, ...detail }, `${PROBLEM_TEXT[j.problem]}: ${item.originCode}`);
    const actor: Actor = { userId: null, username: `lower:${item.viaSipId}`, role: 'system', ip: '-', workstation: 'uplink', scope: { kind: 'all' } };
    await this.d.audit.append(trx, actor, { action: 'audit.checkpoint.problem', objectType: 'audit_checkpoint', objectId: item.originCode, outcome: 'error', scopePath: item.scopePath, detail });
  }

  /** Every lower origin in the actor's scope with its checkpoint state. */
  async list(actor: Actor): Promise<CheckpointPeerView[]> {
    await requirePermission(this.d.audit, actor, 'audit.read', 'audit.checkpoint.list', 'audit_checkpoint', '*');
    return (await repos(this.d.store.db).auditCheckpoints.list(actor.scope)).map(view);
  }

  /** Clears an origin's problem after it was looked into (audited with the note). */
  async acknowledge(actor: Actor, originCode: string, note: string): Promise<CheckpointPeerView> {
    await requirePermission(this.d.audit, actor, 'audit.read', 'audit.checkpoint.ack', 'audit_checkpoint', originCode);
    // The refusal is audited in a transaction of its own: checked before ours opens (SQLite has one writer).
    const row = await repos(this.d.store.db).auditCheckpoints.getInScope(actor.scope, originCode);
    if (!row) return denyOutOfScope(this.d.audit, actor, 'audit.checkpoint.ack', 'audit_checkpoint', originCode);
    return this.d.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).auditCheckpoints;
      await r.clearProblem(originCode);
      await this.d.audit.append(trx, actor, { action: 'audit.checkpoint.ack', objectType: 'audit_checkpoint', objectId: originCode, scopePath: row.scope_path, detail: { problem: row.problem, note } });
      this.d.log.info({ originCode, problem: row.problem }, `下级审计检查点告警已确认 audit checkpoint problem of ${originCode} acknowledged by ${actor.username}`);
      return view({ ...row, problem: null, problem_detail: null, problem_at_ms: null });
    });
  }
}

function view(row: AuditCheckpointPeerRow & { node_name?: string | null }): CheckpointPeerView {
  return {
    originCode: row.origin_code, scopePath: row.scope_path, nodeName: row.node_name ?? null, lastSeq: Number(row.last_seq), lastAtMs: Number(row.last_at_ms), receivedAtMs: Number(row.received_at_ms),
    accepted: Number(row.accepted), problem: row.problem, problemText: row.problem ? PROBLEM_TEXT[row.problem] : null,
    problemDetail: row.problem_detail ? (JSON.parse(row.problem_detail) as Record<string, unknown>) : null,
    problemAtMs: row.problem_at_ms === null ? null : Number(row.problem_at_ms),
  };
}
