// Walks the audit chain (R-ACC-1, docs/design/security.md "Audit key rotation"). The chain may have
// been chained with several keys in turn: an `audit.rekey` record starts the part chained with the
// new key and carries a SHA-256 digest of every record before it (content, link and hash). So a
// verifier holding only the current key still checks the whole log — records before a rotation
// through the digest, which the new key authenticates — and one that also holds the retired keys
// names the exact record that was altered.
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { AuditRepo, AuditRow } from '../store/repos/audit-repo.ts';
import { GENESIS_HASH, canonicalRecord, chainHash, headMac } from './chain.ts';

export const REKEY_ACTION = 'audit.rekey';

/** The `detail` of an `audit.rekey` record. */
export interface RekeyDetail {
  fromKeyId: string;
  toKeyId: string;
  /** Records 1..coveredSeq are covered by the digest (the one before the re-key record). */
  coveredSeq: number;
  /** Hex SHA-256 over every covered record: canonical form, previous hash, hash. */
  contentDigest: string;
  /** What verification found before the rotation; a broken chain stays reported after it. */
  priorChain: 'intact' | { firstBadSeq: number; reason: string };
}

export interface WalkResult {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
  /** Running digest over every record walked, and the last record's hash (for a rotation). */
  digest: string;
  lastHash: string;
}

export function parseRekeyDetail(detail: string | null): RekeyDetail | null {
  if (detail === null) return null;
  try {
    const d = JSON.parse(detail) as Partial<RekeyDetail>;
    if (typeof d.fromKeyId !== 'string' || typeof d.toKeyId !== 'string' || typeof d.coveredSeq !== 'number' || typeof d.contentDigest !== 'string') return null;
    return d as RekeyDetail;
  } catch {
    return null;
  }
}

function addToDigest(digest: Hash, row: AuditRow, fields: Parameters<typeof canonicalRecord>[0]): void {
  digest.update(canonicalRecord(fields)).update('|').update(row.prev_hash).update('|').update(row.hash).update('\n');
}

const fieldsOf = (row: AuditRow) => {
  const { prev_hash: _p, hash: _h, ...rest } = row;
  return { ...rest, seq: Number(rest.seq), at_ms: Number(rest.at_ms), user_id: rest.user_id === null ? null : Number(rest.user_id) };
};

/** Digest of every record as stored, for sealing a chain that did not verify (its fault is recorded beside it). */
export async function contentDigestOf(repo: AuditRepo): Promise<string> {
  const digest = createHash('sha256');
  for (let after = 0; ; ) {
    const rows = await repo.page(after, 1000);
    if (rows.length === 0) break;
    for (const row of rows) {
      addToDigest(digest, row, fieldsOf(row));
      after = Number(row.seq);
    }
  }
  return digest.digest('hex');
}

/**
 * Checks every record and the head. `keys` maps key ids to the keys this node holds (current and
 * retired); `tailKeyId` is the key the newest part must be chained with (the current one, or
 * the retiring one while a rotation checks the chain it is about to seal).
 */
export async function walkChain(repo: AuditRepo, keys: ReadonlyMap<string, Buffer>, tailKeyId: string): Promise<WalkResult> {
  // Where the key changes: hints only — each re-key record is itself checked as the walk reaches it.
  const rekeys = (await repo.rekeyRecords(REKEY_ACTION)).flatMap((r) => {
    const d = parseRekeyDetail(r.detail);
    return d ? [{ seq: Number(r.seq), ...d }] : [];
  });
  const keyIdAt = (seq: number): string => rekeys.find((r) => r.seq > seq)?.fromKeyId ?? rekeys.at(-1)?.toKeyId ?? tailKeyId;
  const digest = createHash('sha256');
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  /** First record whose hash could not be checked (its key is not held) and no later digest covers yet. */
  let uncheckedFrom: { seq: number; keyId: string } | undefined;
  let priorBroken: { firstBadSeq: number; reason: string } | undefined;
  const fail = (firstBadSeq: number, reason: string): WalkResult => ({ ok: false, checked, firstBadSeq, reason, digest: '', lastHash: prevHash });
  for (;;) {
    const rows = await repo.page(expectedSeq - 1, 1000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return fail(expectedSeq, `record ${expectedSeq} is missing`);
      if (row.prev_hash !== prevHash) return fail(seq, `record ${seq} does not link to record ${seq - 1}`);
      const hash = row.hash;
      const fields = fieldsOf(row);
      const keyId = keyIdAt(seq);
      const key = keys.get(keyId);
      if (key) {
        if (hash !== chainHash(key, prevHash, fields)) return fail(seq, `record ${seq} was altered`);
      } else uncheckedFrom ??= { seq, keyId };
      const rekey = row.action === REKEY_ACTION ? rekeys.find((r) => r.seq === seq) : undefined;
      if (rekey) {
        // The digest is authenticated by this record's hash; a wrong digest means earlier records changed.
        if (rekey.coveredSeq !== seq - 1 || rekey.contentDigest !== digest.copy().digest('hex')) {
          return fail(uncheckedFrom && uncheckedFrom.seq < seq ? uncheckedFrom.seq : 1, `records before ${seq} changed since the audit key was rotated at record ${seq}`);
        }
        if (key) uncheckedFrom = undefined;
        if (rekey.priorChain !== 'intact') priorBroken ??= rekey.priorChain;
      }
      addToDigest(digest, row, fields);
      prevHash = hash;
      expectedSeq++;
      checked++;
    }
  }
  if (uncheckedFrom) return fail(uncheckedFrom.seq, `records from ${uncheckedFrom.seq} on are chained with audit key ${uncheckedFrom.keyId}, which this node does not hold`);
  const head = await repo.head();
  if (Number(head.seq) !== expectedSeq - 1 || head.hash !== prevHash) {
    return fail(expectedSeq, `records after ${expectedSeq - 1} were removed (head is at ${head.seq})`);
  }
  // The head itself: moved back (with its records deleted) by someone without the key, it has no valid MAC.
  const tailKey = keys.get(tailKeyId);
  if (!tailKey || head.head_mac === null || head.head_mac !== headMac(tailKey, Number(head.seq), head.hash)) {
    return fail(expectedSeq, `the audit head (record ${head.seq}) has no valid MAC: records after it may have been removed`);
  }
  if (priorBroken) return fail(priorBroken.firstBadSeq, `${priorBroken.reason} (found when the audit key was rotated)`);
  return { ok: true, checked, digest: digest.digest('hex'), lastHash: prevHash };
}
