// The organisation tree: nodes in scope, with their rooms and cameras (R-ORG-1, R-SEC-4, R-SEC-7).
import type { AuditService } from '../audit/audit-service.ts';
import type { EventBus, OrgChangedEvent } from '../events/bus.ts';
import type { Actor } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { OrgNodeKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { resolveGbCode } from './gb-allocator.ts';
import { validateRegionCode } from './gb-code.ts';
import type { OrgNodeView, RoomView } from './views.ts';
import { CHILD_KINDS, NODE_GB_TYPES, cameraView, nodeView, roomView } from './views.ts';

export class OrgService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly events?: EventBus,
  ) {}

  /** Announced after the commit, so listeners read the new state. */
  private changed<T>(e: OrgChangedEvent, result: T): T {
    this.events?.emit('org.changed', e);
    return result;
  }

  async tree(actor: Actor): Promise<OrgNodeView[]> {
    await requirePermission(this.audit, actor, 'org.read', 'org.read', 'org_node', '*');
    const r = repos(this.store.db);
    const [nodes, rooms, cameras] = await Promise.all([r.org.list(actor.scope), r.rooms.list(actor.scope), r.cameras.list(actor.scope)]);
    const roomsBySite = new Map<number, RoomView[]>();
    const camsByRoom = new Map<number, ReturnType<typeof cameraView>[]>();
    for (const c of cameras) (camsByRoom.get(c.room_id) ?? camsByRoom.set(c.room_id, []).get(c.room_id)!).push(cameraView(c));
    for (const room of rooms) (roomsBySite.get(room.site_id) ?? roomsBySite.set(room.site_id, []).get(room.site_id)!).push(roomView(room, camsByRoom.get(room.id) ?? []));
    return nodes.map((n) => (n.kind === 'site' ? { ...nodeView(n), rooms: roomsBySite.get(n.id) ?? [] } : nodeView(n)));
  }

  async createNode(actor: Actor, input: { parentId: number; kind: OrgNodeKind; name: string; regionCode?: string; gbCode?: string }): Promise<OrgNodeView> {
    await requirePermission(this.audit, actor, 'org.write', 'org.create', 'org_node', input.name);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const parent = await r.org.get(actor.scope, input.parentId);
      if (!parent) throw outOfScope('org.create', 'org_node', input.parentId);
      if (!CHILD_KINDS[parent.kind].includes(input.kind))
        throw new AppError('invalid_input', `${parent.kind} 下不能建立 ${input.kind} (a ${parent.kind} cannot hold a ${input.kind})`, { field: 'kind' });
      const name = input.name.trim();
      if (await r.org.siblingNamed(parent.id, name)) throw new AppError('conflict', `同级已有名为“${name}”的机构 (duplicate name)`, { field: 'name' });
      const regionCode = input.regionCode ?? parent.region_code;
      const regionProblem = validateRegionCode(regionCode);
      if (regionProblem) throw new AppError('invalid_input', regionProblem, { field: 'regionCode' });
      const gbCode = await resolveGbCode(r, input.gbCode, regionCode, NODE_GB_TYPES);
      const row = await r.org.insert({ parentId: parent.id, parentPath: parent.path, kind: input.kind, name, gbCode, regionCode, nowMs: this.clock.nowMs() });
      await this.audit.append(trx, actor, { action: 'org.create', objectType: 'org_node', objectId: row.id, scopePath: row.path, detail: { kind: row.kind, name, gbCode, parentId: parent.id } });
      return nodeView(row);
    }).then((v) => this.changed({ kind: 'node', id: v.id, change: 'created' }, v));
  }

  async updateNode(actor: Actor, id: number, input: { name?: string; parentId?: number }): Promise<OrgNodeView> {
    await requirePermission(this.audit, actor, 'org.write', 'org.update', 'org_node', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const node = await r.org.get(actor.scope, id);
      if (!node) throw outOfScope('org.update', 'org_node', id);
      // The root of the actor's own scope cannot be moved out from under them.
      if (input.parentId !== undefined && actor.scope.kind === 'subtree' && node.path === actor.scope.path)
        throw new AppError('forbidden', '不能移动您自己所在的机构 (cannot move your own node)');
      const now = this.clock.nowMs();
      if (input.name !== undefined && input.name.trim() !== node.name) {
        const name = input.name.trim();
        if (await r.org.siblingNamed(node.parent_id, name)) throw new AppError('conflict', `同级已有名为“${name}”的机构 (duplicate name)`, { field: 'name' });
        await r.org.rename(id, name, now);
      }
      if (input.parentId !== undefined && input.parentId !== node.parent_id) {
        const parent = await r.org.get(actor.scope, input.parentId);
        if (!parent) throw outOfScope('org.move', 'org_node', input.parentId);
        if (parent.path.startsWith(node.path)) throw new AppError('invalid_input', '不能移动到自身或其下级之下 (cannot move a node under itself or its descendants)', { field: 'parentId' });
        if (!CHILD_KINDS[parent.kind].includes(node.kind)) throw new AppError('invalid_input', `${parent.kind} 下不能放 ${node.kind} (a ${parent.kind} cannot hold a ${node.kind})`, { field: 'parentId' });
        if (await r.org.siblingNamed(parent.id, input.name?.trim() ?? node.name)) throw new AppError('conflict', '目标下已有同名机构 (duplicate name under the new parent)', { field: 'name' });
        await r.org.move(id, node.path, parent.id, `${parent.path}${id}/`, now);
      }
      const updated = (await r.org.get({ kind: 'all' }, id))!;
      await this.audit.append(trx, actor, { action: 'org.update', objectType: 'org_node', objectId: id, scopePath: updated.path, detail: { before: { name: node.name, parentId: node.parent_id }, after: input } });
      return nodeView(updated);
    }).then((v) => this.changed({ kind: 'node', id, change: 'updated' }, v));
  }

  async deleteNode(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.audit, actor, 'org.write', 'org.delete', 'org_node', id);
    await runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const node = await r.org.get(actor.scope, id);
      if (!node) throw outOfScope('org.delete', 'org_node', id);
      if (actor.scope.kind === 'subtree' && node.path === actor.scope.path) throw new AppError('forbidden', '不能删除您自己所在的机构 (cannot delete your own node)');
      const dependents = await r.org.hasDependents(id);
      if (dependents) throw new AppError('conflict', `请先移除其下的${dependents} (remove its ${dependents} first)`);
      await r.org.delete(id);
      await this.audit.append(trx, actor, { action: 'org.delete', objectType: 'org_node', objectId: id, scopePath: node.path, detail: { name: node.name, gbCode: node.gb_code } });
    });
    this.changed({ kind: 'node', id, change: 'deleted' }, undefined);
  }
}
