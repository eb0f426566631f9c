// Readiness campaigns (考前检测 / 联调, issue 17; R-PRE-2, R-PRE-3, R-CITY-5): opened by hand by
// an administrator for their subtree, or from an exam's timetable (full check three days before
// the first session, clock/workstation check one day before). Reads show only what lies in the
// caller's scope; changes are audited in their transaction.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import { actorNodeId } from '../exams/permissions.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Repos } from '../store/repos/index.ts';
import type { CampaignRow } from '../store/repos/readiness-repo.ts';
import type { ReadinessChecks } from '../store/schema.ts';
import { formatBeijing } from '../util/beijing-time.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import { DEFAULT_PROFILE, profileSchema } from './profile.ts';
import type { StandardProfile } from './profile.ts';
import type { CampaignDetailView, CampaignView, OpenCampaignBody } from './schemas.ts';
import { SITE_TOPIC, siteItemBody } from './upward.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { PublishInput } from '../uplink/index.ts';
import { cameraView, checklistItems, siteStates } from './views.ts';
import { CAMPAIGN_TOPIC, campaignItemBody } from './upward-campaigns.ts';

const DAY_MS = 86_400_000;
/** Timetable campaigns are opened this long before the first session. */
export const AUTO_HORIZON_MS = 10 * DAY_MS;
export const AUTO_CHECKS: ReadonlyArray<{ checks: ReadinessChecks; daysBefore: number; label: string }> = [
  { checks: 'full', daysBefore: 3, label: '考前三天全面检测' },
  { checks: 'clock', daysBefore: 1, label: '考前一天校时与工作站检查' },
];

export interface CampaignServiceDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  /** Cameras whose probe is running now, and which have a snapshot from their last probe. */
  running(campaignId: number): ReadonlySet<number>;
  hasSnapshot(cameraId: number): boolean;
  /** The node-to-node channel's publish (items go to every level above when the transaction commits). */
  publish?: (trx: Kysely<Database>, input: PublishInput) => Promise<unknown>;
}

export class CampaignService {
  constructor(private readonly d: CampaignServiceDeps) {}

  async list(actor: Actor): Promise<CampaignView[]> {
    await requirePermission(this.d.audit, actor, 'exam.read', 'readiness.list', 'readiness_campaign', '*');
    const r = repos(this.d.store.db);
    const rows = await r.readiness.listCampaigns(actor.scope);
    const out: CampaignView[] = [];
    for (const c of rows) out.push((await this.detail(r, actor, c)).view);
    return out;
  }

  async get(actor: Actor, id: number): Promise<CampaignDetailView> {
    await requirePermission(this.d.audit, actor, 'exam.read', 'readiness.read', 'readiness_campaign', id);
    return runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const c = await r.readiness.getCampaign(actor.scope, id);
      if (!c) throw outOfScope('readiness.read', 'readiness_campaign', id);
      return (await this.detail(r, actor, c)).full;
    });
  }

  /** A campaign in the caller's scope with its node path (for the prober and checklists). */
  async campaignFor(actor: Actor, id: number, action: string): Promise<CampaignRow> {
    return runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const c = await repos(trx).readiness.getCampaign(actor.scope, id);
      if (!c) throw outOfScope(action, 'readiness_campaign', id);
      return c;
    });
  }

  async open(actor: Actor, body: OpenCampaignBody): Promise<CampaignDetailView> {
    await requirePermission(this.d.audit, actor, 'exam.write', 'readiness.open', 'readiness_campaign', body.name);
    const id = await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const nodeId = body.orgNodeId ?? actorNodeId(actor) ?? (await r.org.list({ kind: 'all' })).find((n) => n.parent_id === null)?.id;
      const node = nodeId === undefined ? undefined : await r.org.get(actor.scope, nodeId);
      if (!node) throw outOfScope('readiness.open', 'org_node', nodeId ?? '-');
      if (body.examId !== undefined && !(await r.exams.getExam(actor.scope, body.examId))) throw outOfScope('readiness.open', 'exam', body.examId);
      for (const ct of body.contacts) {
        const cn = await r.org.get(actor.scope, ct.orgNodeId);
        if (!cn || !cn.path.startsWith(node.path)) throw new AppError('invalid_input', `联系人所属单位不在本次检测范围内 (contact node ${ct.orgNodeId} is outside the campaign)`, { field: 'contacts' });
      }
      const now = this.d.clock.nowMs();
      const profile = body.profile ?? DEFAULT_PROFILE;
      const cid = await r.readiness.insertCampaign({ org_node_id: node.id, exam_id: body.examId ?? null, name: body.name, checks: body.checks, origin: 'manual', deadline_ms: body.deadlineMs, profile_json: JSON.stringify(profile), state: 'open', created_by: actor.username, created_at_ms: now, updated_at_ms: now });
      for (const ct of body.contacts) await r.readiness.setContact(cid, ct.orgNodeId, ct.name, ct.phone);
      await this.d.audit.append(trx, actor, { action: 'readiness.open', objectType: 'readiness_campaign', objectId: cid, scopePath: node.path, detail: { name: body.name, checks: body.checks, deadlineMs: body.deadlineMs, examId: body.examId ?? null, contacts: body.contacts } });
      await this.publishCampaign(trx, cid);
      return cid;
    });
    this.d.log.info({ campaignId: id, name: body.name }, 'readiness campaign opened');
    return this.get(actor, id);
  }

  async setContact(actor: Actor, id: number, contact: { orgNodeId: number; name: string; phone: string }): Promise<CampaignDetailView> {
    await requirePermission(this.d.audit, actor, 'exam.write', 'readiness.contact', 'readiness_campaign', id);
    await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const c = await r.readiness.getCampaign(actor.scope, id);
      const node = await r.org.get(actor.scope, contact.orgNodeId);
      if (!c || !node || !node.path.startsWith(c.node_path)) throw outOfScope('readiness.contact', 'readiness_campaign', id);
      await r.readiness.setContact(id, node.id, contact.name, contact.phone);
      await this.d.audit.append(trx, actor, { action: 'readiness.contact', objectType: 'readiness_campaign', objectId: id, scopePath: node.path, detail: contact });
    });
    return this.get(actor, id);
  }

  async close(actor: Actor, id: number): Promise<CampaignDetailView> {
    await requirePermission(this.d.audit, actor, 'exam.write', 'readiness.close', 'readiness_campaign', id);
    await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const c = await r.readiness.getCampaign(actor.scope, id);
      // Only the opener's subtree may close it: a site user sees a province campaign but cannot close it.
      if (!c || (actor.scope.kind === 'subtree' && !c.node_path.startsWith(actor.scope.path))) throw outOfScope('readiness.close', 'readiness_campaign', id);
      await r.readiness.setState(id, 'closed', this.d.clock.nowMs());
      await this.d.audit.append(trx, actor, { action: 'readiness.close', objectType: 'readiness_campaign', objectId: id, scopePath: c.node_path });
      await this.publishCampaign(trx, id);
    });
    return this.get(actor, id);
  }

  /**
   * Sets the capacity of a site's link upward (R-PRE-4), audited; the site's state is republished
   * in every open campaign covering it (the bandwidth verdict may change).
   */
  async setUplink(actor: Actor, siteId: number, capacityKbps: number): Promise<{ siteId: number; capacityKbps: number }> {
    await requirePermission(this.d.audit, actor, 'exam.write', 'readiness.uplink', 'org_node', siteId);
    await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx);
      const site = await r.org.get(actor.scope, siteId);
      if (!site || site.kind !== 'site') throw outOfScope('readiness.uplink', 'org_node', siteId);
      await r.readiness.setSiteUplink(siteId, capacityKbps, actor.username, this.d.clock.nowMs());
      await this.d.audit.append(trx, actor, { action: 'readiness.uplink.set', objectType: 'org_node', objectId: siteId, scopePath: site.path, detail: { site: site.name, capacityKbps } });
      await this.publishSites(trx, undefined, [siteId]);
    });
    this.d.log.info({ siteId, capacityKbps, by: actor.username }, 'readiness site uplink capacity set');
    return { siteId, capacityKbps };
  }

  /** Opens the timetable campaigns that are due (idempotent); returns the ids opened. */
  async openFromTimetable(): Promise<number[]> {
    const now = this.d.clock.nowMs();
    const opened: number[] = [];
    const exams = await repos(this.d.store.db).readiness.examsStartingBetween(now, now + AUTO_HORIZON_MS);
    for (const e of exams) {
      for (const a of AUTO_CHECKS) {
        const id = await this.d.store.db.transaction().execute(async (trx) => {
          const r = repos(trx);
          if (await r.readiness.timetableCampaignExists(e.exam_id, a.checks)) return undefined;
          const node = await r.org.get({ kind: 'all' }, e.owner_node_id);
          if (!node) return undefined;
          const deadline = e.first_start_ms - a.daysBefore * DAY_MS;
          const name = `${e.name} ${a.label}`;
          const cid = await r.readiness.insertCampaign({ org_node_id: node.id, exam_id: e.exam_id, name, checks: a.checks, origin: 'timetable', deadline_ms: deadline, profile_json: JSON.stringify(DEFAULT_PROFILE), state: 'open', created_by: 'system', created_at_ms: now, updated_at_ms: now });
          await this.d.audit.append(trx, SYSTEM_ACTOR, { action: 'readiness.open', objectType: 'readiness_campaign', objectId: cid, scopePath: node.path, detail: { name, checks: a.checks, deadlineMs: deadline, examId: e.exam_id, origin: 'timetable' } });
          await this.publishCampaign(trx, cid);
          return cid;
        });
        if (id !== undefined) {
          opened.push(id);
          this.d.log.info({ campaignId: id, examId: e.exam_id, checks: a.checks }, 'readiness campaign opened from the timetable');
        }
      }
    }
    return opened;
  }

  /**
   * Publishes the state of some sites in a campaign upward (topic readiness.site), inside `trx`.
   * Every open campaign covering the site when `campaignId` is undefined (a reference was signed).
   */
  async publishSites(trx: Kysely<Database>, campaignId: number | undefined, siteIds: readonly number[]): Promise<void> {
    if (!this.d.publish || siteIds.length === 0) return;
    const r = repos(trx);
    const all = { kind: 'all' } as const;
    const sites = (await r.org.list(all)).filter((n) => siteIds.includes(n.id));
    const campaigns = campaignId !== undefined ? [await r.readiness.getCampaign(all, campaignId)] : (await r.readiness.listCampaigns(all)).filter((c) => c.state === 'open' && sites.some((s) => s.path.startsWith(c.node_path)));
    for (const c of campaigns) {
      if (!c) continue;
      const { full } = await this.detail(r, SYSTEM_ACTOR, c);
      await this.d.publish(trx, { topic: CAMPAIGN_TOPIC, key: String(c.id), body: campaignItemBody(full), scopePath: c.node_path });
      for (const site of sites) {
        const st = full.sites.find((x) => x.siteId === site.id);
        if (st) await this.d.publish(trx, { topic: SITE_TOPIC, key: `${c.id}:${site.id}`, body: siteItemBody(full, st, full.cameras), scopePath: site.path });
      }
    }
  }

  /** Publishes a campaign's progress upward (topic readiness.campaign), inside `trx`. */
  private async publishCampaign(trx: Kysely<Database>, campaignId: number): Promise<void> {
    if (!this.d.publish) return;
    const r = repos(trx);
    const c = await r.readiness.getCampaign({ kind: 'all' }, campaignId);
    if (!c) return;
    const { full } = await this.detail(r, SYSTEM_ACTOR, c);
    await this.d.publish(trx, { topic: CAMPAIGN_TOPIC, key: String(c.id), body: campaignItemBody(full), scopePath: c.node_path });
  }

  private async detail(r: Repos, actor: Actor, c: CampaignRow): Promise<{ view: CampaignView; full: CampaignDetailView }> {
    const cameras = await r.readiness.cameras(actor.scope, c.node_path);
    const results = await r.readiness.results(actor.scope, c.id);
    const refs = new Map((await r.readiness.references(cameras.map((x) => x.id))).map((x) => [x.camera_id, x]));
    const running = this.d.running(c.id);
    const views = cameras.map((cam) => cameraView(cam, results.filter((x) => x.camera_id === cam.id), refs.get(cam.id), running.has(cam.id), this.d.hasSnapshot(cam.id)));
    const templates = await r.checklists.applicableTemplates(c.node_path, c.checks);
    // Templates set below the campaign's node apply to their own subtree only (siteStates checks the prefix).
    const below = (await r.checklists.listTemplates({ kind: 'subtree', path: c.node_path })).filter((t) => t.checks === c.checks && t.node_path.startsWith(c.node_path) && t.node_path !== c.node_path);
    const allTemplates = [...templates, ...below];
    const items = checklistItems(allTemplates, await r.checklists.items(allTemplates.map((t) => t.id)));
    const signatures = await r.checklists.signatures(actor.scope, c.id);
    // Sites without cameras still need their checklist: list every site in the campaign and scope.
    const sites = (await r.org.list(actor.scope)).filter((n) => n.kind === 'site' && n.path.startsWith(c.node_path));
    const uplinks = await r.readiness.siteUplinks(actor.scope, sites.map((s) => s.id));
    const states = siteStates(cameras, views, items, signatures, sites, uplinks);
    const profile: StandardProfile = profileSchema.parse(JSON.parse(c.profile_json));
    const view: CampaignView = { id: c.id, name: c.name, orgNodeId: c.org_node_id, orgNodeName: c.node_name, examId: c.exam_id, checks: c.checks, origin: c.origin, deadlineMs: Number(c.deadline_ms), deadline: formatBeijing(Number(c.deadline_ms)), state: c.state, createdBy: c.created_by, profile, sites: states };
    const contacts = (await r.readiness.contacts(actor.scope, c.id)).map((x) => ({ orgNodeId: x.org_node_id, nodeName: x.node_name, name: x.name, phone: x.phone }));
    const full: CampaignDetailView = {
      ...view,
      contacts,
      cameras: views,
      checklistItems: items.map(({ sitePathPrefix: _p, ...i }) => i),
      signatures: signatures.map((g) => ({ id: g.id, itemId: g.item_id, siteId: g.site_id, subject: g.subject, outcome: g.outcome, signerName: g.signer_name, signedAtMs: g.signed_at_ms, signedAt: formatBeijing(g.signed_at_ms), note: g.note, fileName: g.file_name, fileSha256: g.file_sha256 })),
    };
    return { view, full };
  }
}
