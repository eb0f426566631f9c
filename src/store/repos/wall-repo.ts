// The video wall kept on the server (issue 14 item 1): each user's current wall and named wall
// layouts. Layout reads are filtered by the caller's scope through the layout's org node path; the
// current wall is read by the user's own id only (its cameras are filtered by the service through
// the tour repository's scoped camera query). Writes take ids the service read through scoped queries.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, WallLayoutTable, WallStateTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type WallStateRow = Selectable<WallStateTable>;
export type WallLayoutRow = Selectable<WallLayoutTable> & { node_path: string; node_name: string; owner_username: string; owner_display_name: string };

export class WallRepo {
  constructor(private readonly db: Kysely<Database>) {}

  state(userId: number): Promise<WallStateRow | undefined> {
    return this.db.selectFrom('wall_state').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async putState(row: WallStateRow): Promise<void> {
    const { user_id: _id, ...changes } = row;
    await this.db.insertInto('wall_state').values(row).onConflict((oc) => oc.column('user_id').doUpdateSet(changes)).execute();
  }

  private layouts(scope: Scope) {
    let q = this.db
      .selectFrom('wall_layout')
      .innerJoin('org_node', 'org_node.id', 'wall_layout.org_node_id')
      .innerJoin('app_user', 'app_user.id', 'wall_layout.owner_user_id')
      .selectAll('wall_layout')
      .select(['org_node.path as node_path', 'org_node.name as node_name', 'app_user.username as owner_username', 'app_user.display_name as owner_display_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  /** Layouts at nodes in scope that `viewerId` owns or that are shared; every layout for the system (viewerId null). */
  listVisible(scope: Scope, viewerId: number | null): Promise<WallLayoutRow[]> {
    let q = this.layouts(scope);
    if (viewerId !== null) q = q.where((eb) => eb.or([eb('wall_layout.owner_user_id', '=', viewerId), eb('wall_layout.shared', '=', 1)]));
    return q.orderBy('wall_layout.shared').orderBy('wall_layout.name').orderBy('wall_layout.id').execute();
  }

  /** A layout whose node is in scope; whether the caller may see or change it is the service's rule. */
  getLayout(scope: Scope, id: number): Promise<WallLayoutRow | undefined> {
    return this.layouts(scope).where('wall_layout.id', '=', id).executeTakeFirst();
  }

  async layoutNameTaken(ownerId: number, name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('wall_layout').select('id').where('owner_user_id', '=', ownerId).where('name', '=', name);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  async insertLayout(v: Omit<Insertable<WallLayoutTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('wall_layout').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateLayout(id: number, v: Pick<WallLayoutTable, 'org_node_id' | 'name' | 'layout_tiles' | 'cells' | 'shared' | 'updated_at_ms'>): Promise<void> {
    await this.db.updateTable('wall_layout').set(v).where('id', '=', id).execute();
  }

  async deleteLayout(id: number): Promise<void> {
    await this.db.deleteFrom('wall_layout').where('id', '=', id).execute();
  }
}
