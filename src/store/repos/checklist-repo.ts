// Checklist templates, their items and the signatures of a campaign (issue 17; R-PRE-1, R-PRE-5,
// R-PRE-7, R-SEC-3, R-SEC-8). A template applies to its node's subtree; a user sees templates of
// nodes in their scope and of the nodes above it (those apply to them too). Signatures are
// filtered by the signed site's path.
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { ChecklistPer, ChecklistSignatureTable, ChecklistTemplateItemTable, ChecklistTemplateTable, Database, ReadinessChecks } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type TemplateRow = Selectable<ChecklistTemplateTable> & { node_path: string; node_name: string };
export type TemplateItemRow = Selectable<ChecklistTemplateItemTable>;
export type SignatureRow = Selectable<ChecklistSignatureTable>;
export interface TemplateItemInput { id?: number; text: string; per: ChecklistPer }

export class ChecklistRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private templates() {
    return this.db
      .selectFrom('checklist_template')
      .innerJoin('org_node', 'org_node.id', 'checklist_template.org_node_id')
      .selectAll('checklist_template')
      .select(['org_node.path as node_path', 'org_node.name as node_name']);
  }

  /** Templates at nodes in scope or above it. */
  listTemplates(scope: Scope): Promise<TemplateRow[]> {
    let q = this.templates();
    if (scope.kind === 'subtree') q = q.where((eb) => eb.or([eb('org_node.path', 'like', scopePrefix(scope)!), eb(sql<string>`${scope.path}`, 'like', sql<string>`org_node.path || '%'`)]));
    return q.orderBy('org_node.path').orderBy('checklist_template.requirement').orderBy('checklist_template.id').execute();
  }

  /** Templates that apply at `path` (set at that node or above it) for campaigns of kind `checks`. */
  applicableTemplates(path: string, checks: ReadinessChecks): Promise<TemplateRow[]> {
    return this.templates()
      .where(sql<string>`${path}`, 'like', sql<string>`org_node.path || '%'`)
      .where('checklist_template.checks', '=', checks)
      .orderBy('checklist_template.requirement')
      .orderBy('checklist_template.id')
      .execute();
  }

  /** A template whose node is in scope (only those may be edited). */
  getTemplate(scope: Scope, id: number): Promise<TemplateRow | undefined> {
    let q = this.templates().where('checklist_template.id', '=', id);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.executeTakeFirst();
  }

  async insertTemplate(v: Omit<Insertable<ChecklistTemplateTable>, 'id'>): Promise<number> {
    return (await this.db.insertInto('checklist_template').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  async updateTemplate(id: number, v: Pick<ChecklistTemplateTable, 'requirement' | 'title' | 'checks' | 'updated_at_ms'>): Promise<void> {
    await this.db.updateTable('checklist_template').set(v).where('id', '=', id).execute();
  }

  /** Current (not retired) items of the templates, each template's in order. */
  async items(templateIds: readonly number[]): Promise<TemplateItemRow[]> {
    if (templateIds.length === 0) return [];
    return this.db.selectFrom('checklist_template_item').selectAll().where('template_id', 'in', [...templateIds]).where('retired', '=', 0).orderBy('template_id').orderBy('position').execute();
  }

  async item(id: number): Promise<TemplateItemRow | undefined> {
    return this.db.selectFrom('checklist_template_item').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Makes the template's items the given list: items with a known id keep it (and their
   * signatures), new ones are added, missing ones are retired (old signatures still name them).
   */
  async replaceItems(templateId: number, items: readonly TemplateItemInput[]): Promise<void> {
    const current = await this.db.selectFrom('checklist_template_item').select('id').where('template_id', '=', templateId).where('retired', '=', 0).execute();
    const keep = new Set(items.map((i) => i.id).filter((id): id is number => id !== undefined));
    for (const c of current) if (!keep.has(c.id)) await this.db.updateTable('checklist_template_item').set({ retired: 1 }).where('id', '=', c.id).execute();
    for (const [position, it] of items.entries()) {
      if (it.id !== undefined && current.some((c) => c.id === it.id)) {
        await this.db.updateTable('checklist_template_item').set({ position, text: it.text, per: it.per }).where('id', '=', it.id).execute();
      } else {
        await this.db.insertInto('checklist_template_item').values({ template_id: templateId, position, text: it.text, per: it.per, retired: 0 }).execute();
      }
    }
  }

  /**
   * One signature per (campaign, item, site, subject): a new signature overwrites the previous one
   * in place (same id); the audit chain keeps every signature.
   */
  async sign(v: Omit<Insertable<ChecklistSignatureTable>, 'id'>): Promise<number> {
    const existing = await this.db.selectFrom('checklist_signature').select('id').where('campaign_id', '=', v.campaign_id).where('item_id', '=', v.item_id).where('site_id', '=', v.site_id).where('subject', '=', v.subject).executeTakeFirst();
    if (existing) {
      await this.db.updateTable('checklist_signature').set(v).where('id', '=', existing.id).execute();
      return existing.id;
    }
    return (await this.db.insertInto('checklist_signature').values(v).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Signatures of a campaign at sites in scope, without the attached file. */
  async signatures(scope: Scope, campaignId: number): Promise<Array<Omit<SignatureRow, 'file_b64'>>> {
    let q = this.db
      .selectFrom('checklist_signature')
      .innerJoin('org_node', 'org_node.id', 'checklist_signature.site_id')
      .select(['checklist_signature.id', 'checklist_signature.campaign_id', 'checklist_signature.item_id', 'checklist_signature.site_id', 'checklist_signature.subject', 'checklist_signature.outcome', 'checklist_signature.signer_name', 'checklist_signature.signed_by_user_id', 'checklist_signature.signed_at_ms', 'checklist_signature.note', 'checklist_signature.file_name', 'checklist_signature.file_sha256'])
      .where('checklist_signature.campaign_id', '=', campaignId);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    const rows = await q.orderBy('checklist_signature.site_id').orderBy('checklist_signature.item_id').execute();
    return rows.map((r) => ({ ...r, signed_at_ms: Number(r.signed_at_ms) }));
  }

  /** The attached file of one signature at a site in scope. */
  async signatureFile(scope: Scope, id: number): Promise<{ file_name: string | null; file_b64: string | null; site_id: number } | undefined> {
    let q = this.db.selectFrom('checklist_signature').innerJoin('org_node', 'org_node.id', 'checklist_signature.site_id').select(['checklist_signature.file_name', 'checklist_signature.file_b64', 'checklist_signature.site_id']).where('checklist_signature.id', '=', id);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.executeTakeFirst();
  }
}
