// Writes audit records in the caller's transaction (so a change and its record commit together)
// and verifies the chain (R-ACC-1, R-SEC-7).
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { AuditOutcome, Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { GENESIS_HASH, chainHash } from './chain.ts';

export interface AuditEvent {
  action: string;
  objectType: string;
  objectId: string | number;
  outcome?: AuditOutcome;
  /** Path of the org node the action concerns; defaults to the whole tree ('/'). */
  scopePath?: string;
  detail?: Record<string, unknown>;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
}

export class AuditService {
  constructor(
    private readonly store: Store,
    private readonly key: Buffer,
    private readonly clock: Clock,
  ) {}

  /** Appends inside `trx`; the caller's transaction decides whether it sticks. */
  async append(trx: Kysely<Database>, actor: Actor, e: AuditEvent): Promise<void> {
    const r = repos(trx).audit;
    const head = await r.lockHead(this.store.dialect);
    const fields = {
      seq: Number(head.seq) + 1,
      at_ms: this.clock.nowMs(),
      user_id: actor.userId,
      username: actor.username,
      role: actor.role,
      ip: actor.ip,
      workstation: actor.workstation,
      action: e.action,
      object_type: e.objectType,
      object_id: String(e.objectId),
      outcome: e.outcome ?? 'ok',
      scope_path: e.scopePath ?? '/',
      detail: e.detail ? JSON.stringify(e.detail) : null,
    };
    await r.append({ ...fields, prev_hash: head.hash, hash: chainHash(this.key, head.hash, fields) });
  }

  /** Appends in a transaction of its own: for refusals and reads that change nothing else. */
  async record(actor: Actor, e: AuditEvent): Promise<void> {
    await this.store.db.transaction().execute((trx) => this.append(trx, actor, e));
  }

  /** Walks the whole chain: every hash recomputed, every link and sequence number checked. */
  async verify(): Promise<VerifyResult> {
    const r = repos(this.store.db).audit;
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    let checked = 0;
    for (;;) {
      const rows = await r.page(expectedSeq - 1, 1000);
      if (rows.length === 0) break;
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expectedSeq) return { ok: false, checked, firstBadSeq: expectedSeq, reason: `record ${expectedSeq} is missing` };
        if (row.prev_hash !== prevHash) return { ok: false, checked, firstBadSeq: seq, reason: `record ${seq} does not link to record ${seq - 1}` };
        const { prev_hash: _p, hash, ...fields } = row;
        const expected = chainHash(this.key, prevHash, { ...fields, seq, at_ms: Number(fields.at_ms), user_id: fields.user_id === null ? null : Number(fields.user_id) });
        if (hash !== expected) return { ok: false, checked, firstBadSeq: seq, reason: `record ${seq} was altered` };
        prevHash = hash;
        expectedSeq++;
        checked++;
      }
    }
    const head = await r.head();
    if (Number(head.seq) !== expectedSeq - 1 || head.hash !== prevHash) {
      return { ok: false, checked, firstBadSeq: expectedSeq, reason: `records after ${expectedSeq - 1} were removed (head is at ${head.seq})` };
    }
    return { ok: true, checked };
  }
}
