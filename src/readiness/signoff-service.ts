// What people sign (R-PRE-1, R-PRE-3, R-PRE-5, R-PRE-7, R-SEC-3, R-SEC-8): reference snapshots of
// cameras and checklist items, each by a named person at a time, with an optional file; checklist
// templates that administrators edit. Every signature and edit is appended to the audit chain in
// its own transaction (R-ACC-1).
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import { actorNodeId } from '../exams/permissions.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Repos } from '../store/repos/index.ts';
import type { TemplateRow } from '../store/repos/checklist-repo.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { Snapshot } from './probe-runner.ts';
import { thumbnail } from './picture-verdict.ts';
import type { SignBody, TemplateBody, TemplateView } from './schemas.ts';

const MAX_FILE_BYTES = 160 * 1024;
/** A reference is signed on a picture at most this old. */
const SNAPSHOT_MAX_AGE_MS = 30 * 60_000;

export class SignoffService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly snapshots: ReadonlyMap<number, Snapshot>,
    /** Called in the signature's transaction: publishes the site's state upward (campaign undefined = every open one). */
    private readonly afterChange: (trx: Kysely<Database>, campaignId: number | undefined, siteId: number) => Promise<void> = () => Promise.resolve(),
  ) {}

  /** The picture of a camera in scope: its newest probe picture, or its signed reference. */
  async picture(actor: Actor, cameraId: number, which: 'current' | 'reference'): Promise<Buffer> {
    await requirePermission(this.audit, actor, 'exam.read', 'readiness.picture', 'camera', cameraId);
    const r = repos(this.store.db);
    if (!(await r.cameras.get(actor.scope, cameraId))) return this.deny(actor, 'readiness.picture', 'camera', cameraId);
    if (which === 'current') {
      const s = this.snapshots.get(cameraId);
      if (!s?.jpeg) throw new AppError('not_found', '尚无检测画面，请先检测 (no picture yet: run a probe)');
      return s.jpeg;
    }
    const ref = (await r.readiness.references([cameraId]))[0];
    if (!ref) throw new AppError('not_found', '尚无签字参考画面 (no signed reference)');
    return Buffer.from(ref.image_jpeg_b64, 'base64');
  }

  /** Signs the camera's newest probe picture as its reference ("covers every seat and the invigilators' area"). */
  async signReference(actor: Actor, cameraId: number, signerName: string): Promise<{ signedAtMs: number }> {
    await requirePermission(this.audit, actor, 'readiness.sign', 'readiness.reference.sign', 'camera', cameraId);
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const cam = await r.cameras.get(actor.scope, cameraId);
      if (!cam) throw outOfScope('readiness.reference.sign', 'camera', cameraId);
      const s = this.snapshots.get(cameraId);
      const now = this.clock.nowMs();
      if (!s?.jpeg || now - s.atMs > SNAPSHOT_MAX_AGE_MS) throw new AppError('conflict', '请先检测该摄像机，再对最新画面签字 (probe the camera first; a reference is signed on a picture at most 30 min old)');
      const thumb = thumbnail(s.gray);
      await r.readiness.setReference({ camera_id: cameraId, image_jpeg_b64: s.jpeg.toString('base64'), thumb_gray_b64: Buffer.from(thumb.data).toString('base64'), signer_name: signerName, signed_by_user_id: actor.userId, signed_at_ms: now, camera_updated_at_ms: Number(cam.updated_at_ms) });
      await this.afterChange(trx, undefined, cam.site_id);
      await this.audit.append(trx, actor, { action: 'readiness.reference.sign', objectType: 'camera', objectId: cameraId, scopePath: cam.site_path, detail: { signerName, pictureAtMs: s.atMs, sha256: createHash('sha256').update(s.jpeg).digest('hex') } });
      return { signedAtMs: now };
    });
  }

  async templates(actor: Actor): Promise<TemplateView[]> {
    await requirePermission(this.audit, actor, 'exam.read', 'checklist.list', 'checklist_template', '*');
    const r = repos(this.store.db);
    return this.templateViews(r, await r.checklists.listTemplates(actor.scope));
  }

  async saveTemplate(actor: Actor, id: number | undefined, body: TemplateBody): Promise<TemplateView> {
    await requirePermission(this.audit, actor, 'exam.write', id === undefined ? 'checklist.create' : 'checklist.update', 'checklist_template', id ?? body.title);
    const action = id === undefined ? 'checklist.create' : 'checklist.update';
    const tid = await runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const now = this.clock.nowMs();
      let row: TemplateRow | undefined;
      if (id !== undefined) {
        row = await r.checklists.getTemplate(actor.scope, id);
        if (!row) throw outOfScope(action, 'checklist_template', id);
      }
      const nodeId = body.orgNodeId ?? row?.org_node_id ?? actorNodeId(actor) ?? (await r.org.list({ kind: 'all' })).find((n) => n.parent_id === null)?.id;
      const node = nodeId === undefined ? undefined : await r.org.get(actor.scope, nodeId);
      if (!node) throw outOfScope(action, 'org_node', nodeId ?? '-');
      let tid: number;
      if (row) {
        tid = row.id;
        if (row.org_node_id !== node.id) throw new AppError('invalid_input', '检查表不能移到其他单位 (a template stays at its node)', { field: 'orgNodeId' });
        await r.checklists.updateTemplate(tid, { requirement: body.requirement, title: body.title, checks: body.checks, updated_at_ms: now });
      } else {
        tid = await r.checklists.insertTemplate({ org_node_id: node.id, requirement: body.requirement, title: body.title, checks: body.checks, created_at_ms: now, updated_at_ms: now });
      }
      await r.checklists.replaceItems(tid, body.items);
      await this.audit.append(trx, actor, { action, objectType: 'checklist_template', objectId: tid, scopePath: node.path, detail: body });
      return tid;
    });
    const r = repos(this.store.db);
    return (await this.templateViews(r, [(await r.checklists.getTemplate({ kind: 'all' }, tid))!]))[0];
  }

  /** Signs one checklist item at a site of a campaign (both in scope); a new signature replaces the previous one. */
  async sign(actor: Actor, campaignId: number, body: SignBody): Promise<{ id: number; signedAtMs: number }> {
    await requirePermission(this.audit, actor, 'readiness.sign', 'checklist.sign', 'readiness_campaign', campaignId);
    let file: Buffer | undefined;
    if (body.file) {
      file = Buffer.from(body.file.dataBase64, 'base64');
      if (file.length === 0 || file.length > MAX_FILE_BYTES) throw new AppError('invalid_input', `附件须为 1 字节至 160 KiB (attachment must be 1 B–160 KiB, got ${file.length} B)`, { field: 'file' });
    }
    return runAudited(this.store, this.audit, actor, async (trx) => {
      const r = repos(trx);
      const c = await r.readiness.getCampaign(actor.scope, campaignId);
      if (!c) throw outOfScope('checklist.sign', 'readiness_campaign', campaignId);
      if (c.state !== 'open') throw new AppError('conflict', '检测已结束，不能再签字 (campaign closed)');
      const site = await r.org.get(actor.scope, body.siteId);
      if (!site || site.kind !== 'site' || !site.path.startsWith(c.node_path)) throw outOfScope('checklist.sign', 'org_node', body.siteId);
      const item = await r.checklists.item(body.itemId);
      const tpl = item && !item.retired ? await r.checklists.getTemplate({ kind: 'all' }, item.template_id) : undefined;
      if (!item || !tpl || !site.path.startsWith(tpl.node_path) || tpl.checks !== c.checks) throw new AppError('invalid_input', '该检查项不适用于此考点或此次检测 (item does not apply here)', { field: 'itemId' });
      const subject = item.per === 'site' ? '' : body.subject;
      if (item.per === 'workstation' && !subject) throw new AppError('invalid_input', '请填写工作站名称 (workstation name required)', { field: 'subject' });
      const now = this.clock.nowMs();
      const sha = file ? createHash('sha256').update(file).digest('hex') : null;
      const id = await r.checklists.sign({ campaign_id: campaignId, item_id: item.id, site_id: site.id, subject, outcome: body.outcome, signer_name: body.signerName, signed_by_user_id: actor.userId, signed_at_ms: now, note: body.note ?? null, file_name: body.file?.name ?? null, file_sha256: sha, file_b64: file ? file.toString('base64') : null });
      await this.afterChange(trx, campaignId, site.id);
      await this.audit.append(trx, actor, { action: 'checklist.sign', objectType: 'checklist_signature', objectId: id, scopePath: site.path, detail: { campaignId, itemId: item.id, requirement: tpl.requirement, text: item.text, siteId: site.id, subject, outcome: body.outcome, signerName: body.signerName, note: body.note ?? null, fileName: body.file?.name ?? null, fileSha256: sha } });
      return { id, signedAtMs: now };
    });
  }

  async signatureFile(actor: Actor, signatureId: number): Promise<{ name: string; data: Buffer }> {
    await requirePermission(this.audit, actor, 'exam.read', 'checklist.file', 'checklist_signature', signatureId);
    const f = await repos(this.store.db).checklists.signatureFile(actor.scope, signatureId);
    if (!f) return this.deny(actor, 'checklist.file', 'checklist_signature', signatureId);
    if (!f.file_b64) throw new AppError('not_found', '该签字无附件 (no attachment)');
    return { name: f.file_name ?? 'attachment', data: Buffer.from(f.file_b64, 'base64') };
  }

  private async deny(actor: Actor, action: string, type: string, id: number): Promise<never> {
    return runAudited(this.store, this.audit, actor, () => Promise.reject(outOfScope(action, type, id)));
  }

  private async templateViews(r: Repos, rows: readonly TemplateRow[]): Promise<TemplateView[]> {
    const items = await r.checklists.items(rows.map((t) => t.id));
    return rows.map((t) => ({ id: t.id, orgNodeId: t.org_node_id, orgNodeName: t.node_name, requirement: t.requirement, title: t.title, checks: t.checks, items: items.filter((i) => i.template_id === t.id).map((i) => ({ id: i.id, text: i.text, per: i.per })) }));
  }
}
