// Bandwidth measured through the cascade (migration 0030, R-PRE-4): one row per measurement of a
// lower platform; reads filter by the caller's scope through the lower's org node.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, ReadinessCascadeBandwidthTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type CascadeBandwidthRow = Selectable<ReadinessCascadeBandwidthTable> & { lower_name: string; lower_sip_id: string };

export class CascadeBandwidthRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(v: Omit<Insertable<ReadinessCascadeBandwidthTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('readiness_cascade_bandwidth').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** The newest measurement of each lower in scope (optionally one lower). */
  async latest(scope: Scope, lowerId?: number): Promise<CascadeBandwidthRow[]> {
    let newest = this.db.selectFrom('readiness_cascade_bandwidth').select((eb) => ['lower_id', eb.fn.max('id').as('max_id')]).groupBy('lower_id');
    if (lowerId !== undefined) newest = newest.where('lower_id', '=', lowerId);
    let q = this.db
      .selectFrom('readiness_cascade_bandwidth as b')
      .innerJoin(newest.as('n'), 'n.max_id', 'b.id')
      .innerJoin('lower_platform', 'lower_platform.id', 'b.lower_id')
      .innerJoin('org_node', 'org_node.id', 'lower_platform.org_node_id')
      .selectAll('b')
      .select(['lower_platform.name as lower_name', 'lower_platform.sip_id as lower_sip_id']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    const rows = await q.orderBy('b.lower_id').execute();
    // PostgreSQL returns bigint as a string.
    return rows.map((r) => ({ ...r, measured_at_ms: Number(r.measured_at_ms) }));
  }
}
