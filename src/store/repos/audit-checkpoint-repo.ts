// Upper side of the audit checkpoints (issue 13, docs/design/security.md "Checkpoints checked at
// the upper"): per lower origin, the last checkpoint accepted and any problem found since.
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { AuditCheckpointPeerTable, Database } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type AuditCheckpointPeerRow = AuditCheckpointPeerTable;

export class AuditCheckpointRepo {
  constructor(private readonly db: Kysely<Database>) {}

  get(originCode: string): Promise<AuditCheckpointPeerRow | undefined> {
    return this.db.selectFrom('audit_checkpoint_peer').selectAll().where('origin_code', '=', originCode).executeTakeFirst();
  }

  /** The origin's row within the actor's scope (for acknowledging). */
  getInScope(scope: Scope, originCode: string): Promise<AuditCheckpointPeerRow | undefined> {
    let q = this.db.selectFrom('audit_checkpoint_peer').selectAll().where('origin_code', '=', originCode);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    return q.executeTakeFirst();
  }

  async save(row: AuditCheckpointPeerRow): Promise<void> {
    const { origin_code, ...rest } = row;
    const updated = await this.db.updateTable('audit_checkpoint_peer').set(rest).where('origin_code', '=', origin_code).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await this.db.insertInto('audit_checkpoint_peer').values(row).execute();
  }

  /** Rows in scope, with the name of the org node each maps to here. */
  list(scope: Scope): Promise<(AuditCheckpointPeerRow & { node_name: string | null })[]> {
    let q = this.db.selectFrom('audit_checkpoint_peer as p').leftJoin('org_node as n', 'n.path', 'p.scope_path').selectAll('p').select('n.name as node_name');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('p.scope_path', 'like', prefix);
    return q.orderBy('p.origin_code').execute();
  }

  async clearProblem(originCode: string): Promise<void> {
    await this.db.updateTable('audit_checkpoint_peer').set({ problem: null, problem_detail: null, problem_at_ms: null }).where('origin_code', '=', originCode).execute();
  }
}
