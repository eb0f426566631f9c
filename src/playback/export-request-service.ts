// Export requests (issue 14 item 6, docs/design/console.md): a patroller (no video.export) asks for
// an export with its purpose; a leader or administrator in scope approves or rejects it (never their
// own request); on approval the export job is made for the requester, who alone downloads it. The
// request, the decision and the download are audited; each state change is logged at info.
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.ts';
import { actorPath, requirePermission } from '../auth/guard.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import { ExportRequestRepo } from '../store/repos/export-request-repo.ts';
import type { ExportRequestRow } from '../store/repos/export-request-repo.ts';
import type { ExportRequestState } from '../store/schema.ts';
import type { ExportService } from './export-service.ts';

/** Who may decide requests: 组长 and 系统管理员 (the roles that lead or run the centre). */
export const EXPORT_APPROVERS: readonly string[] = ['admin', 'leader'];
const MAX_RANGE_MS = 24 * 3600_000;

export interface ExportRequestView {
  id: number;
  requester: string;
  cameraIds: number[];
  cameraNames: string[];
  fromMs: number;
  toMs: number;
  purpose: string;
  state: ExportRequestState;
  decidedBy: string | null;
  decidedAtMs: number | null;
  decisionNote: string | null;
  exportId: string | null;
  /** Export job status once approved (queued/running/done/failed/cancelled). */
  exportStatus: string | null;
  createdAtMs: number;
  mine: boolean;
}

export class ExportRequestService {
  constructor(private readonly deps: { store: Store; audit: AuditService; clock: Clock; log: Logger; exports: ExportService }) {}

  private get repo(): ExportRequestRepo {
    return new ExportRequestRepo(this.deps.store.db);
  }

  async request(actor: Actor, input: { cameraIds: number[]; fromMs: number; toMs: number; purpose: string }): Promise<ExportRequestView> {
    const object = input.cameraIds.join(',');
    await requirePermission(this.deps.audit, actor, 'video.playback', 'export.request', 'camera', object);
    const purpose = input.purpose.trim();
    if (purpose.length < 4) throw new AppError('invalid_input', '请填写导出用途（至少4个字） (state the purpose)');
    if (input.toMs <= input.fromMs || input.toMs - input.fromMs > MAX_RANGE_MS) throw new AppError('invalid_input', '导出时段须大于0且不超过24小时 (range must be positive and at most 24 h)');
    if (input.cameraIds.length === 0 || input.cameraIds.length > 16) throw new AppError('invalid_input', '请选择1到16路摄像机 (1 to 16 cameras)');
    const r = repos(this.deps.store.db);
    const cams = [];
    for (const id of input.cameraIds) {
      const cam = await r.cameras.get(actor.scope, id);
      if (!cam) {
        await this.deps.audit.record(actor, { action: 'export.request', objectType: 'camera', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
        throw new AppError('not_found', '对象不存在或不在您的管辖范围内 (not found in your scope)');
      }
      cams.push(cam);
    }
    const now = this.deps.clock.nowMs();
    const id = await this.repo.insert({ requester_user_id: actor.userId ?? 0, requester: actor.username, scope_path: cams[0].site_path, camera_ids: JSON.stringify(input.cameraIds), from_ms: input.fromMs, to_ms: input.toMs, purpose, created_at_ms: now });
    await this.deps.audit.record(actor, { action: 'export.request', objectType: 'export_request', objectId: id, scopePath: cams[0].site_path, detail: { cameras: cams.map((c) => c.name), fromMs: input.fromMs, toMs: input.toMs, purpose } });
    this.deps.log.info({ requestId: id, requester: actor.username, cameras: input.cameraIds }, 'export requested (导出申请待审批)');
    return this.get(actor, id);
  }

  /** Deciders see every request in their scope; everyone else only their own. */
  async list(actor: Actor, state?: ExportRequestState): Promise<ExportRequestView[]> {
    await requirePermission(this.deps.audit, actor, 'video.playback', 'export.request.list', 'export_request', '*');
    const decider = EXPORT_APPROVERS.includes(actor.role);
    const rows = await this.repo.list(actor.scope, { requesterUserId: decider ? undefined : (actor.userId ?? -1), state, limit: 200 });
    return Promise.all(rows.map((row) => this.view(actor, row)));
  }

  async get(actor: Actor, id: number): Promise<ExportRequestView> {
    return this.view(actor, await this.visible(actor, id));
  }

  async decide(actor: Actor, id: number, approve: boolean, note?: string): Promise<ExportRequestView> {
    const action = approve ? 'export.request.approve' : 'export.request.reject';
    if (!EXPORT_APPROVERS.includes(actor.role)) {
      await this.deps.audit.record(actor, { action, objectType: 'export_request', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: `role ${actor.role} may not decide export requests` } });
      throw new AppError('forbidden', '只有组长或系统管理员可以审批导出申请 (only a leader or administrator decides)');
    }
    const row = await this.visible(actor, id);
    if (row.requester_user_id === actor.userId) {
      await this.deps.audit.record(actor, { action, objectType: 'export_request', objectId: id, outcome: 'denied', scopePath: row.scope_path, detail: { reason: 'own request' } });
      throw new AppError('forbidden', '不能审批自己的导出申请 (you cannot decide your own request)');
    }
    const now = this.deps.clock.nowMs();
    const decided = await this.repo.decide(actor.scope, id, { state: approve ? 'approved' : 'rejected', byUserId: actor.userId, by: actor.username, atMs: now, note: note?.trim() || null });
    if (!decided) throw new AppError('conflict', '该申请已被处理 (already decided)');
    await this.deps.audit.record(actor, { action, objectType: 'export_request', objectId: id, scopePath: row.scope_path, detail: { requester: row.requester, note: note ?? null } });
    this.deps.log.info({ requestId: id, by: actor.username, approved: approve }, approve ? 'export request approved (导出申请已批准)' : 'export request rejected (导出申请已驳回)');
    if (approve) {
      const requester = await this.requesterActor(actor, row);
      const job = await this.deps.exports.create(requester, { cameraIds: JSON.parse(row.camera_ids) as number[], fromMs: row.from_ms, toMs: row.to_ms, purpose: `${row.purpose}（经 ${actor.username} 批准，申请 #${id}）`, watermark: true }, id);
      await this.repo.setExport(id, job.id);
    }
    return this.get(actor, id);
  }

  /** Download token for the requester of an approved request whose export is done. */
  async downloadToken(actor: Actor, sessionId: string, id: number): Promise<{ token: string; expiresAtMs: number; exportId: string }> {
    const row = await this.visible(actor, id);
    if (row.requester_user_id !== actor.userId || row.state !== 'approved' || !row.export_id) {
      await this.deps.audit.record(actor, { action: 'export.download', objectType: 'export_request', objectId: id, outcome: 'denied', scopePath: row.scope_path, detail: { reason: row.state !== 'approved' ? `request ${row.state}` : 'not the requester' } });
      throw new AppError('forbidden', '只有申请人可在批准后下载 (only the requester, once approved)');
    }
    return { ...(await this.deps.exports.approvedDownloadToken(actor, sessionId, row.export_id)), exportId: row.export_id };
  }

  private async visible(actor: Actor, id: number): Promise<ExportRequestRow> {
    const row = await this.repo.get(actor.scope, id);
    if (!row || (!EXPORT_APPROVERS.includes(actor.role) && row.requester_user_id !== actor.userId)) {
      await this.deps.audit.record(actor, { action: 'export.request.get', objectType: 'export_request', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: 'not found in scope' } });
      throw new AppError('not_found', '导出申请不存在或不在您的管辖范围内 (no such request in your scope)');
    }
    return row;
  }

  private async requesterActor(decider: Actor, row: ExportRequestRow): Promise<Actor> {
    const user = await repos(this.deps.store.db).users.get({ kind: 'all' }, row.requester_user_id);
    return { userId: row.requester_user_id, username: row.requester, role: user?.role ?? 'operator', ip: decider.ip, workstation: decider.workstation, scope: { kind: 'subtree', path: row.scope_path } };
  }

  private async view(actor: Actor, row: ExportRequestRow): Promise<ExportRequestView> {
    const cameraIds = JSON.parse(row.camera_ids) as number[];
    const r = repos(this.deps.store.db);
    const names = await Promise.all(cameraIds.map(async (cid) => (await r.cameras.get(actor.scope, cid))?.name ?? `#${cid}`));
    return {
      id: row.id, requester: row.requester, cameraIds, cameraNames: names, fromMs: Number(row.from_ms), toMs: Number(row.to_ms), purpose: row.purpose,
      state: row.state, decidedBy: row.decided_by, decidedAtMs: row.decided_at_ms === null ? null : Number(row.decided_at_ms), decisionNote: row.decision_note,
      exportId: row.export_id, exportStatus: row.export_id ? (this.deps.exports.approvedJob(row.export_id)?.status ?? null) : null, createdAtMs: Number(row.created_at_ms), mine: row.requester_user_id === actor.userId,
    };
  }
}
