// Audit log storage. Appends are serialised on the single audit_head row so that the chain never
// forks, whatever the number of writers (PostgreSQL: row lock; SQLite: one writer at a time).
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { AuditLogTable, AuditOutcome, Database } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type AuditRow = AuditLogTable;

export interface AuditFilter {
  fromMs?: number;
  toMs?: number;
  username?: string;
  action?: string;
  objectType?: string;
  outcome?: AuditOutcome;
  limit?: number;
  offset?: number;
}

export class AuditRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async lockHead(dialect: 'sqlite' | 'postgres'): Promise<{ seq: number; hash: string; key_id: string | null }> {
    let q = this.db.selectFrom('audit_head').select(['seq', 'hash', 'key_id']).where('id', '=', 1);
    if (dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirstOrThrow();
  }

  async append(row: AuditRow, headMac: string, keyId: string): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
    await this.db.updateTable('audit_head').set({ seq: row.seq, hash: row.hash, head_mac: headMac, key_id: keyId }).where('id', '=', 1).execute();
  }

  async head(): Promise<{ seq: number; hash: string; head_mac: string | null; key_id: string | null }> {
    return this.db.selectFrom('audit_head').select(['seq', 'hash', 'head_mac', 'key_id']).where('id', '=', 1).executeTakeFirstOrThrow();
  }

  /** Names the key chaining the head (first start after migration 0027, when the head's MAC proves it). */
  async setHeadKeyId(keyId: string): Promise<void> {
    await this.db.updateTable('audit_head').set({ key_id: keyId }).where('id', '=', 1).execute();
  }

  /** The key rotation records, in chain order (few: one per rotation). */
  async rekeyRecords(action: string): Promise<{ seq: number; detail: string | null }[]> {
    return this.db.selectFrom('audit_log').select(['seq', 'detail']).where('action', '=', action).orderBy('seq').execute();
  }

  /** Hash of one record (null when it is not there), for checking checkpoints. */
  async hashAt(seq: number): Promise<string | null> {
    const row = await this.db.selectFrom('audit_log').select('hash').where('seq', '=', seq).executeTakeFirst();
    return row?.hash ?? null;
  }

  async list(scope: Scope, f: AuditFilter): Promise<{ total: number; records: AuditRow[] }> {
    let q = this.db.selectFrom('audit_log');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    if (f.fromMs !== undefined) q = q.where('at_ms', '>=', f.fromMs);
    if (f.toMs !== undefined) q = q.where('at_ms', '<', f.toMs);
    if (f.username) q = q.where('username', '=', f.username);
    // Prefix match ('camera.' finds camera.create, camera.reveal…); the API admits only [a-z.] here.
    if (f.action) q = q.where('action', 'like', `${f.action}%`);
    if (f.objectType) q = q.where('object_type', '=', f.objectType);
    if (f.outcome) q = q.where('outcome', '=', f.outcome);
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const records = await q
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(f.limit ?? 50)
      .offset(f.offset ?? 0)
      .execute();
    return { total: Number(total), records };
  }

  /** Rows in chain order, in pages, for verification. */
  async page(afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  }
}
