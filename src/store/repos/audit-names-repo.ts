// Names of the objects an audit record concerns, read when the record is written (issue 14 item 17):
// the log keeps the name as it was at the time, even after a rename or deletion. No scope filter
// for an authorised action; a refused one names only cameras inside the refused user's scope.
import type { Kysely } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export class AuditNamesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Camera id → "考点 房间 摄像机"; with `scope`, only cameras inside it. */
  async cameraLabels(ids: readonly number[], scope: Scope = { kind: 'all' }): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    let q = this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select(['camera.id as id', 'camera.name as camera', 'room.name as room', 'org_node.name as site'])
      .where('camera.id', 'in', [...ids]);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    const rows = await q.execute();
    return new Map(rows.map((r) => [r.id, `${r.site} ${r.room} ${r.camera}`]));
  }

  /** Room id → "考点 房间". */
  async roomLabels(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('room').innerJoin('org_node', 'org_node.id', 'room.site_id').select(['room.id as id', 'room.name as room', 'org_node.name as site']).where('room.id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, `${r.site} ${r.room}`]));
  }

  async nodeNames(ids: readonly number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('org_node').select(['id', 'name']).where('id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async examName(id: number): Promise<string | undefined> {
    return (await this.db.selectFrom('exam').select('name').where('id', '=', id).executeTakeFirst())?.name;
  }

  /** Session id → "考试 科目". */
  async sessionLabel(id: number): Promise<string | undefined> {
    const r = await this.db.selectFrom('exam_session').innerJoin('exam', 'exam.id', 'exam_session.exam_id').select(['exam.name as exam', 'exam_session.subject as subject']).where('exam_session.id', '=', id).executeTakeFirst();
    return r ? `${r.exam} ${r.subject}` : undefined;
  }

  async userName(id: number): Promise<string | undefined> {
    const r = await this.db.selectFrom('app_user').select(['username', 'display_name']).where('id', '=', id).executeTakeFirst();
    return r ? `${r.display_name}（${r.username}）` : undefined;
  }

  /** Camera of an evidence hold (its name is the camera's). */
  async holdCamera(id: number): Promise<number | undefined> {
    return (await this.db.selectFrom('evidence_hold').select('camera_id').where('id', '=', id).executeTakeFirst())?.camera_id;
  }
}
