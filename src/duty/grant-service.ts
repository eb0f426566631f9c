// Remote viewing approval (R-DIS-3, docs/design/duty.md "Remote viewing grants"): a viewer outside a
// monitoring room asks for cameras/rooms, a reason and a period; a user of the exam authority above
// (exam.write at a node strictly above the requester's node) approves or refuses. The approved
// request is the grant; it ends by itself at to_ms (the policy compares with now). Every step audited.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath, denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import type { ViewRequestRow } from '../store/repos/duty-case-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

/** Longest grant: one exam day. */
export const MAX_GRANT_MS = 24 * 3600_000;

export interface ViewRequestInput { cameraIds: number[]; roomIds: number[]; reason: string; fromMs: number; toMs: number }

export interface ViewRequestView {
  id: number; requester: string; cameraIds: number[]; roomIds: number[]; reason: string; fromMs: number; toMs: number;
  state: string; decidedBy: string | null; decidedAtMs: number | null; note: string | null; activeNow: boolean;
  /** When the requester withdrew it (撤回); null otherwise. */
  cancelledAtMs: number | null;
  /** The asking user's own request (the console offers 撤回 only on these; the server checks again). */
  mine: boolean;
}

/** Requests go upward as this topic (key = request id); decisions come down as VIEW_DECISION_TOPIC (grant-remote.ts). */
export const VIEW_REQUEST_TOPIC = 'duty.view_request';

export interface GrantDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  /** Info log of state changes (absent in some tests). */
  log?: Pick<Logger, 'info'>;
  /** The node-to-node channel (absent in tests of this node alone): requests and their states go up. */
  publish?: (trx: Kysely<Database>, item: { topic: string; key: string; body: unknown; scopePath: string }) => Promise<unknown>;
}

/** What the level above sees of a request (the upward item's body). */
export interface ViewRequestItem {
  id: number; requester: string; requesterUsername: string | null; cameras: Array<{ id: number; name: string }>; rooms: Array<{ id: number; name: string }>;
  reason: string; fromMs: number; toMs: number; createdAtMs: number; state: string; decidedBy: string | null; decidedAtMs: number | null; note: string | null;
  /** Set when the requester withdrew it (state 'cancelled'); absent in items from nodes before migration 0035. */
  cancelledAtMs?: number | null;
}

export class GrantService {
  constructor(private readonly d: GrantDeps) {}

  /** Publishes a request's current state upward in `trx` (docs/design/duty.md "Downward approvals"). */
  async publishState(trx: Kysely<Database>, id: number): Promise<void> {
    if (!this.d.publish) return;
    const [row] = await repos(trx).dutyCases.viewRequests({ kind: 'all' }, { id });
    if (!row) return;
    const r = repos(trx);
    const cameras = [];
    for (const cid of JSON.parse(row.camera_ids_json) as number[]) cameras.push({ id: cid, name: (await r.cameras.get({ kind: 'all' }, cid))?.name ?? `#${cid}` });
    const rooms = [];
    for (const rid of JSON.parse(row.room_ids_json) as number[]) rooms.push({ id: rid, name: (await r.rooms.get({ kind: 'all' }, rid))?.name ?? `#${rid}` });
    const requesterUsername = (await r.users.get({ kind: 'all' }, row.requester_id))?.username ?? null;
    const body: ViewRequestItem = {
      id, requester: row.requester_name, requesterUsername, cameras, rooms, reason: row.reason, fromMs: row.from_ms, toMs: row.to_ms, createdAtMs: row.created_at_ms,
      state: row.state, decidedBy: row.decided_by, decidedAtMs: row.decided_at_ms, note: row.decision_note, cancelledAtMs: row.cancelled_at_ms,
    };
    await this.d.publish(trx, { topic: VIEW_REQUEST_TOPIC, key: String(id), body, scopePath: row.node_path });
  }

  view(r: ViewRequestRow, actor: Actor): ViewRequestView {
    const now = this.d.clock.nowMs();
    return {
      id: r.id, requester: r.requester_name, cameraIds: JSON.parse(r.camera_ids_json) as number[], roomIds: JSON.parse(r.room_ids_json) as number[], reason: r.reason, fromMs: r.from_ms, toMs: r.to_ms, state: r.state,
      decidedBy: r.decided_by, decidedAtMs: r.decided_at_ms, note: r.decision_note, activeNow: r.state === 'approved' && r.from_ms <= now && now < r.to_ms, cancelledAtMs: r.cancelled_at_ms, mine: r.requester_id === actor.userId,
    };
  }

  async request(actor: Actor, input: ViewRequestInput): Promise<ViewRequestView> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.grant.request', 'duty_view_request', '-');
    if (input.toMs <= input.fromMs || input.toMs - input.fromMs > MAX_GRANT_MS) throw new AppError('invalid_input', '申请时段无效：结束须晚于开始，且不超过 24 小时 (invalid period: end after start, at most 24 h)');
    if (input.cameraIds.length + input.roomIds.length === 0) throw new AppError('invalid_input', '请选择要调看的考场或摄像机 (choose rooms or cameras)');
    const r = repos(this.d.store.db);
    for (const id of input.cameraIds) if (!(await r.cameras.get(actor.scope, id))) return denyOutOfScope(this.d.audit, actor, 'duty.grant.request', 'camera', id);
    for (const id of input.roomIds) if (!(await r.rooms.get(actor.scope, id))) return denyOutOfScope(this.d.audit, actor, 'duty.grant.request', 'room', id);
    const user = actor.userId === null ? undefined : await r.users.get({ kind: 'all' }, actor.userId);
    if (!user) throw new AppError('forbidden', '系统账户不能申请 (system cannot request)');
    const now = this.d.clock.nowMs();
    const id = await this.d.store.db.transaction().execute(async (trx) => {
      const rid = await repos(trx).dutyCases.insertViewRequest({ org_node_id: user.org_node_id, requester_id: user.id, requester_name: user.display_name, camera_ids_json: JSON.stringify(input.cameraIds), room_ids_json: JSON.stringify(input.roomIds), reason: input.reason, from_ms: input.fromMs, to_ms: input.toMs, state: 'pending', decided_by: null, decided_by_user_id: null, decided_at_ms: null, decision_note: null, created_at_ms: now });
      await this.d.audit.append(trx, actor, { action: 'duty.grant.request', objectType: 'duty_view_request', objectId: rid, scopePath: user.org_path, detail: { ...input } });
      // Up to the exam authority above, in the same transaction: it may decide there (grant-remote.ts).
      await this.publishState(trx, rid);
      return rid;
    });
    return this.view((await r.dutyCases.viewRequests(actor.scope, { id }))[0], actor);
  }

  async list(actor: Actor): Promise<ViewRequestView[]> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.grant.list', 'duty_view_request', '*');
    return (await repos(this.d.store.db).dutyCases.viewRequests(actor.scope)).map((x) => this.view(x, actor));
  }

  /** Approve or refuse: only `exam.write` holders whose node is strictly above the requester's node. */
  async decide(actor: Actor, id: number, approve: boolean, note: string | null): Promise<ViewRequestView> {
    const action = approve ? 'duty.grant.approve' : 'duty.grant.refuse';
    await requirePermission(this.d.audit, actor, 'exam.write', action, 'duty_view_request', id);
    const r = repos(this.d.store.db);
    const [req] = await r.dutyCases.viewRequests(actor.scope, { id });
    if (!req) return denyOutOfScope(this.d.audit, actor, action, 'duty_view_request', id);
    const above = actor.scope.kind === 'all' || (req.node_path.startsWith(actor.scope.path) && req.node_path !== actor.scope.path);
    if (!above || req.requester_id === actor.userId) {
      await this.d.audit.record(actor, { action, objectType: 'duty_view_request', objectId: id, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: req.requester_id === actor.userId ? 'own request' : 'not the authority above' } });
      throw new AppError('forbidden', '只能由上级考试机构审批，且不能审批自己的申请 (only the authority above may decide, never on its own request)');
    }
    const now = this.d.clock.nowMs();
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).dutyCases.decideViewRequest(id, { state: approve ? 'approved' : 'refused', decidedBy: actor.username, decidedByUserId: actor.userId, atMs: now, note }))) throw new AppError('conflict', '该申请已处理 (already decided)');
      await this.d.audit.append(trx, actor, { action, objectType: 'duty_view_request', objectId: id, scopePath: req.node_path, detail: { requester: req.requester_name, note } });
      await this.publishState(trx, id);
    });
    return this.view((await r.dutyCases.viewRequests(actor.scope, { id }))[0], actor);
  }

  /**
   * 撤回: the requester withdraws their own pending or granted request (R-DIS-3). A grant ends at once:
   * the policy only counts approved requests, and it is asked again on every use of a live token.
   * The new state goes up in the same transaction, so the upper's 审批 table shows 已撤回. Audited.
   */
  async cancel(actor: Actor, id: number): Promise<ViewRequestView> {
    const action = 'duty.grant.cancel';
    await requirePermission(this.d.audit, actor, 'video.live', action, 'duty_view_request', id);
    const r = repos(this.d.store.db);
    const [req] = await r.dutyCases.viewRequests(actor.scope, { id });
    if (!req) return denyOutOfScope(this.d.audit, actor, action, 'duty_view_request', id);
    const refuse = async (reason: string, err: AppError): Promise<never> => {
      await this.d.audit.record(actor, { action, objectType: 'duty_view_request', objectId: id, outcome: 'denied', scopePath: req.node_path, detail: { reason, state: req.state } });
      throw err;
    };
    if (req.requester_id !== actor.userId) return refuse('not own request', new AppError('forbidden', '只能撤回自己的申请 (only the requester may cancel a request)'));
    const now = this.d.clock.nowMs();
    if (req.state !== 'pending' && req.state !== 'approved') return refuse(`already ${req.state}`, new AppError('conflict', `该申请已${req.state === 'refused' ? '被拒绝' : '撤回'}，无需撤回 (already ${req.state})`));
    if (req.to_ms <= now) return refuse('period over', new AppError('conflict', '该申请的时段已结束，无需撤回 (the period is over)'));
    const from = req.state;
    const wasActive = from === 'approved' && req.from_ms <= now;
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).dutyCases.cancelViewRequest(id, req.requester_id, from, now))) throw new AppError('conflict', '该申请刚被处理，请刷新后再试 (the request changed meanwhile)');
      await this.d.audit.append(trx, actor, { action, objectType: 'duty_view_request', objectId: id, scopePath: req.node_path, detail: { previousState: from, wasActive, decidedBy: req.decided_by, fromMs: req.from_ms, toMs: req.to_ms } });
      await this.publishState(trx, id);
    });
    this.d.log?.info({ id, previousState: from, by: actor.username }, `远程调看申请 #${id} 已由申请人撤回${wasActive ? '，授权即时失效' : ''} (remote-viewing request cancelled by the requester)`);
    return this.view((await r.dutyCases.viewRequests(actor.scope, { id }))[0], actor);
  }
}
