// Incidents (R-FN-2, docs/design/duty.md "Incidents"): marked on cameras and a time range from a
// live tile or a playback position. In one transaction: the incident, an evidence hold per camera
// on that range (so retention cannot delete it), the audit record, and the full incident published
// upward over the uplink (topic `duty.incident`). Handling at an upper level (received → confirmed →
// closed, with notes) is recorded at that level, keyed by the received item (no downward path).
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import type { CameraRow } from '../store/repos/camera-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Database, IncidentCategory, IncidentHandlingState } from '../store/schema.ts';
import type { UplinkItemView } from '../uplink/uplink-service.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

export const INCIDENT_TOPIC = 'duty.incident';
export const CATEGORY_LABELS: Record<IncidentCategory, string> = { cheating: '疑似作弊', device: '设备故障', emergency: '突发事件' };
/** Longest range one incident may hold: 6 hours. */
export const MAX_INCIDENT_RANGE_MS = 6 * 3600_000;

/** Footage held around a marked moment: 5 min before it, 5 min after (live: still being recorded). */
export const MARK_BEFORE_MS = 5 * 60_000;
export const MARK_AFTER_MS = 5 * 60_000;

export interface IncidentInput { cameraIds: number[]; fromMs: number; toMs: number; category: IncidentCategory; description: string }
/** Marked on a live tile (the moment is the server's now) or at a playback position (`atMs`). */
export interface MarkInput { cameraIds: number[]; source: 'live' | 'playback'; atMs?: number; category: IncidentCategory; description: string }
/** Where the footage is: the held ranges and the console's playback link at the marked moment. */
export interface EvidenceRef { source: 'live' | 'playback'; atMs: number; holdIds: number[]; playbackLink: string }
export interface IncidentView { id: number; siteName: string; cameraIds: number[]; fromMs: number; toMs: number; category: IncidentCategory; categoryLabel: string; description: string; reportedBy: string; holdIds: number[]; createdAtMs: number }
export interface ReceivedIncident { originCode: string; key: string; incident: unknown; receivedAtMs: number; state: IncidentHandlingState | 'new'; steps: Array<{ state: IncidentHandlingState; note: string | null; by: string; atMs: number }> }

export interface IncidentDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  publish: (trx: Kysely<Database>, item: { topic: string; key: string; body: unknown; scopePath: string }) => Promise<unknown>;
  listReceived: (actor: Actor) => Promise<UplinkItemView[]>;
}

const NEXT: Record<IncidentHandlingState | 'new', IncidentHandlingState[]> = { new: ['received'], received: ['confirmed', 'closed'], confirmed: ['closed'], closed: [] };

export class IncidentService {
  constructor(private readonly d: IncidentDeps) {}

  /**
   * An incident from a live tile or a playback position: the range is the moment −5/+5 min. A
   * playback position must lie in the past (a future one is refused); the moment and where it was
   * marked go into the audit record and the upward item, with the evidence reference.
   */
  async mark(actor: Actor, input: MarkInput): Promise<IncidentView & { evidence: EvidenceRef }> {
    const now = this.d.clock.nowMs();
    if (input.source === 'playback' && (input.atMs === undefined || input.atMs > now)) throw new AppError('invalid_input', '回放位置无效：须为已录制的时刻 (playback position must be in the past)');
    const atMs = input.source === 'live' ? now : input.atMs!;
    const cameraId = input.cameraIds[0];
    const mark = { source: input.source, atMs, playbackLink: `#/playback?cameraId=${cameraId}&atMs=${atMs}` };
    const view = await this.create(actor, { cameraIds: input.cameraIds, fromMs: atMs - MARK_BEFORE_MS, toMs: atMs + MARK_AFTER_MS, category: input.category, description: input.description }, mark);
    return { ...view, evidence: { source: input.source, atMs, holdIds: view.holdIds, playbackLink: mark.playbackLink } };
  }

  async create(actor: Actor, input: IncidentInput, mark?: { source: 'live' | 'playback'; atMs: number; playbackLink: string }): Promise<IncidentView> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.incident.create', 'camera', input.cameraIds.join(','));
    if (!(input.toMs > input.fromMs) || input.toMs - input.fromMs > MAX_INCIDENT_RANGE_MS) throw new AppError('invalid_input', '时间范围无效：结束须晚于开始，且不超过 6 小时 (invalid range)');
    const r = repos(this.d.store.db);
    const cams: CameraRow[] = [];
    for (const id of [...new Set(input.cameraIds)]) {
      const c = await r.cameras.get(actor.scope, id);
      if (!c) return denyOutOfScope(this.d.audit, actor, 'duty.incident.create', 'camera', id);
      cams.push(c);
    }
    if (new Set(cams.map((c) => c.site_id)).size !== 1) throw new AppError('invalid_input', '一个事件只能包含同一考点的摄像机 (one site per incident)');
    const site = cams[0];
    const now = this.d.clock.nowMs();
    const id = await this.d.store.db.transaction().execute(async (trx) => {
      const t = repos(trx);
      const incidentId = await t.dutyCases.insertIncident({ site_id: site.site_id, camera_ids_json: JSON.stringify(cams.map((c) => c.id)), from_ms: input.fromMs, to_ms: input.toMs, category: input.category, description: input.description, reported_by: actor.username, hold_ids_json: '[]', created_at_ms: now });
      const holdIds: number[] = [];
      for (const c of cams) {
        const holdId = await t.retention.insertHold({ camera_id: c.id, from_ms: input.fromMs, to_ms: input.toMs, reason: `事件 #${incidentId} ${CATEGORY_LABELS[input.category]}`, created_by: actor.username, created_at_ms: now, released_by: null, released_at_ms: null, release_reason: null });
        holdIds.push(holdId);
        await this.d.audit.append(trx, actor, { action: 'evidence.hold', objectType: 'evidence_hold', objectId: holdId, scopePath: c.site_path, detail: { cameraId: c.id, fromMs: input.fromMs, toMs: input.toMs, incidentId } });
      }
      await t.dutyCases.setIncidentHolds(incidentId, holdIds);
      await this.d.audit.append(trx, actor, { action: 'duty.incident.create', objectType: 'duty_incident', objectId: incidentId, scopePath: site.site_path, detail: { ...input, holdIds, ...(mark ? { mark } : {}) } });
      const [row] = await t.dutyCases.incidents({ kind: 'all' }, { id: incidentId });
      await this.d.publish(trx, { topic: INCIDENT_TOPIC, key: String(incidentId), scopePath: site.site_path, body: { ...this.view(row), cameras: cams.map((c) => ({ id: c.id, name: c.name, gbCode: c.gb_code })), ...(mark ? { mark } : {}) } });
      return incidentId;
    });
    return this.view((await r.dutyCases.incidents(actor.scope, { id }))[0]);
  }

  async list(actor: Actor): Promise<IncidentView[]> {
    await requirePermission(this.d.audit, actor, 'video.live', 'duty.incident.list', 'duty_incident', '*');
    return (await repos(this.d.store.db).dutyCases.incidents(actor.scope)).map((x) => this.view(x));
  }

  /** Incidents received from below (and our own) with their handling here. */
  async received(actor: Actor): Promise<ReceivedIncident[]> {
    const items = await this.d.listReceived(actor);
    const steps = await repos(this.d.store.db).dutyCases.handling(actor.scope);
    return items.filter((i) => i.body !== null).map((i) => {
      const mine = steps.filter((s) => s.origin_code === i.originCode && s.item_key === i.key).map((s) => ({ state: s.state, note: s.note, by: s.handled_by, atMs: s.handled_at_ms }));
      return { originCode: i.originCode, key: i.key, incident: i.body, receivedAtMs: i.receivedAtMs, state: mine.at(-1)?.state ?? 'new', steps: mine };
    });
  }

  /** One handling step at this level: new → received → confirmed → closed (closing needs a note). */
  async handle(actor: Actor, originCode: string, key: string, state: IncidentHandlingState, note: string | null): Promise<ReceivedIncident> {
    await requirePermission(this.d.audit, actor, 'exam.seal', 'duty.incident.handle', 'uplink_item', `${originCode}/${key}`);
    const item = (await this.received(actor)).find((i) => i.originCode === originCode && i.key === key);
    if (!item) return denyOutOfScope(this.d.audit, actor, 'duty.incident.handle', 'uplink_item', `${originCode}/${key}`);
    if (!NEXT[item.state].includes(state)) throw new AppError('conflict', `事件当前状态为 ${item.state}，不能改为 ${state} (invalid transition)`);
    if (state === 'closed' && !note) throw new AppError('invalid_input', '关闭事件须填写处理意见 (closing needs a note)');
    const scopePath = (await this.d.listReceived(actor)).find((i) => i.originCode === originCode && i.key === key)!.scopePath;
    await this.d.store.db.transaction().execute(async (trx) => {
      await repos(trx).dutyCases.insertHandling({ origin_code: originCode, item_key: key, scope_path: scopePath, state, note, handled_by: actor.username, handled_at_ms: this.d.clock.nowMs() });
      await this.d.audit.append(trx, actor, { action: 'duty.incident.handle', objectType: 'uplink_item', objectId: `${originCode}/${key}`, scopePath, detail: { state, note } });
    });
    return (await this.received(actor)).find((i) => i.originCode === originCode && i.key === key)!;
  }

  private view(r: { id: number; site_name: string; camera_ids_json: string; from_ms: number; to_ms: number; category: IncidentCategory; description: string; reported_by: string; hold_ids_json: string; created_at_ms: number }): IncidentView {
    return { id: r.id, siteName: r.site_name, cameraIds: JSON.parse(r.camera_ids_json) as number[], fromMs: r.from_ms, toMs: r.to_ms, category: r.category, categoryLabel: CATEGORY_LABELS[r.category], description: r.description, reportedBy: r.reported_by, holdIds: JSON.parse(r.hold_ids_json) as number[], createdAtMs: r.created_at_ms };
  }
}
