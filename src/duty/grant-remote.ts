// Remote-viewing requests decided by the level above (R-DIS-3; docs/design/duty.md "Downward
// approvals"). A request made at this node goes up as `duty.view_request` (grant-service.ts). At an
// upper, an exam.write user strictly above the request's node approves or refuses the received item;
// the decision goes down as `duty.view_decision`, signed per lower with its channel key, in the
// answer to the lower's next batch (src/uplink "Downward by answer"). The lower applies it only to
// the same request still pending with the same period, audits it, and publishes the new state up,
// so the upper sees it took effect. Viewing under the grant is then checked at the lower (policy.ts).
import { z } from 'zod';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Actor } from '../auth/actor.ts';
import { actorPath, denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { UplinkService } from '../uplink/index.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { MAX_GRANT_MS, VIEW_REQUEST_TOPIC } from './grant-service.ts';
import type { GrantService, ViewRequestItem } from './grant-service.ts';

export const VIEW_DECISION_TOPIC = 'duty.view_decision';

/** The decision as it travels down. The period and creation time name the request exactly (ids repeat in a recreated database). */
export const decisionSchema = z
  .object({
    approve: z.boolean(),
    note: z.string().max(512).nullable(),
    decidedBy: z.string().min(1).max(64),
    decidedByName: z.string().max(128),
    decidedAtMs: z.number().int().nonnegative(),
    fromMs: z.number().int(),
    toMs: z.number().int(),
    createdAtMs: z.number().int(),
    /**
     * The node where the decision was made (its GB id). A middle level relays the body unchanged,
     * re-signed with its own channel key, so the site can name the province that decided, not the
     * city that passed it on. Vouched for by the signature of the upper that delivered it.
     */
    deciderNodeId: z.string().regex(/^\d{20}$/).optional(),
  })
  .strict();
export type ViewDecision = z.infer<typeof decisionSchema>;

function deciderNode(selfId: string | undefined): { deciderNodeId?: string } {
  return selfId && /^\d{20}$/.test(selfId) ? { deciderNodeId: selfId } : {};
}

export interface ReceivedRequestView extends ViewRequestItem {
  originCode: string;
  key: string;
  /** Org path of the item at this node (the lower's node). */
  scopePath: string;
  /** Came through a lower whose channel is stale: the state may be old. */
  stale: boolean;
  /** This node's decision sent down, not yet shown as applied while `state` is still pending. */
  decisionSent: { approve: boolean; decidedBy: string; atMs: number } | null;
}

export interface RemoteGrantDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  grants: GrantService;
  uplink: () => Pick<UplinkService, 'list' | 'sendDown' | 'sentDown'>;
  /** This node's GB id (gb28181.id), written into the decisions made here; unset without a cascade identity. */
  selfId?: () => string | undefined;
}

export class RemoteGrants {
  constructor(private readonly d: RemoteGrantDeps) {}

  /** Requests received from the levels below, in the actor's scope (newest first). */
  async listReceived(actor: Actor): Promise<ReceivedRequestView[]> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.grant.list', 'duty_view_request', '*');
    const items = (await this.d.uplink().list(actor, { topic: VIEW_REQUEST_TOPIC })).filter((i) => i.viaLowerId !== null);
    const out: ReceivedRequestView[] = [];
    for (const i of items) {
      const sent = await this.d.uplink().sentDown(i.originCode, VIEW_DECISION_TOPIC, i.key);
      const dec = sent ? decisionSchema.safeParse(sent.body) : undefined;
      out.push({ ...(i.body as ViewRequestItem), originCode: i.originCode, key: i.key, scopePath: i.scopePath, stale: i.stale, decisionSent: dec?.success ? { approve: dec.data.approve, decidedBy: dec.data.decidedBy, atMs: dec.data.decidedAtMs } : null });
    }
    return out.sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  /** Approve or refuse a request received from below: exam.write, strictly above its node, not one's own; final. */
  async decideReceived(actor: Actor, originCode: string, key: string, approve: boolean, note: string | null): Promise<ReceivedRequestView> {
    const action = approve ? 'duty.grant.approve' : 'duty.grant.refuse';
    const objectId = `${originCode}:${key}`;
    await requirePermission(this.d.audit, actor, 'exam.write', action, 'duty_view_request', objectId);
    const item = (await this.d.uplink().list(actor, { topic: VIEW_REQUEST_TOPIC, originCode })).find((i) => i.key === key && i.viaLowerId !== null);
    if (!item || item.viaLowerId === null) return denyOutOfScope(this.d.audit, actor, action, 'duty_view_request', objectId);
    const req = item.body as ViewRequestItem;
    const above = actor.scope.kind === 'all' || (item.scopePath.startsWith(actor.scope.path) && item.scopePath !== actor.scope.path);
    const own = req.requesterUsername !== null && req.requesterUsername === actor.username;
    if (!above || own) {
      await this.d.audit.record(actor, { action, objectType: 'duty_view_request', objectId, outcome: 'denied', scopePath: actorPath(actor), detail: { reason: own ? 'own request' : 'not the authority above', remote: true } });
      throw new AppError('forbidden', '只能由上级考试机构审批，且不能审批自己的申请 (only the authority above may decide, never on its own request)');
    }
    const now = this.d.clock.nowMs();
    if (req.state === 'cancelled') throw new AppError('conflict', '申请人已撤回该申请，无需审批 (cancelled by the requester)');
    if (req.state !== 'pending') throw new AppError('conflict', '该申请已处理 (already decided)');
    if (req.toMs <= now) throw new AppError('conflict', '申请的时段已结束，无需审批 (the requested period is over)');
    const user = actor.userId === null ? undefined : await repos(this.d.store.db).users.get({ kind: 'all' }, actor.userId);
    const decision: ViewDecision = { approve, note, decidedBy: actor.username.slice(0, 64), decidedByName: (user?.display_name ?? actor.username).slice(0, 128), decidedAtMs: now, fromMs: req.fromMs, toMs: req.toMs, createdAtMs: req.createdAtMs, ...deciderNode(this.d.selfId?.()) };
    const lowerId = item.viaLowerId;
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await this.d.uplink().sendDown(trx, { lowerId, originCode, topic: VIEW_DECISION_TOPIC, key, body: decision }))) throw new AppError('conflict', '该申请已处理 (already decided here)');
      await this.d.audit.append(trx, actor, { action, objectType: 'duty_view_request', objectId, scopePath: item.scopePath, detail: { remote: true, originCode, requestId: req.id, requester: req.requester, note, fromMs: req.fromMs, toMs: req.toMs } });
    });
    this.d.log.info({ originCode, key, approve, by: actor.username }, `远程调看申请已${approve ? '批准' : '拒绝'}，下发至下级 remote-viewing request ${approve ? 'approved' : 'refused'}, sent down`);
    return (await this.listReceived(actor)).find((v) => v.originCode === originCode && v.key === key)!;
  }

  /**
   * At the lower: a verified decision from the upper. Applied only to the request it names (same node,
   * id, creation time and period) while still pending; anything else is refused and audited.
   */
  async applyFromUpper(msg: { originCode: string; key: string; body: unknown; upperId: string }): Promise<void> {
    const actor: Actor = { ...SYSTEM_ACTOR, username: `upper:${msg.upperId}`, workstation: 'uplink' };
    const objectId = msg.key;
    const parsed = decisionSchema.safeParse(msg.body);
    const r = repos(this.d.store.db);
    const id = /^\d{1,12}$/.test(msg.key) ? Number(msg.key) : -1;
    const [row] = id > 0 ? await r.dutyCases.viewRequests({ kind: 'all' }, { id }) : [];
    const node = row ? await r.uplink.nodeByPath(row.node_path) : undefined;
    const refuse = async (reason: string) => {
      this.d.log.info({ key: msg.key, upperId: msg.upperId, reason }, `上级审批未生效 decision from the upper not applied: ${reason}`);
      await this.d.audit.record(actor, { action: 'duty.grant.decide', objectType: 'duty_view_request', objectId, outcome: 'denied', scopePath: row?.node_path ?? (await r.org.rootPath()) ?? '/', detail: { reason, via: 'upper', upperId: msg.upperId, ...(parsed.success ? { decidedBy: parsed.data.decidedBy } : {}) } });
    };
    if (!parsed.success) return refuse('invalid decision');
    const dec = parsed.data;
    if (!row || node?.gb_code !== msg.originCode) return refuse('no such request');
    if (row.from_ms !== dec.fromMs || row.to_ms !== dec.toMs || row.created_at_ms !== dec.createdAtMs) return refuse('request differs');
    if (row.state !== 'pending') return refuse(`already ${row.state}`);
    const action = dec.approve ? 'duty.grant.approve' : 'duty.grant.refuse';
    // Named after the node that decided (the province), not the one that relayed it (the city).
    const deciderNodeId = dec.deciderNodeId ?? msg.upperId;
    const decidedBy = `${dec.decidedBy}@${deciderNodeId}`.slice(0, 64);
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).dutyCases.decideViewRequest(row.id, { state: dec.approve ? 'approved' : 'refused', decidedBy, decidedByUserId: null, atMs: this.d.clock.nowMs(), note: dec.note }))) return;
      await this.d.audit.append(trx, { ...actor, username: `upper:${msg.upperId}:${dec.decidedBy}` }, { action, objectType: 'duty_view_request', objectId, scopePath: row.node_path, detail: { via: 'upper', upperId: msg.upperId, deciderNodeId, decidedBy: dec.decidedBy, decidedByName: dec.decidedByName, decidedAtMs: dec.decidedAtMs, requester: row.requester_name, note: dec.note, signatureVerified: true } });
      await this.d.grants.publishState(trx, row.id);
    });
    this.d.log.info({ id: row.id, approve: dec.approve, decidedBy }, `上级已${dec.approve ? '批准' : '拒绝'}远程调看申请 #${row.id} remote-viewing request ${dec.approve ? 'approved' : 'refused'} by the upper`);
  }

  /** True while a request here (or received from below) waits for a decision from above. */
  async waiting(): Promise<boolean> {
    const now = this.d.clock.nowMs();
    const own = await repos(this.d.store.db).dutyCases.viewRequests({ kind: 'all' }, { state: 'pending' });
    if (own.some((x) => x.to_ms > now)) return true;
    const received = await this.d.uplink().list(SYSTEM_ACTOR, { topic: VIEW_REQUEST_TOPIC, updatedSinceMs: now - 2 * MAX_GRANT_MS });
    return received.some((i) => i.viaLowerId !== null && (i.body as ViewRequestItem).state === 'pending' && (i.body as ViewRequestItem).toMs > now);
  }
}
