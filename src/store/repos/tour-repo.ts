// Patrol tours (轮巡) and their items, and the cameras/rooms a tour's items resolve to. Every read
// is filtered by the caller's scope through the tour's org node path (or the camera's site path);
// writes take ids the service has first read through a scoped query. See docs/design/live.md.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, PatrolTourItemTable, PatrolTourTable, RoomKind, TourItemKind } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type TourRow = Selectable<PatrolTourTable> & { node_path: string; node_name: string; owner_username: string; owner_display_name: string };
export type TourItemRow = Selectable<PatrolTourItemTable>;
export interface TourItemInput { kind: TourItemKind; refId: number | null }

/** A camera as a tour shows it, with where it is. */
export interface TourCameraRow {
  id: number;
  name: string;
  room_id: number;
  room_name: string;
  room_kind: RoomKind;
  site_id: number;
  site_name: string;
  site_path: string;
}

export interface TourRoomRow { id: number; name: string; kind: RoomKind; site_name: string; site_path: string }

/** Which cameras to look up: by id, every camera of some rooms, or of every exam/lab room. */
export type CameraFilter = { cameraIds: readonly number[] } | { roomIds: readonly number[] } | { examRooms: true };

export class TourRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private tours(scope: Scope) {
    let q = this.db
      .selectFrom('patrol_tour')
      .innerJoin('org_node', 'org_node.id', 'patrol_tour.org_node_id')
      .innerJoin('app_user', 'app_user.id', 'patrol_tour.owner_user_id')
      .selectAll('patrol_tour')
      .select(['org_node.path as node_path', 'org_node.name as node_name', 'app_user.username as owner_username', 'app_user.display_name as owner_display_name']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q;
  }

  /** Tours at nodes in scope that `viewerId` owns or that are shared; every tour for the system (viewerId null). */
  listVisible(scope: Scope, viewerId: number | null): Promise<TourRow[]> {
    let q = this.tours(scope);
    if (viewerId !== null) q = q.where((eb) => eb.or([eb('patrol_tour.owner_user_id', '=', viewerId), eb('patrol_tour.shared', '=', 1)]));
    return q.orderBy('org_node.path').orderBy('patrol_tour.name').orderBy('patrol_tour.id').execute();
  }

  /** A tour whose node is in scope; whether the caller may see or change it is the service's rule. */
  get(scope: Scope, id: number): Promise<TourRow | undefined> {
    return this.tours(scope).where('patrol_tour.id', '=', id).executeTakeFirst();
  }

  async nameTaken(ownerId: number, name: string, exceptId?: number): Promise<boolean> {
    let q = this.db.selectFrom('patrol_tour').select('id').where('owner_user_id', '=', ownerId).where('name', '=', name);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return Boolean(await q.executeTakeFirst());
  }

  async insert(v: Omit<Insertable<PatrolTourTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('patrol_tour').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async update(id: number, v: Pick<PatrolTourTable, 'org_node_id' | 'name' | 'interval_s' | 'layout_tiles' | 'shared' | 'updated_at_ms'>): Promise<void> {
    await this.db.updateTable('patrol_tour').set(v).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('patrol_tour_item').where('tour_id', '=', id).execute();
    await this.db.deleteFrom('patrol_tour').where('id', '=', id).execute();
  }

  /** Items of the given tours, each tour's in order. */
  async items(tourIds: readonly number[]): Promise<TourItemRow[]> {
    if (tourIds.length === 0) return [];
    return this.db.selectFrom('patrol_tour_item').selectAll().where('tour_id', 'in', [...tourIds]).orderBy('tour_id').orderBy('position').execute();
  }

  async replaceItems(tourId: number, items: readonly TourItemInput[]): Promise<void> {
    await this.db.deleteFrom('patrol_tour_item').where('tour_id', '=', tourId).execute();
    if (items.length === 0) return;
    await this.db
      .insertInto('patrol_tour_item')
      .values(items.map((it, position) => ({ tour_id: tourId, position, kind: it.kind, ref_id: it.refId })))
      .execute();
  }

  /**
   * Cameras in `scope` and, when given, below `withinPath` (the tour's node: a tour never plays a
   * camera outside its node, even one the viewer could see). Unordered: the service orders them
   * the same way on both databases (collations differ).
   */
  async cameras(scope: Scope, filter: CameraFilter, withinPath?: string): Promise<TourCameraRow[]> {
    let q = this.db
      .selectFrom('camera')
      .innerJoin('room', 'room.id', 'camera.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select(['camera.id as id', 'camera.name as name', 'room.id as room_id', 'room.name as room_name', 'room.kind as room_kind', 'org_node.id as site_id', 'org_node.name as site_name', 'org_node.path as site_path']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (withinPath !== undefined) q = q.where('org_node.path', 'like', `${withinPath}%`);
    if ('cameraIds' in filter) {
      if (filter.cameraIds.length === 0) return [];
      q = q.where('camera.id', 'in', [...filter.cameraIds]);
    } else if ('roomIds' in filter) {
      if (filter.roomIds.length === 0) return [];
      q = q.where('room.id', 'in', [...filter.roomIds]);
    } else {
      q = q.where('room.kind', 'in', ['exam', 'lab']);
    }
    return q.execute();
  }

  /** Rooms by id in `scope` (and below `withinPath` when given). */
  async rooms(scope: Scope, ids: readonly number[], withinPath?: string): Promise<TourRoomRow[]> {
    if (ids.length === 0) return [];
    let q = this.db
      .selectFrom('room')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .select(['room.id as id', 'room.name as name', 'room.kind as kind', 'org_node.name as site_name', 'org_node.path as site_path'])
      .where('room.id', 'in', [...ids]);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (withinPath !== undefined) q = q.where('org_node.path', 'like', `${withinPath}%`);
    return q.execute();
  }
}
