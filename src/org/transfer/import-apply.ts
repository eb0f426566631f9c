// Writes a checked import plan, row by row in file order (parents come first), inside the
// caller's transaction. New codes are allocated past both the database and every code the file
// itself reserves, so that a generated code never collides with a later row's given one.
import type { SecretBox } from '../../crypto/secret-box.ts';
import type { Repos } from '../../store/repos/index.ts';
import type { CameraTable, OrgNodeKind } from '../../store/schema.ts';
import type { Updateable } from 'kysely';
import type { NetworkConfig } from '../network-config.ts';
import { sealNetwork } from '../network-config.ts';
import { allocateGbCode } from '../gb-allocator.ts';
import { buildGbCode } from '../gb-code.ts';
import type { Plan } from './import-plan.ts';
import { gbTypesFor } from './rows.ts';
import type { ImportRow } from './rows.ts';

export interface ApplyResult {
  created: number;
  updated: number;
  unchanged: number;
}

type Network = Pick<ImportRow, 'host' | 'port' | 'username' | 'password'>;
const touchesNetwork = (row: ImportRow): boolean => row.host !== undefined || row.port !== undefined || row.username !== undefined || row.password !== undefined;

/** Keeps only the entries of `patch` that differ from `current`. */
function changes<T extends object, K extends keyof T>(current: T, patch: { [P in K]?: T[P] }): { [P in K]?: T[P] } {
  const out: { [P in K]?: T[P] } = {};
  for (const [k, v] of Object.entries(patch) as Array<[K, T[K] | undefined]>) if (v !== undefined && current[k] !== v) out[k] = v;
  return out;
}

export async function applyPlan(r: Repos, box: SecretBox, plans: readonly Plan[], allCodes: readonly string[], nowMs: number): Promise<ApplyResult> {
  const reservedMax = new Map<string, string>();
  for (const code of allCodes) {
    const prefix = code.slice(0, 13);
    if ((reservedMax.get(prefix) ?? '') < code) reservedMax.set(prefix, code);
  }
  const allocate = async (region: string, typeCode: string): Promise<string> => {
    const code = await allocateGbCode(r, region, typeCode);
    const reserved = reservedMax.get(code.slice(0, 13));
    return reserved && reserved >= code ? buildGbCode(region, typeCode, Number(reserved.slice(13)) + 1, code.slice(6, 8)) : code;
  };
  // Ids (and paths, for nodes) of objects created by earlier rows, by sheet row number.
  const made = new Map<number, { id: number; path?: string }>();
  const result: ApplyResult = { created: 0, updated: 0, unchanged: 0 };
  const count = (changed: boolean) => (changed ? result.updated++ : result.unchanged++);

  for (const plan of plans) {
    const { row } = plan;
    const parent = plan.parent.kind === 'existing' ? plan.parent : plan.parent.kind === 'row' ? made.get(plan.parent.row) : undefined;
    const e = plan.existing;
    if (e?.table === 'node') {
      count(e.row.name !== row.name);
      if (e.row.name !== row.name) await r.org.rename(e.row.id, row.name, nowMs);
    } else if (e?.table === 'room') {
      const patch = changes(e.row, { name: row.name, kind: row.roomKind, seats: row.seats });
      count(Object.keys(patch).length > 0);
      if (Object.keys(patch).length > 0) await r.rooms.update(e.row.id, patch, nowMs);
    } else if (e?.table === 'camera') {
      const patch: Omit<Updateable<CameraTable>, 'id' | 'created_at_ms'> = changes(e.row, {
        name: row.name,
        position: row.position,
        source_kind: row.sourceKind,
        main_stream: row.mainStream,
        sub_stream: row.subStream,
      });
      if (touchesNetwork(row)) {
        const current = e.row.network_enc ? (JSON.parse(box.open(e.row.network_enc)) as NetworkConfig) : undefined;
        Object.assign(patch, sealNetwork(box, { ...current, ...definedOnly(row) }));
      }
      count(Object.keys(patch).length > 0);
      if (Object.keys(patch).length > 0) await r.cameras.update(e.row.id, { ...patch, updated_at_ms: nowMs });
    } else {
      const gbCode = row.gbCode ?? (await allocate(plan.region, gbTypesFor(row.level)[0]));
      if (plan.table === 'node') {
        const node = await r.org.insert({ parentId: parent?.id ?? null, parentPath: parent?.path ?? '/', kind: row.level as OrgNodeKind, name: row.name, gbCode, regionCode: plan.region, nowMs });
        made.set(row.row, { id: node.id, path: node.path });
      } else if (plan.table === 'room') {
        const id = await r.rooms.insert({ siteId: parent!.id, kind: row.roomKind ?? 'exam', name: row.name, seats: row.seats ?? 0, gbCode, nowMs });
        made.set(row.row, { id });
      } else {
        const id = await r.cameras.insert({
          room_id: parent!.id,
          name: row.name,
          position: row.position ?? 'other',
          source_kind: row.sourceKind ?? 'rtsp',
          gb_code: gbCode,
          main_stream: row.mainStream ?? '',
          sub_stream: row.subStream ?? '',
          ...sealNetwork(box, row),
          created_at_ms: nowMs,
        });
        made.set(row.row, { id });
      }
      result.created++;
    }
  }
  return result;
}

function definedOnly(row: ImportRow): Network {
  const out: Network = {};
  for (const k of ['host', 'port', 'username', 'password'] as const) if (row[k] !== undefined) Object.assign(out, { [k]: row[k] });
  return out;
}
