// The audit hash chain (R-ACC-1). Each record's hash is HMAC-SHA256(key, prev_hash | canonical
// record). HMAC rather than a bare hash so that someone who can write to the database but does not
// hold the node key cannot recompute a consistent chain after editing a row.
import { createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedFields {
  seq: number;
  at_ms: number;
  user_id: number | null;
  username: string;
  role: string;
  ip: string;
  workstation: string;
  action: string;
  object_type: string;
  object_id: string;
  outcome: string;
  scope_path: string;
  detail: string | null;
}

/** Canonical form: fixed field order, JSON-encoded, so that no field boundary is ambiguous. */
export function canonicalRecord(r: ChainedFields): string {
  return JSON.stringify([r.seq, r.at_ms, r.user_id, r.username, r.role, r.ip, r.workstation, r.action, r.object_type, r.object_id, r.outcome, r.scope_path, r.detail]);
}

export function chainHash(key: Buffer, prevHash: string, record: ChainedFields): string {
  return createHmac('sha256', key).update(prevHash).update('|').update(canonicalRecord(record)).digest('hex');
}

/** MAC of the audit head (issue 13 item 3): without the key the head cannot be moved back unnoticed. */
export function headMac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`head|${seq}|${hash}`).digest('hex');
}

/** MAC of a checkpoint sent to the upper level. */
export function checkpointMac(key: Buffer, seq: number, hash: string, atMs: number): string {
  return createHmac('sha256', key).update(`checkpoint|${seq}|${hash}|${atMs}`).digest('hex');
}

/**
 * Public name of an audit key (16 hex characters): written into re-key records and checkpoints so
 * that a verifier knows which key chains which records, without revealing anything about the key.
 */
export function auditKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('xuncha audit key id').digest('hex').slice(0, 16);
}
