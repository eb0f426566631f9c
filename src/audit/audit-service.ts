// Writes audit records in the caller's transaction (so a change and its record commit together)
// and verifies the chain (R-ACC-1, R-SEC-7).
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { AuditOutcome, Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { GENESIS_HASH, chainHash, checkpointMac, headMac } from './chain.ts';

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

export interface AuditCheckpoint {
  v: 1;
  seq: number;
  hash: string;
  atMs: number;
  mac: string;
}

/** A checkpoint as read back from the upper level's export: MAC and time optional. */
export interface CheckpointClaim {
  seq: number;
  hash: string;
  atMs?: number;
  mac?: string;
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
    const hash = chainHash(this.key, head.hash, fields);
    await r.append({ ...fields, prev_hash: head.hash, hash }, headMac(this.key, fields.seq, hash));
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
    // The head itself: moved back (with its records deleted) by someone without the key, it has no valid MAC.
    if (head.head_mac === null || head.head_mac !== headMac(this.key, Number(head.seq), head.hash)) {
      return { ok: false, checked, firstBadSeq: expectedSeq, reason: `the audit head (record ${head.seq}) has no valid MAC: records after it may have been removed` };
    }
    return { ok: true, checked };
  }

  /** The current head, signed for an upper level to keep (issue 13 item 3). */
  async checkpoint(): Promise<AuditCheckpoint> {
    const head = await repos(this.store.db).audit.head();
    const seq = Number(head.seq);
    const atMs = this.clock.nowMs();
    return { v: 1, seq, hash: head.hash, atMs, mac: checkpointMac(this.key, seq, head.hash, atMs) };
  }

  /**
   * Checks the chain against checkpoints an upper level kept: the head below a checkpoint means
   * records were removed from the end; a different hash at a checkpoint means the chain was
   * rebuilt. Checkpoints whose MAC does not match this node's key are counted as foreign.
   */
  async verifyAgainst(checkpoints: readonly CheckpointClaim[]): Promise<VerifyResult & { checkpoints: number; foreign: number }> {
    const base = await this.verify();
    if (!base.ok) return { ...base, checkpoints: 0, foreign: 0 };
    const r = repos(this.store.db).audit;
    const head = await r.head();
    let used = 0;
    let foreign = 0;
    const sorted = [...checkpoints].sort((a, b) => b.seq - a.seq);
    for (const c of sorted) {
      if (c.mac !== undefined && c.atMs !== undefined && c.mac !== checkpointMac(this.key, c.seq, c.hash, c.atMs)) {
        foreign++;
        continue;
      }
      used++;
      if (c.seq > Number(head.seq)) {
        return { ok: false, checked: base.checked, firstBadSeq: Number(head.seq) + 1, reason: `records after ${head.seq} were removed: the upper level holds a checkpoint at record ${c.seq}`, checkpoints: used, foreign };
      }
      if (c.seq === 0) continue;
      const hash = await r.hashAt(c.seq);
      if (hash !== c.hash) {
        return { ok: false, checked: base.checked, firstBadSeq: c.seq, reason: `record ${c.seq} is not the one the upper level holds a checkpoint of: the chain was rebuilt`, checkpoints: used, foreign };
      }
    }
    return { ...base, checkpoints: used, foreign };
  }
}
