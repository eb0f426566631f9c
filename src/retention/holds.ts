// Evidence holds (R-FN-2): a camera × time range kept without end date, whatever its age and
// whatever the disk pressure, until an administrator releases it. Both steps are audited (R-ACC-1).
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath, outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { HoldRow } from '../store/repos/retention-repo.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

export interface HoldView {
  id: number;
  cameraId: number;
  fromMs: number;
  toMs: number;
  reason: string;
  createdBy: string;
  createdAtMs: number;
  releasedBy: string | null;
  releasedAtMs: number | null;
  releaseReason: string | null;
}

function view(h: HoldRow): HoldView {
  return {
    id: h.id,
    cameraId: h.camera_id,
    fromMs: Number(h.from_ms),
    toMs: Number(h.to_ms),
    reason: h.reason,
    createdBy: h.created_by,
    createdAtMs: Number(h.created_at_ms),
    releasedBy: h.released_by,
    releasedAtMs: h.released_at_ms === null ? null : Number(h.released_at_ms),
    releaseReason: h.release_reason,
  };
}

export class EvidenceHoldService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Places a hold. Incidents call this (with their own actor or the system actor). */
  async create(actor: Actor, v: { cameraId: number; fromMs: number; toMs: number; reason: string }): Promise<HoldView> {
    await requirePermission(this.audit, actor, 'recording.manage', 'evidence.hold', 'camera', v.cameraId);
    if (!(v.toMs > v.fromMs)) throw new AppError('invalid_input', '结束时间必须晚于开始时间 (toMs must be after fromMs)', { field: 'toMs' });
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const path = (await r.retention.cameraPaths([v.cameraId])).get(v.cameraId);
      if (path === undefined || !(await r.recordings.cameraInScope(actor.scope, v.cameraId))) throw outOfScope('evidence.hold', 'camera', v.cameraId);
      const now = this.clock.nowMs();
      const id = await r.retention.insertHold({ camera_id: v.cameraId, from_ms: v.fromMs, to_ms: v.toMs, reason: v.reason, created_by: actor.username, created_at_ms: now, released_by: null, released_at_ms: null, release_reason: null });
      await this.audit.append(trx, actor, { action: 'evidence.hold', objectType: 'evidence_hold', objectId: id, scopePath: path, detail: { ...v } });
      return view((await r.retention.getHold({ kind: 'all' }, id))!);
    });
  }

  /** Releases a hold: administrators only, with a reason, audited. */
  async release(actor: Actor, id: number, reason: string): Promise<HoldView> {
    await requirePermission(this.audit, actor, 'recording.manage', 'evidence.release', 'evidence_hold', id);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const h = await r.retention.getHold(actor.scope, id);
      if (!h) throw outOfScope('evidence.release', 'evidence_hold', id);
      if (h.released_at_ms !== null) throw new AppError('conflict', '该证据保全已解除 (hold already released)');
      await r.retention.releaseHold(id, actor.username, this.clock.nowMs(), reason);
      await this.audit.append(trx, actor, { action: 'evidence.release', objectType: 'evidence_hold', objectId: id, scopePath: h.site_path ?? actorPath(actor), detail: { cameraId: h.camera_id, fromMs: Number(h.from_ms), toMs: Number(h.to_ms), reason } });
      return view((await r.retention.getHold({ kind: 'all' }, id))!);
    });
  }

  async list(actor: Actor, activeOnly = true): Promise<HoldView[]> {
    await requirePermission(this.audit, actor, 'recording.manage', 'evidence.list', 'evidence_hold', '*');
    return (await repos(this.store.db).retention.listHolds(actor.scope, activeOnly)).map(view);
  }
}
