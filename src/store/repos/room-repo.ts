// Rooms of exam sites, scoped through their site's path.
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, RoomKind, RoomTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type RoomRow = Omit<RoomTable, 'id'> & { id: number; site_path: string };

export class RoomRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private base(scope: Scope) {
    let q = this.db
      .selectFrom('room')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('room')
      .select('org_node.path as site_path');
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  list(scope: Scope): Promise<RoomRow[]> {
    return this.base(scope).orderBy('room.site_id').orderBy('room.name').execute();
  }

  get(scope: Scope, id: number): Promise<RoomRow | undefined> {
    return this.base(scope).where('room.id', '=', id).executeTakeFirst();
  }

  getByGbCode(scope: Scope, gbCode: string): Promise<RoomRow | undefined> {
    return this.base(scope).where('room.gb_code', '=', gbCode).executeTakeFirst();
  }

  async nameTaken(siteId: number, name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('room').select('id').where('site_id', '=', siteId).where('name', '=', name);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  async insert(v: { siteId: number; kind: RoomKind; name: string; seats: number; gbCode: string; nowMs: number }): Promise<number> {
    const { id } = await this.db
      .insertInto('room')
      .values({ site_id: v.siteId, kind: v.kind, name: v.name, seats: v.seats, gb_code: v.gbCode, created_at_ms: v.nowMs, updated_at_ms: v.nowMs })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async update(id: number, v: Partial<Pick<RoomTable, 'site_id' | 'kind' | 'name' | 'seats'>>, nowMs: number): Promise<void> {
    await this.db.updateTable('room').set({ ...v, updated_at_ms: nowMs }).where('id', '=', id).execute();
  }

  async hasCameras(id: number): Promise<boolean> {
    return Boolean(await this.db.selectFrom('camera').select('id').where('room_id', '=', id).executeTakeFirst());
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('room').where('id', '=', id).execute();
  }
}
