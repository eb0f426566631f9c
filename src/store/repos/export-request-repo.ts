// Export requests (issue 14 item 6): every read filters by the caller's scope (the cameras' site path).
import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, ExportRequestState, ExportRequestTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type ExportRequestRow = Selectable<ExportRequestTable>;

export class ExportRequestRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(v: Omit<ExportRequestRow, 'id' | 'state' | 'decided_by_user_id' | 'decided_by' | 'decided_at_ms' | 'decision_note' | 'export_id'>): Promise<number> {
    const row = await this.db
      .insertInto('export_request')
      .values({ ...v, state: 'pending', decided_by_user_id: null, decided_by: null, decided_at_ms: null, decision_note: null, export_id: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** In scope; mine: only the ones this user asked for. Newest first. */
  async list(scope: Scope, opts: { requesterUserId?: number; state?: ExportRequestState; limit: number }): Promise<ExportRequestRow[]> {
    let q = this.db.selectFrom('export_request').selectAll();
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    if (opts.requesterUserId !== undefined) q = q.where('requester_user_id', '=', opts.requesterUserId);
    if (opts.state) q = q.where('state', '=', opts.state);
    return q.orderBy('id', 'desc').limit(opts.limit).execute();
  }

  async get(scope: Scope, id: number): Promise<ExportRequestRow | undefined> {
    let q = this.db.selectFrom('export_request').selectAll().where('id', '=', id);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    return q.executeTakeFirst();
  }

  /** Decides a pending request; false when it was no longer pending (decided by someone else). */
  async decide(scope: Scope, id: number, d: { state: 'approved' | 'rejected'; byUserId: number | null; by: string; atMs: number; note: string | null }): Promise<boolean> {
    let q = this.db
      .updateTable('export_request')
      .set({ state: d.state, decided_by_user_id: d.byUserId, decided_by: d.by, decided_at_ms: d.atMs, decision_note: d.note })
      .where('id', '=', id)
      .where('state', '=', 'pending');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async setExport(id: number, exportId: string): Promise<void> {
    await this.db.updateTable('export_request').set({ export_id: exportId }).where('id', '=', id).execute();
  }
}
