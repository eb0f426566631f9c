// Checks import rows against the database (inside the import's transaction, before any write):
// which rows update an object in scope and which create one, where each row's parent is, and
// whether names collide. Every problem is collected; out-of-scope hits are noted for the audit.
import type { Actor } from '../../auth/actor.ts';
import type { CameraRow } from '../../store/repos/camera-repo.ts';
import type { Repos } from '../../store/repos/index.ts';
import type { OrgNodeRow } from '../../store/repos/org-repo.ts';
import type { RoomRow } from '../../store/repos/room-repo.ts';
import type { OrgNodeKind } from '../../store/schema.ts';
import { CHILD_KINDS } from '../views.ts';
import { LEVEL_LABELS } from './columns.ts';
import type { Level } from './columns.ts';
import type { ImportProblem, ImportRow } from './rows.ts';

export type Table = 'node' | 'room' | 'camera';
export const tableOf = (level: Level): Table => (level === 'room' || level === 'camera' ? level : 'node');

/** Where a row's parent is: nowhere (a root), an existing object, or a new object of an earlier row. */
export type ParentRef = { kind: 'none' } | { kind: 'existing'; id: number; path?: string } | { kind: 'row'; row: number };

export type Existing = { table: 'node'; row: OrgNodeRow } | { table: 'room'; row: RoomRow } | { table: 'camera'; row: CameraRow };

export interface Plan {
  row: ImportRow;
  table: Table;
  existing?: Existing;
  parent: ParentRef;
  /** Region code of the object (nodes) or of its exam site (rooms, cameras): used to allocate codes. */
  region: string;
}

interface ParentInfo {
  level: Level;
  ref: ParentRef;
  region: string;
}

export interface PlanResult {
  plans: Plan[];
  problems: ImportProblem[];
  /** Rows that named a code existing outside the actor's scope. */
  outOfScopeRows: number[];
}

const parentIdOf = (e: Existing): number | null => (e.table === 'node' ? e.row.parent_id : e.table === 'room' ? e.row.site_id : e.row.room_id);

async function findExisting(r: Repos, actor: Actor, level: Level, code: string): Promise<Existing | undefined> {
  const table = tableOf(level);
  if (table === 'node') {
    const row = await r.org.getByGbCode(actor.scope, code);
    return row && { table, row };
  }
  if (table === 'room') {
    const row = await r.rooms.getByGbCode(actor.scope, code);
    return row && { table, row };
  }
  const row = await r.cameras.getByGbCode(actor.scope, code);
  return row && { table, row };
}

async function inScopeAnywhere(r: Repos, actor: Actor, code: string): Promise<boolean> {
  const [n, rm, c] = await Promise.all([r.org.getByGbCode(actor.scope, code), r.rooms.getByGbCode(actor.scope, code), r.cameras.getByGbCode(actor.scope, code)]);
  return Boolean(n ?? rm ?? c);
}

async function currentParentCode(r: Repos, e: Existing): Promise<string | undefined> {
  const all = { kind: 'all' } as const;
  if (e.table === 'camera') return (await r.rooms.get(all, e.row.room_id))?.gb_code;
  const id = e.table === 'node' ? e.row.parent_id : e.row.site_id;
  return id === null ? undefined : (await r.org.get(all, id))?.gb_code;
}

export async function planImport(r: Repos, actor: Actor, rows: readonly ImportRow[], badRows: ReadonlySet<number>): Promise<PlanResult> {
  const problems: ImportProblem[] = [];
  const outOfScopeRows: number[] = [];
  const plans: Plan[] = [];
  const planByIndex: Array<Plan | undefined> = [];
  const indexByCode = new Map<string, number>();
  rows.forEach((row, i) => row.gbCode && !indexByCode.has(row.gbCode) && indexByCode.set(row.gbCode, i));
  const names = new Map<string, number>();
  const regionCache = new Map<number, string>();
  const siteRegion = async (siteId: number): Promise<string> => {
    if (!regionCache.has(siteId)) regionCache.set(siteId, (await r.org.get({ kind: 'all' }, siteId))!.region_code);
    return regionCache.get(siteId)!;
  };

  const findParentInDb = async (code: string): Promise<ParentInfo | undefined> => {
    const node = await r.org.getByGbCode(actor.scope, code);
    if (node) return { level: node.kind, ref: { kind: 'existing', id: node.id, path: node.path }, region: node.region_code };
    const room = await r.rooms.getByGbCode(actor.scope, code);
    if (room) return { level: 'room', ref: { kind: 'existing', id: room.id }, region: await siteRegion(room.site_id) };
    return undefined;
  };
  // A parent is an earlier row of the file, or an object in scope (also when a later row updates it).
  const resolveParent = async (row: ImportRow, i: number, code: string): Promise<ParentInfo | string> => {
    const idx = indexByCode.get(code);
    if (idx !== undefined) {
      const p = idx < i ? planByIndex[idx] : undefined;
      if (idx > i && !(await findParentInDb(code))) return `上级 ${code} 必须出现在本行之前（见第 ${rows[idx].row} 行） (parent must be on an earlier row)`;
      if (idx < i && !p) return `上级所在的第 ${rows[idx].row} 行有错误 (the parent's row has errors)`;
      if (p) {
        const ref: ParentRef = p.existing ? { kind: 'existing', id: p.existing.row.id, path: p.existing.table === 'node' ? p.existing.row.path : undefined } : { kind: 'row', row: p.row.row };
        return { level: p.row.level, ref, region: p.region };
      }
    }
    const found = await findParentInDb(code);
    if (found) return found;
    if (await r.org.gbCodeTaken(code)) outOfScopeRows.push(row.row);
    return `上级 ${code} 不存在或不在您的管辖范围内 (parent not found in your scope)`;
  };

  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (badRows.has(row.row)) {
      planByIndex.push(undefined);
      continue;
    }
    const rowProblems: string[] = [];
    const table = tableOf(row.level);
    let existing: Existing | undefined;
    if (row.gbCode) {
      existing = await findExisting(r, actor, row.level, row.gbCode);
      if (!existing && (await r.org.gbCodeTaken(row.gbCode))) {
        if (await inScopeAnywhere(r, actor, row.gbCode)) rowProblems.push(`国标编码 ${row.gbCode} 已被其他类型的对象使用 (gb_code belongs to another kind of object)`);
        else {
          rowProblems.push(`国标编码 ${row.gbCode} 已被占用或不在您的管辖范围内 (gb_code in use outside your scope)`);
          outOfScopeRows.push(row.row);
        }
      }
      if (existing?.table === 'node' && existing.row.kind !== row.level)
        rowProblems.push(`层级与现有对象不符（现为${LEVEL_LABELS[existing.row.kind]}） (level differs from the existing object)`);
      if (existing?.table === 'node' && row.regionCode !== undefined && row.regionCode !== existing.row.region_code)
        rowProblems.push('不能通过导入修改行政区划代码 (import cannot change region_code)');
    }

    let parent: ParentInfo | undefined;
    // An update naming its current parent keeps it (that parent may lie outside the scope).
    const keepsParent = existing !== undefined && row.parentGbCode !== undefined && row.parentGbCode === (await currentParentCode(r, existing));
    if (row.parentGbCode && !keepsParent) {
      const res = await resolveParent(row, i, row.parentGbCode);
      if (typeof res === 'string') rowProblems.push(res);
      else parent = res;
    } else if (!existing && rowProblems.length === 0 && !(row.level === 'province' && actor.scope.kind === 'all')) {
      rowProblems.push('新建对象须填写上级国标编码 (parent_gb_code is required for a new object)');
    }

    if (parent) {
      const ok =
        table === 'node' ? parent.level !== 'room' && parent.level !== 'camera' && CHILD_KINDS[parent.level].includes(row.level as OrgNodeKind) : table === 'room' ? parent.level === 'site' : parent.level === 'room';
      if (!ok) rowProblems.push(`${LEVEL_LABELS[parent.level]}下不能有${LEVEL_LABELS[row.level]} (a ${parent.level} cannot hold a ${row.level})`);
      if (existing && (parent.ref.kind !== 'existing' || parent.ref.id !== parentIdOf(existing)))
        rowProblems.push('不支持通过导入移动对象，请在组织机构页面移动 (import cannot move objects)');
    }

    if (rowProblems.length > 0) {
      for (const message of rowProblems) problems.push({ row: row.row, message });
      planByIndex.push(undefined);
      continue;
    }

    // Parent identity: the given parent, else (updates) the current one, else a root node.
    const parentId = existing ? parentIdOf(existing) : parent?.ref.kind === 'existing' ? parent.ref.id : null;
    const parentKey = parent?.ref.kind === 'row' ? `row${parent.ref.row}` : `id${parentId ?? 'root'}`;
    const nameKey = `${table}|${parentKey}|${row.name}`;
    const dupOf = names.get(nameKey);
    if (dupOf !== undefined) problems.push({ row: row.row, message: `与第 ${dupOf} 行同一上级下名称“${row.name}”重复 (duplicate name under the same parent)` });
    else names.set(nameKey, row.row);
    const renamed = !existing || existing.row.name !== row.name;
    if (dupOf === undefined && renamed && (parent?.ref.kind !== 'row' || existing)) {
      const selfId = existing?.row.id;
      const taken =
        table === 'node'
          ? ((await r.org.siblingNamed(parentId, row.name)) ?? selfId) !== selfId
          : table === 'room'
            ? await r.rooms.nameTaken(parentId!, row.name, selfId)
            : await r.cameras.nameTaken(parentId!, row.name, selfId);
      if (taken) problems.push({ row: row.row, message: `同一上级下已有名为“${row.name}”的对象 (duplicate name under the same parent)` });
    }

    let region: string;
    if (existing?.table === 'node') region = existing.row.region_code;
    else if (existing) region = await siteRegion(existing.row.site_id);
    else region = (table === 'node' ? row.regionCode : undefined) ?? parent?.region ?? '';
    if (region === '') problems.push({ row: row.row, message: '缺少行政区划代码 (region_code is required for a root node)' });

    const plan: Plan = { row, table, existing, parent: parent?.ref ?? { kind: 'none' }, region };
    planByIndex.push(plan);
    plans.push(plan);
  }
  return { plans, problems, outOfScopeRows };
}
