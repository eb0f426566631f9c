// Patrol tours (轮巡) kept on the server (issue 4, R-CITY-2): a tour belongs to an org node and an
// owner. Rules: the owner changes their own tours; a shared tour is seen by every user whose scope
// holds its node, and an administrator of that node (`tour.share`) may change it; only holders of
// `tour.share` share. A tour's items never name a camera or room outside its node, and at play time
// they resolve only to cameras the viewer may see. Changes are audited in their transaction.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { Denied, outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import { can } from '../auth/roles.ts';
import { actorNodeId } from '../exams/permissions.ts';
import type { Store } from '../store/db.ts';
import type { Repos } from '../store/repos/index.ts';
import { repos } from '../store/repos/index.ts';
import type { OrgNodeRow } from '../store/repos/org-repo.ts';
import type { TourItemInput, TourItemRow, TourRow } from '../store/repos/tour-repo.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { resolveTour } from './resolve.ts';
import type { TourBody } from './schemas.ts';
import type { TourCameraView, TourView } from './views.ts';
import { tourCameraView, tourView } from './views.ts';

export type TourInput = Omit<TourBody, 'shared' | 'items'> & { shared?: boolean; items: Array<{ kind: TourItemInput['kind']; refId?: number | null }> };

const mayShare = (actor: Actor): boolean => actor.role === 'system' || can(actor.role, 'tour.share');

/** Seen by the actor: its node is in scope (the query checked that) and it is theirs or shared. */
const visible = (actor: Actor, t: TourRow): boolean => actor.role === 'system' || t.shared === 1 || t.owner_user_id === actor.userId;

const editable = (actor: Actor, t: TourRow): boolean => actor.role === 'system' || t.owner_user_id === actor.userId || (t.shared === 1 && mayShare(actor));

export class TourService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor): Promise<TourView[]> {
    await requirePermission(this.audit, actor, 'video.live', 'tour.list', 'tour', '*');
    const r = repos(this.store.db);
    const tours = await r.tours.listVisible(actor.scope, actor.role === 'system' ? null : (actor.userId ?? -1));
    return this.views(r, actor, tours);
  }

  async get(actor: Actor, id: number): Promise<TourView> {
    await requirePermission(this.audit, actor, 'video.live', 'tour.read', 'tour', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      return (await this.views(r, actor, [await this.visibleTour(r, actor, id, 'tour.read')]))[0];
    });
  }

  async create(actor: Actor, input: TourInput): Promise<TourView> {
    await requirePermission(this.audit, actor, 'video.live', 'tour.create', 'tour', input.name);
    if (input.shared) await requirePermission(this.audit, actor, 'tour.share', 'tour.create', 'tour', input.name);
    if (actor.userId === null) throw new AppError('invalid_input', '轮巡方案须属于一个用户 (a tour needs an owning user)');
    const ownerId = actor.userId;
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const node = await this.nodeFor(r, actor, input.orgNodeId, 'tour.create');
      const name = input.name.trim();
      if (await r.tours.nameTaken(ownerId, name)) throw new AppError('conflict', `您已有名为“${name}”的轮巡方案 (you already have a tour with this name)`, { field: 'name' });
      const items = await this.checkItems(r, actor, node, input.items, 'tour.create');
      const now = this.clock.nowMs();
      const id = await r.tours.insert({ org_node_id: node.id, owner_user_id: ownerId, name, interval_s: input.intervalS, layout_tiles: input.layoutTiles, shared: input.shared ? 1 : 0, created_at_ms: now, updated_at_ms: now });
      await r.tours.replaceItems(id, items);
      await this.audit.append(trx, actor, { action: 'tour.create', objectType: 'tour', objectId: id, scopePath: node.path, detail: { name, orgNodeId: node.id, shared: Boolean(input.shared), intervalS: input.intervalS, layoutTiles: input.layoutTiles, items } });
      return (await this.views(r, actor, [(await r.tours.get({ kind: 'all' }, id))!]))[0];
    });
  }

  /** Replaces the tour (PUT): every field as given. */
  async update(actor: Actor, id: number, input: TourInput): Promise<TourView> {
    await requirePermission(this.audit, actor, 'video.live', 'tour.update', 'tour', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const tour = await this.editableTour(r, actor, id, 'tour.update');
      if (input.shared && tour.shared !== 1 && !mayShare(actor)) throw new Denied({ action: 'tour.update', objectType: 'tour', objectId: id, detail: { reason: `role ${actor.role} lacks tour.share` } }, 'forbidden', '无权共享轮巡方案 (not permitted to share tours)');
      const node = input.orgNodeId === undefined || input.orgNodeId === tour.org_node_id ? await this.nodeFor(r, actor, tour.org_node_id, 'tour.update') : await this.nodeFor(r, actor, input.orgNodeId, 'tour.update');
      const name = input.name.trim();
      if (await r.tours.nameTaken(tour.owner_user_id, name, id)) throw new AppError('conflict', `已有名为“${name}”的轮巡方案 (the owner already has a tour with this name)`, { field: 'name' });
      const items = await this.checkItems(r, actor, node, input.items, 'tour.update');
      const before = { name: tour.name, orgNodeId: tour.org_node_id, shared: tour.shared === 1, intervalS: tour.interval_s, layoutTiles: tour.layout_tiles, items: (await r.tours.items([id])).map((it) => ({ kind: it.kind, refId: it.ref_id })) };
      const shared = input.shared ?? false;
      await r.tours.update(id, { org_node_id: node.id, name, interval_s: input.intervalS, layout_tiles: input.layoutTiles, shared: shared ? 1 : 0, updated_at_ms: this.clock.nowMs() });
      await r.tours.replaceItems(id, items);
      await this.audit.append(trx, actor, { action: 'tour.update', objectType: 'tour', objectId: id, scopePath: node.path, detail: { before, after: { name, orgNodeId: node.id, shared, intervalS: input.intervalS, layoutTiles: input.layoutTiles, items } } });
      return (await this.views(r, actor, [(await r.tours.get({ kind: 'all' }, id))!]))[0];
    });
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.audit, actor, 'video.live', 'tour.delete', 'tour', id);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const tour = await this.editableTour(r, actor, id, 'tour.delete');
      await r.tours.delete(id);
      await this.audit.append(trx, actor, { action: 'tour.delete', objectType: 'tour', objectId: id, scopePath: tour.node_path, detail: { name: tour.name, orgNodeId: tour.org_node_id, shared: tour.shared === 1, ownerId: tour.owner_user_id } });
    });
  }

  /** The cameras the tour pages through for this viewer, in order: only cameras in the viewer's scope and the tour's node. */
  async cameras(actor: Actor, id: number): Promise<{ tourId: number; cameras: TourCameraView[] }> {
    await requirePermission(this.audit, actor, 'video.live', 'tour.play', 'tour', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const tour = await this.visibleTour(r, actor, id, 'tour.play');
      const items = await r.tours.items([id]);
      const ids = (kind: TourItemRow['kind']) => items.filter((it) => it.kind === kind && it.ref_id !== null).map((it) => it.ref_id!);
      const [byId, ofRooms, ofExamRooms] = await Promise.all([
        r.tours.cameras(actor.scope, { cameraIds: ids('camera') }, tour.node_path),
        r.tours.cameras(actor.scope, { roomIds: ids('room') }, tour.node_path),
        items.some((it) => it.kind === 'all-exam-rooms') ? r.tours.cameras(actor.scope, { examRooms: true }, tour.node_path) : Promise.resolve([]),
      ]);
      return { tourId: id, cameras: resolveTour(items, { byId, ofRooms, ofExamRooms }).map(tourCameraView) };
    });
  }

  private async visibleTour(r: Repos, actor: Actor, id: number, action: string): Promise<TourRow> {
    const tour = await r.tours.get(actor.scope, id);
    // Someone else's private tour answers like a missing one: its existence is not the caller's business.
    if (!tour || !visible(actor, tour)) throw outOfScope(action, 'tour', id);
    return tour;
  }

  private async editableTour(r: Repos, actor: Actor, id: number, action: string): Promise<TourRow> {
    const tour = await this.visibleTour(r, actor, id, action);
    if (!editable(actor, tour)) throw new Denied({ action, objectType: 'tour', objectId: id, detail: { reason: 'not the owner, and not an administrator of a shared tour' } }, 'forbidden', '只能修改自己的轮巡方案，共享方案由管理员修改 (only the owner, or an administrator for a shared tour, may change it)');
    return tour;
  }

  private async nodeFor(r: Repos, actor: Actor, orgNodeId: number | undefined, action: string): Promise<OrgNodeRow> {
    const id = orgNodeId ?? actorNodeId(actor);
    if (id === undefined) throw new AppError('invalid_input', '请指定轮巡方案所属机构 (orgNodeId required)', { field: 'orgNodeId' });
    const node = await r.org.get(actor.scope, id);
    if (!node) throw outOfScope(action, 'org_node', id);
    return node;
  }

  /** Items must name cameras/rooms the actor may see (else 404, audited) and lying in the tour's node (else 400). */
  private async checkItems(r: Repos, actor: Actor, node: OrgNodeRow, items: TourInput['items'], action: string): Promise<TourItemInput[]> {
    const out: TourItemInput[] = items.map((it) => ({ kind: it.kind, refId: it.kind === 'all-exam-rooms' ? null : (it.refId ?? null) }));
    const camIds = [...new Set(out.filter((it) => it.kind === 'camera').map((it) => it.refId!))];
    const roomIds = [...new Set(out.filter((it) => it.kind === 'room').map((it) => it.refId!))];
    const cams = new Map((await r.tours.cameras(actor.scope, { cameraIds: camIds })).map((c) => [c.id, c]));
    const rooms = new Map((await r.tours.rooms(actor.scope, roomIds)).map((x) => [x.id, x]));
    for (const id of camIds) {
      const c = cams.get(id);
      if (!c) throw outOfScope(action, 'camera', id);
      if (!c.site_path.startsWith(node.path)) throw new AppError('invalid_input', `摄像机“${c.name}”不在“${node.name}”范围内 (camera outside the tour's node)`, { field: 'items', cameraId: id });
    }
    for (const id of roomIds) {
      const x = rooms.get(id);
      if (!x) throw outOfScope(action, 'room', id);
      if (!x.site_path.startsWith(node.path)) throw new AppError('invalid_input', `房间“${x.name}”不在“${node.name}”范围内 (room outside the tour's node)`, { field: 'items', roomId: id });
    }
    return out;
  }

  private async views(r: Repos, actor: Actor, tours: readonly TourRow[]): Promise<TourView[]> {
    const items = await r.tours.items(tours.map((t) => t.id));
    const refs = (kind: TourItemRow['kind']) => [...new Set(items.filter((it) => it.kind === kind && it.ref_id !== null).map((it) => it.ref_id!))];
    // Labels through the viewer's scope: a name the viewer may not see stays null.
    const [cams, rooms] = await Promise.all([r.tours.cameras(actor.scope, { cameraIds: refs('camera') }), r.tours.rooms(actor.scope, refs('room'))]);
    const labels = { cameras: new Map(cams.map((c) => [c.id, c])), rooms: new Map(rooms.map((x) => [x.id, x])) };
    return tours.map((t) => tourView(t, items.filter((it) => it.tour_id === t.id), labels, editable(actor, t)));
  }
}
