// Organisation nodes (province → city → district → site). Every read filters by scope here, in
// the repository, never in the UI (R-SEC-4).
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, OrgNodeKind, OrgNodeTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type OrgNodeRow = Omit<OrgNodeTable, 'id'> & { id: number };

export class OrgRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async list(scope: Scope): Promise<OrgNodeRow[]> {
    let q = this.db.selectFrom('org_node').selectAll();
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('path', 'like', prefix);
    return q.orderBy('path').execute();
  }

  async get(scope: Scope, id: number): Promise<OrgNodeRow | undefined> {
    let q = this.db.selectFrom('org_node').selectAll().where('id', '=', id);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('path', 'like', prefix);
    return q.executeTakeFirst();
  }

  async getByGbCode(scope: Scope, gbCode: string): Promise<OrgNodeRow | undefined> {
    let q = this.db.selectFrom('org_node').selectAll().where('gb_code', '=', gbCode);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('path', 'like', prefix);
    return q.executeTakeFirst();
  }

  /** Existence regardless of scope: used only to tell "exists elsewhere" conflicts apart. */
  async gbCodeTaken(gbCode: string): Promise<boolean> {
    const a = await this.db.selectFrom('org_node').select('id').where('gb_code', '=', gbCode).executeTakeFirst();
    const b = await this.db.selectFrom('room').select('id').where('gb_code', '=', gbCode).executeTakeFirst();
    const c = await this.db.selectFrom('camera').select('id').where('gb_code', '=', gbCode).executeTakeFirst();
    return Boolean(a ?? b ?? c);
  }

  /** Highest code with this 13-digit prefix across nodes, rooms and cameras (for allocating serials). */
  async maxGbCode(prefix: string): Promise<string | undefined> {
    const like = `${prefix}%`;
    const rows = await Promise.all([
      this.db.selectFrom('org_node').select((eb) => eb.fn.max('gb_code').as('m')).where('gb_code', 'like', like).executeTakeFirst(),
      this.db.selectFrom('room').select((eb) => eb.fn.max('gb_code').as('m')).where('gb_code', 'like', like).executeTakeFirst(),
      this.db.selectFrom('camera').select((eb) => eb.fn.max('gb_code').as('m')).where('gb_code', 'like', like).executeTakeFirst(),
    ]);
    return rows.map((r) => r?.m ?? undefined).filter((m): m is string => Boolean(m)).sort().at(-1);
  }

  /** Path of the root of the tree (the first node without a parent), if any. */
  async rootPath(): Promise<string | undefined> {
    return (await this.db.selectFrom('org_node').select('path').where('parent_id', 'is', null).orderBy('id').executeTakeFirst())?.path;
  }

  /** Name and kind of the root of the tree (this installation's own node, issue 14 item 15). */
  async root(): Promise<{ name: string; kind: OrgNodeKind } | undefined> {
    return this.db.selectFrom('org_node').select(['name', 'kind']).where('parent_id', 'is', null).orderBy('id').executeTakeFirst();
  }

  async siblingNamed(parentId: number | null, name: string): Promise<number | undefined> {
    let q = this.db.selectFrom('org_node').select('id').where('name', '=', name);
    q = parentId === null ? q.where('parent_id', 'is', null) : q.where('parent_id', '=', parentId);
    return (await q.executeTakeFirst())?.id;
  }

  async insert(values: { parentId: number | null; parentPath: string; kind: OrgNodeKind; name: string; gbCode: string; regionCode: string; nowMs: number }): Promise<OrgNodeRow> {
    const { id } = await this.db
      .insertInto('org_node')
      .values({
        parent_id: values.parentId,
        kind: values.kind,
        name: values.name,
        gb_code: values.gbCode,
        region_code: values.regionCode,
        path: '/pending/',
        created_at_ms: values.nowMs,
        updated_at_ms: values.nowMs,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const path = `${values.parentPath}${id}/`;
    await this.db.updateTable('org_node').set({ path }).where('id', '=', id).execute();
    return (await this.get({ kind: 'all' }, id))!;
  }

  async rename(id: number, name: string, nowMs: number): Promise<void> {
    await this.db.updateTable('org_node').set({ name, updated_at_ms: nowMs }).where('id', '=', id).execute();
  }

  /** Moves a node and rewrites the paths of its whole subtree in one statement. */
  async move(id: number, oldPath: string, newParentId: number, newPath: string, nowMs: number): Promise<void> {
    await this.db.updateTable('org_node').set({ parent_id: newParentId, updated_at_ms: nowMs }).where('id', '=', id).execute();
    await this.db
      .updateTable('org_node')
      .set({ path: sql<string>`${newPath} || substr(path, ${oldPath.length + 1})` })
      .where('path', 'like', `${oldPath}%`)
      .execute();
  }

  async hasDependents(id: number): Promise<string | undefined> {
    if (await this.db.selectFrom('org_node').select('id').where('parent_id', '=', id).executeTakeFirst()) return '下级机构 (child nodes)';
    if (await this.db.selectFrom('room').select('id').where('site_id', '=', id).executeTakeFirst()) return '房间 (rooms)';
    if (await this.db.selectFrom('app_user').select('id').where('org_node_id', '=', id).executeTakeFirst()) return '用户 (users)';
    return undefined;
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('org_node').where('id', '=', id).execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('org_node').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
