// The duty roster (值班表, R-DIS-1, docs/design/duty.md "Roster and check-in"): named people and
// their duty role per monitoring room and period (optionally an exam session). Administrators
// (org.write) edit it; anyone with org.read in scope reads it. Every change audited.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { inScope } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { RosterRow } from '../store/repos/duty-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { DutyRole } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

export const DUTY_ROLE_LABELS: Record<DutyRole, string> = { leader: '组长', watcher: '值班员', tech: '技术保障' };

export interface RosterInput { roomId: number; userId: number; dutyRole: DutyRole; fromMs: number; toMs: number; sessionId?: number | null }
export interface RosterView { id: number; roomId: number; sessionId: number | null; userId: number; name: string; dutyRole: DutyRole; dutyRoleLabel: string; fromMs: number; toMs: number; createdBy: string }

export class RosterService {
  constructor(private readonly d: { store: Store; audit: AuditService; clock: Clock }) {}

  private view(r: RosterRow): RosterView {
    return { id: r.id, roomId: r.room_id, sessionId: r.session_id, userId: r.user_id, name: r.user_name, dutyRole: r.duty_role, dutyRoleLabel: DUTY_ROLE_LABELS[r.duty_role], fromMs: r.from_ms, toMs: r.to_ms, createdBy: r.created_by };
  }

  async list(actor: Actor, f: { roomId?: number; atMs?: number }): Promise<RosterView[]> {
    await requirePermission(this.d.audit, actor, 'org.read', 'duty.roster.list', 'duty_roster', f.roomId ?? '*');
    return (await repos(this.d.store.db).duty.roster(actor.scope, f)).map((r) => this.view(r));
  }

  async add(actor: Actor, input: RosterInput): Promise<RosterView> {
    await requirePermission(this.d.audit, actor, 'org.write', 'duty.roster.add', 'room', input.roomId);
    if (!(input.toMs > input.fromMs) || input.toMs - input.fromMs > 7 * 24 * 3600_000) throw new AppError('invalid_input', '值班时段无效：结束须晚于开始，且不超过 7 天 (invalid period)');
    const r = repos(this.d.store.db);
    const room = await r.rooms.get(actor.scope, input.roomId);
    if (!room) return denyOutOfScope(this.d.audit, actor, 'duty.roster.add', 'room', input.roomId);
    if (room.kind !== 'monitoring') throw new AppError('invalid_input', '值班表只能排在监控室 (only monitoring rooms have a roster)');
    const user = await r.users.get(actor.scope, input.userId);
    if (!user || !inScope({ kind: 'subtree', path: user.org_path }, room.site_path)) throw new AppError('invalid_input', '该用户不属于本考点或其上级，不能排班 (user outside this site)');
    const id = await this.d.store.db.transaction().execute(async (trx) => {
      const rid = await repos(trx).duty.insertRoster({ room_id: input.roomId, session_id: input.sessionId ?? null, user_id: input.userId, duty_role: input.dutyRole, from_ms: input.fromMs, to_ms: input.toMs, created_by: actor.username, created_at_ms: this.d.clock.nowMs() });
      await this.d.audit.append(trx, actor, { action: 'duty.roster.add', objectType: 'duty_roster', objectId: rid, scopePath: room.site_path, detail: { ...input, username: user.username } });
      return rid;
    });
    return this.view((await r.duty.roster(actor.scope, { roomId: input.roomId })).find((x) => x.id === id)!);
  }

  async remove(actor: Actor, id: number): Promise<void> {
    await requirePermission(this.d.audit, actor, 'org.write', 'duty.roster.remove', 'duty_roster', id);
    const row = (await repos(this.d.store.db).duty.roster(actor.scope, {})).find((x) => x.id === id);
    if (!row) return denyOutOfScope(this.d.audit, actor, 'duty.roster.remove', 'duty_roster', id);
    await this.d.store.db.transaction().execute(async (trx) => {
      await repos(trx).duty.deleteRoster(actor.scope, id);
      await this.d.audit.append(trx, actor, { action: 'duty.roster.remove', objectType: 'duty_roster', objectId: id, scopePath: actor.scope.kind === 'all' ? '/' : actor.scope.path, detail: { roomId: row.room_id, userId: row.user_id } });
    });
  }
}
