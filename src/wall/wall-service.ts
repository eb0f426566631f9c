// The video wall kept on the server (issue 14 item 1, docs/design/console.md): the user's current
// wall (what a reload, a login on another duty PC or a cleared browser brings back) and named wall
// layouts. Layouts follow the patrol tour rules: the owner changes their own; a shared layout is
// seen by every user whose scope holds its node and changed by an administrator of it (`tour.share`);
// its cameras lie inside its node; a viewer sees only the cameras they may see (others: empty tiles).
// Layout changes and refusals are audited; the current wall is the user's own view, not audited
// (each video it shows is, when it plays).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { Denied, outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import { can } from '../auth/roles.ts';
import { actorNodeId } from '../exams/permissions.ts';
import type { Store } from '../store/db.ts';
import type { Repos } from '../store/repos/index.ts';
import { repos } from '../store/repos/index.ts';
import type { OrgNodeRow } from '../store/repos/org-repo.ts';
import type { WallLayoutRow } from '../store/repos/wall-repo.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { WallLayoutBody, WallStateBody } from './schemas.ts';
import { parseCells, wallLayoutView, wallStateView } from './views.ts';
import type { WallLayoutView, WallStateView } from './views.ts';

export type WallLayoutInput = Omit<WallLayoutBody, 'shared'> & { shared?: boolean };

const mayShare = (actor: Actor): boolean => actor.role === 'system' || can(actor.role, 'tour.share');
const visible = (actor: Actor, l: WallLayoutRow): boolean => actor.role === 'system' || l.shared === 1 || l.owner_user_id === actor.userId;
const editable = (actor: Actor, l: WallLayoutRow): boolean => actor.role === 'system' || l.owner_user_id === actor.userId || (l.shared === 1 && mayShare(actor));
const cameraIds = (cells: readonly (number | null)[]): number[] => [...new Set(cells.filter((c): c is number => c !== null))];

export class WallService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The caller's current wall, or null before they first arranged one. */
  async state(actor: Actor): Promise<WallStateView | null> {
    await requirePermission(this.audit, actor, 'video.live', 'wall.state.read', 'wall', actor.userId ?? '-');
    if (actor.userId === null) return null;
    const r = repos(this.store.db);
    const row = await r.wall.state(actor.userId);
    return row ? wallStateView(row, await this.visibleIds(r, actor, parseCells(row.cells))) : null;
  }

  /** Keeps the caller's current wall; cameras they may no longer see are stored as empty tiles. */
  async saveState(actor: Actor, input: WallStateBody): Promise<WallStateView> {
    await requirePermission(this.audit, actor, 'video.live', 'wall.state.save', 'wall', actor.userId ?? '-');
    if (actor.userId === null) throw new AppError('invalid_input', '视频墙须属于一个用户 (a wall needs a user)');
    const r = repos(this.store.db);
    const seen = await this.visibleIds(r, actor, input.cells);
    const row = { user_id: actor.userId, layout_tiles: input.layoutTiles, cells: JSON.stringify(input.cells.map((c) => (c !== null && seen.has(c) ? c : null))), tour_id: input.tourId, running: input.running ? 1 : 0, page: input.page, updated_at_ms: this.clock.nowMs() };
    await r.wall.putState(row);
    return wallStateView(row, seen);
  }

  async layouts(actor: Actor): Promise<WallLayoutView[]> {
    await requirePermission(this.audit, actor, 'video.live', 'wall.layout.list', 'wall_layout', '*');
    const r = repos(this.store.db);
    return this.views(r, actor, await r.wall.listVisible(actor.scope, actor.role === 'system' ? null : (actor.userId ?? -1)));
  }

  async create(actor: Actor, input: WallLayoutInput): Promise<WallLayoutView> {
    await requirePermission(this.audit, actor, 'video.live', 'wall.layout.create', 'wall_layout', input.name);
    if (input.shared) await requirePermission(this.audit, actor, 'tour.share', 'wall.layout.create', 'wall_layout', input.name);
    if (actor.userId === null) throw new AppError('invalid_input', '布局须属于一个用户 (a layout needs an owning user)');
    const ownerId = actor.userId;
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const node = await this.nodeFor(r, actor, input.orgNodeId, 'wall.layout.create');
      const name = input.name.trim();
      if (await r.wall.layoutNameTaken(ownerId, name)) throw new AppError('conflict', `您已有名为“${name}”的画面布局 (you already have a layout with this name)`, { field: 'name' });
      const cells = await this.checkCells(r, actor, node, input, 'wall.layout.create');
      const now = this.clock.nowMs();
      const id = await r.wall.insertLayout({ org_node_id: node.id, owner_user_id: ownerId, name, layout_tiles: input.layoutTiles, cells: JSON.stringify(cells), shared: input.shared ? 1 : 0, created_at_ms: now, updated_at_ms: now });
      await this.audit.append(trx, actor, { action: 'wall.layout.create', objectType: 'wall_layout', objectId: id, scopePath: node.path, detail: { name, orgNodeId: node.id, shared: Boolean(input.shared), layoutTiles: input.layoutTiles, cameraIds: cameraIds(cells) } });
      return (await this.views(r, actor, [(await r.wall.getLayout({ kind: 'all' }, id))!]))[0];
    });
  }

  /** Replaces the layout (PUT): every field as given. */
  async update(actor: Actor, id: number, input: WallLayoutInput): Promise<WallLayoutView> {
    await requirePermission(this.audit, actor, 'video.live', 'wall.layout.update', 'wall_layout', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const layout = await this.editableLayout(r, actor, id, 'wall.layout.update');
      if (input.shared && layout.shared !== 1 && !mayShare(actor)) throw new Denied({ action: 'wall.layout.update', objectType: 'wall_layout', objectId: id, detail: { reason: `role ${actor.role} lacks tour.share` } }, 'forbidden', '无权共享画面布局 (not permitted to share layouts)');
      const node = await this.nodeFor(r, actor, input.orgNodeId ?? layout.org_node_id, 'wall.layout.update');
      const name = input.name.trim();
      if (await r.wall.layoutNameTaken(layout.owner_user_id, name, id)) throw new AppError('conflict', `已有名为“${name}”的画面布局 (the owner already has a layout with this name)`, { field: 'name' });
      const cells = await this.checkCells(r, actor, node, input, 'wall.layout.update');
      const shared = input.shared ?? false;
      await r.wall.updateLayout(id, { org_node_id: node.id, name, layout_tiles: input.layoutTiles, cells: JSON.stringify(cells), shared: shared ? 1 : 0, updated_at_ms: this.clock.nowMs() });
      const before = { name: layout.name, orgNodeId: layout.org_node_id, shared: layout.shared === 1, layoutTiles: layout.layout_tiles, cameraIds: cameraIds(parseCells(layout.cells)) };
      await this.audit.append(trx, actor, { action: 'wall.layout.update', objectType: 'wall_layout', objectId: id, scopePath: node.path, detail: { before, after: { name, orgNodeId: node.id, shared, layoutTiles: input.layoutTiles, cameraIds: cameraIds(cells) } } });
      return (await this.views(r, actor, [(await r.wall.getLayout({ kind: 'all' }, id))!]))[0];
    });
  }

  async delete(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.audit, actor, 'video.live', 'wall.layout.delete', 'wall_layout', id);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const layout = await this.editableLayout(r, actor, id, 'wall.layout.delete');
      await r.wall.deleteLayout(id);
      await this.audit.append(trx, actor, { action: 'wall.layout.delete', objectType: 'wall_layout', objectId: id, scopePath: layout.node_path, detail: { name: layout.name, orgNodeId: layout.org_node_id, shared: layout.shared === 1, ownerId: layout.owner_user_id } });
    });
  }

  /** The camera ids among `cells` that the actor may see (and, when given, lying below `withinPath`). */
  private async visibleIds(r: Repos, actor: Actor, cells: readonly (number | null)[], withinPath?: string): Promise<Set<number>> {
    return new Set((await r.tours.cameras(actor.scope, { cameraIds: cameraIds(cells) }, withinPath)).map((c) => c.id));
  }

  private async visibleLayout(r: Repos, actor: Actor, id: number, action: string): Promise<WallLayoutRow> {
    const layout = await r.wall.getLayout(actor.scope, id);
    // Someone else's private layout answers like a missing one.
    if (!layout || !visible(actor, layout)) throw outOfScope(action, 'wall_layout', id);
    return layout;
  }

  private async editableLayout(r: Repos, actor: Actor, id: number, action: string): Promise<WallLayoutRow> {
    const layout = await this.visibleLayout(r, actor, id, action);
    if (!editable(actor, layout)) throw new Denied({ action, objectType: 'wall_layout', objectId: id, detail: { reason: 'not the owner, and not an administrator of a shared layout' } }, 'forbidden', '只能修改自己的画面布局，共享布局由管理员修改 (only the owner, or an administrator for a shared layout, may change it)');
    return layout;
  }

  private async nodeFor(r: Repos, actor: Actor, orgNodeId: number | undefined, action: string): Promise<OrgNodeRow> {
    const id = orgNodeId ?? actorNodeId(actor);
    if (id === undefined) throw new AppError('invalid_input', '请指定画面布局所属机构 (orgNodeId required)', { field: 'orgNodeId' });
    const node = await r.org.get(actor.scope, id);
    if (!node) throw outOfScope(action, 'org_node', id);
    return node;
  }

  /** Cells as stored: cameras the actor may see (else 404, audited) lying in the layout's node (else 400); at least one. */
  private async checkCells(r: Repos, actor: Actor, node: OrgNodeRow, input: WallLayoutInput, action: string): Promise<(number | null)[]> {
    const cells = input.cells.slice(0, input.layoutTiles);
    const ids = cameraIds(cells);
    if (ids.length === 0) throw new AppError('invalid_input', '布局中没有摄像机 (a layout needs at least one camera)', { field: 'cells' });
    const cams = new Map((await r.tours.cameras(actor.scope, { cameraIds: ids })).map((c) => [c.id, c]));
    for (const id of ids) {
      const c = cams.get(id);
      if (!c) throw outOfScope(action, 'camera', id);
      if (!c.site_path.startsWith(node.path)) throw new AppError('invalid_input', `摄像机“${c.name}”不在“${node.name}”范围内 (camera outside the layout's node)`, { field: 'cells', cameraId: id });
    }
    return cells;
  }

  private async views(r: Repos, actor: Actor, layouts: readonly WallLayoutRow[]): Promise<WallLayoutView[]> {
    const all = layouts.flatMap((l) => parseCells(l.cells));
    const cams = await r.tours.cameras(actor.scope, { cameraIds: cameraIds(all) });
    // A camera shows only inside its layout's node, even one the viewer could see elsewhere.
    return layouts.map((l) => wallLayoutView(l, new Set(cams.filter((c) => c.site_path.startsWith(l.node_path)).map((c) => c.id)), editable(actor, l)));
  }
}
