// Cameras, scoped through room → site path. network_enc stays encrypted here; only the service
// that reveals it (admins, audited) opens it.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { CameraTable, Database } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type CameraRow = Selectable<CameraTable> & { site_id: number; site_path: string };

export class CameraRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private base(scope: Scope) {
    let q = this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('camera')
      .select(['room.site_id as site_id', 'org_node.path as site_path']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  list(scope: Scope): Promise<CameraRow[]> {
    return this.base(scope).orderBy('camera.room_id').orderBy('camera.name').execute();
  }

  get(scope: Scope, id: number): Promise<CameraRow | undefined> {
    return this.base(scope).where('camera.id', '=', id).executeTakeFirst();
  }

  getByGbCode(scope: Scope, gbCode: string): Promise<CameraRow | undefined> {
    return this.base(scope).where('camera.gb_code', '=', gbCode).executeTakeFirst();
  }

  async nameTaken(roomId: number, name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('camera').select('id').where('room_id', '=', roomId).where('name', '=', name);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  async insert(v: Omit<Insertable<CameraTable>, 'updated_at_ms'>): Promise<number> {
    const { id } = await this.db
      .insertInto('camera')
      .values({ ...v, updated_at_ms: v.created_at_ms })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async update(id: number, v: Omit<Updateable<CameraTable>, 'id' | 'created_at_ms'>): Promise<void> {
    await this.db.updateTable('camera').set(v).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('camera').where('id', '=', id).execute();
  }
}
