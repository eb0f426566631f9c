// The two-person rule and remote-viewing grants (R-DIS-3, docs/design/duty.md "Two-person rule"):
// the one enforcement point, called where live tokens are issued (src/live/access.ts). Inside an
// exam or custody window of a camera's room: from an enrolled workstation, its monitoring room needs
// ≥ 2 open check-ins; from anywhere else, an approved grant covering the camera and now. Outside
// every window nothing is checked, nor at sites without an enrolled workstation. Each decision
// inside a window is audited.
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { WorkstationRow } from '../store/repos/duty-repo.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

export const MIN_ON_DUTY = 2;

export type DutyPolicyDeps = { store: Store; audit: AuditService; clock: Clock };

export interface ViewedCamera { id: number; room_id: number; site_path: string }

/** Refusal of the two-person rule or a missing grant: 403 with a Chinese reason. */
export class DutyRefusal extends AppError {
  constructor(
    readonly rule: 'duty_two_person' | 'duty_remote_grant',
    message: string,
  ) {
    super('forbidden', message, { rule });
  }
}

export class DutyPolicy {
  constructor(private readonly deps: DutyPolicyDeps) {}

  /** Resolves when `actor` may watch `cameras` now from `workstation` (undefined = not an enrolled workstation). */
  async checkViewing(actor: Actor, cameras: readonly ViewedCamera[], workstation: WorkstationRow | undefined, action = 'video.live.start'): Promise<void> {
    const now = this.deps.clock.nowMs();
    const r = repos(this.deps.store.db);
    const windows = await r.duty.windowsAt([...new Set(cameras.map((c) => c.room_id))], now);
    if (windows.length === 0) return;
    // The rule is in force for a site once it has an enrolled workstation (how an administrator turns
    // the duty system on for a site; revoking the last one is audited). Sites without: no rule.
    const dutySites = new Set((await r.duty.listWorkstations({ kind: 'all' })).filter((w) => w.revoked_at_ms === null).map((w) => w.site_path));
    const ruled = cameras.filter((c) => dutySites.has(c.site_path) && windows.some((w) => w.room_id === c.room_id));
    if (ruled.length === 0) return;
    const cameraIds = ruled.map((c) => c.id);
    const kinds = [...new Set(windows.map((w) => w.kind))];
    const audit = (outcome: 'ok' | 'denied', detail: Record<string, unknown>) =>
      this.deps.audit.record(actor, { action: 'duty.view', objectType: 'camera', objectId: cameraIds.join(','), outcome, scopePath: ruled[0]?.site_path ?? actorPath(actor), detail: { for: action, windows: kinds, ...detail } });
    if (workstation) {
      const open = await r.duty.openCheckins({ kind: 'all' }, { roomId: workstation.room_id });
      const detail = { workstationId: workstation.id, monitoringRoomId: workstation.room_id, onDuty: open.length, names: open.map((c) => c.user_name) };
      if (open.length >= MIN_ON_DUTY) return audit('ok', detail);
      await audit('denied', { ...detail, reason: 'two-person rule' });
      throw new DutyRefusal('duty_two_person', `考试/保密时段须两人在岗：${workstation.room_name}当前仅 ${open.length} 人签到，请第二人签到后再调看 (two people must be checked in during exam and custody windows; ${open.length} checked in)`);
    }
    const grants = actor.userId === null ? [] : await r.dutyCases.viewRequests({ kind: 'all' }, { requesterId: actor.userId, state: 'approved', activeAtMs: now });
    const covers = (c: ViewedCamera) => grants.find((g) => (JSON.parse(g.camera_ids_json) as number[]).includes(c.id) || (JSON.parse(g.room_ids_json) as number[]).includes(c.room_id));
    const missing = ruled.filter((c) => !covers(c));
    if (missing.length === 0) return audit('ok', { grantIds: [...new Set(ruled.map((c) => covers(c)!.id))] });
    await audit('denied', { reason: 'no remote-viewing grant', cameraIds: missing.map((c) => c.id) });
    throw new DutyRefusal('duty_remote_grant', '非监控室终端调看考场/保密室视频须经上级考试机构批准：没有有效的远程调看授权，请先提交申请 (viewing from outside a monitoring room needs an approved grant; none is valid now)');
  }
}
