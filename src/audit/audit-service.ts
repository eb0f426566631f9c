// Writes audit records in the caller's transaction (so a change and its record commit together)
// and verifies the chain (R-ACC-1, R-SEC-7).
import type { Kysely } from 'kysely';
import type { Actor } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { AuditOutcome, Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { GENESIS_HASH, auditKeyId, chainHash, checkpointMac, headMac } from './chain.ts';
import { REKEY_ACTION, contentDigestOf, walkChain } from './chain-walk.ts';
import { withObjectNames, withScopedCameraNames } from './object-names.ts';
import type { RekeyDetail } from './chain-walk.ts';

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
  /** Public id of the key that signed it (issue 13: keys can be rotated). */
  keyId: string;
  /**
   * The record of the previous checkpoint sent upward, with its hash as the log holds it now: the
   * upper compares it with the checkpoint it accepted, so a log rebuilt or rolled back in between
   * does not extend the previous checkpoint. Null for the first one.
   */
  prev: { seq: number; hash: string | null } | null;
}

/** The start-up key check (issue 13: audit key rotation). */
export type KeyCheck = { action: 'none' } | { action: 'mismatch'; headKeyId: string | null; ownKeyId: string };

export interface RekeyResult {
  fromKeyId: string;
  toKeyId: string;
  /** The `audit.rekey` record. */
  seq: number;
  priorChain: RekeyDetail['priorChain'];
}

export class AuditKeyMismatchError extends Error {
  constructor(headKeyId: string, ownKeyId: string) {
    super(`the audit chain is now chained with key ${headKeyId}, this process holds ${ownKeyId}: restart it with the current audit.keyFile`);
    this.name = 'AuditKeyMismatchError';
  }
}

/** A checkpoint as read back from the upper level's export: MAC and time optional. */
export interface CheckpointClaim {
  seq: number;
  hash: string;
  atMs?: number;
  mac?: string;
}

export class AuditService {
  /** Public id of the current key. */
  readonly keyId: string;
  /** Current and retired keys by id: retired ones verify the records chained before a rotation. */
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly store: Store,
    private readonly key: Buffer,
    private readonly clock: Clock,
    previousKeys: readonly Buffer[] = [],
  ) {
    this.keyId = auditKeyId(key);
    for (const k of previousKeys) this.keys.set(auditKeyId(k), k);
    this.keys.set(this.keyId, key);
  }

  /** Appends inside `trx`; the caller's transaction decides whether it sticks. */
  async append(trx: Kysely<Database>, actor: Actor, e: AuditEvent): Promise<void> {
    // Names as they are now, i.e. at the time of the event (issue 14 item 17), inside the chain.
    // On a refusal only cameras inside the actor's scope: a request for an object outside it must
    // not write that object's name into a record the actor (and their district) can read (R-ACC-1).
    const detail = e.outcome === 'denied'
      ? await withScopedCameraNames(trx, actor.scope, e.objectType, e.objectId, e.detail)
      : await withObjectNames(trx, e.objectType, e.objectId, e.detail);
    const r = repos(trx).audit;
    const head = await r.lockHead(this.store.dialect);
    // After a rotation by another process, appending with the retired key would break the chain.
    if (head.key_id !== null && head.key_id !== this.keyId) throw new AuditKeyMismatchError(head.key_id, this.keyId);
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
      detail: detail ? JSON.stringify(detail) : null,
    };
    const hash = chainHash(this.key, head.hash, fields);
    await r.append({ ...fields, prev_hash: head.hash, hash }, headMac(this.key, fields.seq, hash), this.keyId);
  }

  /** Appends in a transaction of its own: for refusals and reads that change nothing else. */
  async record(actor: Actor, e: AuditEvent): Promise<void> {
    await this.store.db.transaction().execute((trx) => this.append(trx, actor, e));
  }

  /** Walks the whole chain: every hash recomputed, every link and sequence number checked, across key rotations. */
  async verify(): Promise<VerifyResult> {
    const { digest: _d, lastHash: _h, ...result } = await walkChain(repos(this.store.db).audit, this.keys, this.keyId);
    return result;
  }

  /**
   * At start: whether the chain's head is chained with this node's key. After `audit.keyFile`
   * changed, it is not ('mismatch') until `xuncha audit rekey` ran with the old key; the node does
   * not start then, since appending with the new key would break the chain.
   */
  async checkKey(): Promise<KeyCheck> {
    const r = repos(this.store.db).audit;
    const head = await r.head();
    if (head.key_id === this.keyId) return { action: 'none' };
    if (head.key_id === null) {
      // First start after migration 0027: the head's MAC tells whether our key chained it (no MAC yet: nothing to tell by).
      const seq = Number(head.seq);
      if (seq === 0 || head.head_mac === null || head.head_mac === headMac(this.key, seq, head.hash)) {
        await r.setHeadKeyId(this.keyId);
        return { action: 'none' };
      }
    }
    return { action: 'mismatch', headKeyId: head.key_id, ownKeyId: this.keyId };
  }

  /**
   * Rotates the chain from `oldKey` (the key that chains the head now) to this node's key: checks
   * the whole chain with the old key, then appends an `audit.rekey` record chained with the new
   * key that seals a digest of every earlier record (chain-walk.ts). Verification then needs only
   * the new key; the old one can be destroyed. A chain that does not verify is sealed as it is,
   * its fault written into the record, so that verification keeps reporting it.
   */
  async rekey(oldKey: Buffer): Promise<RekeyResult> {
    const fromId = auditKeyId(oldKey);
    if (fromId === this.keyId) throw new Error('the old and the new audit key are the same');
    const r = repos(this.store.db).audit;
    const head = await r.head();
    const seq = Number(head.seq);
    const owner = head.key_id ?? (head.head_mac !== null && head.head_mac === headMac(oldKey, seq, head.hash) ? fromId : null);
    if (owner !== fromId) throw new Error(`the audit head is not chained with the old key given (${fromId}; head: ${head.key_id ?? 'unknown'})`);
    const walk = await walkChain(r, new Map([...this.keys, [fromId, oldKey]]), fromId);
    const detail: RekeyDetail = {
      fromKeyId: fromId, toKeyId: this.keyId, coveredSeq: seq,
      contentDigest: walk.ok ? walk.digest : await contentDigestOf(r),
      priorChain: walk.ok ? 'intact' : { firstBadSeq: walk.firstBadSeq ?? 0, reason: walk.reason ?? 'broken' },
    };
    await this.store.db.transaction().execute(async (trx) => {
      const tr = repos(trx).audit;
      const locked = await tr.lockHead(this.store.dialect);
      if (Number(locked.seq) !== seq || locked.hash !== head.hash) throw new Error('the audit log changed during the key rotation: stop the node and run it again');
      const fields = {
        seq: seq + 1, at_ms: this.clock.nowMs(), user_id: null, username: SYSTEM_ACTOR.username, role: SYSTEM_ACTOR.role, ip: SYSTEM_ACTOR.ip,
        workstation: 'cli', action: REKEY_ACTION, object_type: 'audit_key', object_id: this.keyId, outcome: 'ok' as const, scope_path: '/',
        detail: JSON.stringify(detail),
      };
      const hash = chainHash(this.key, locked.hash, fields);
      await tr.append({ ...fields, prev_hash: locked.hash, hash }, headMac(this.key, fields.seq, hash), this.keyId);
    });
    return { fromKeyId: fromId, toKeyId: this.keyId, seq: seq + 1, priorChain: detail.priorChain };
  }

  /** The current head, signed for an upper level to keep (issue 13 item 3). */
  async checkpoint(prevSeq: number | null = null): Promise<AuditCheckpoint> {
    const r = repos(this.store.db).audit;
    const head = await r.head();
    const seq = Number(head.seq);
    const atMs = this.clock.nowMs();
    const prev = prevSeq === null ? null : { seq: prevSeq, hash: prevSeq === 0 ? GENESIS_HASH : await r.hashAt(prevSeq) };
    return { v: 1, seq, hash: head.hash, atMs, mac: checkpointMac(this.key, seq, head.hash, atMs), keyId: this.keyId, prev };
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
      // Signed with the current key or a retired one this node still holds; otherwise not ours.
      if (c.mac !== undefined && c.atMs !== undefined && ![...this.keys.values()].some((k) => c.mac === checkpointMac(k, c.seq, c.hash, c.atMs!))) {
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

