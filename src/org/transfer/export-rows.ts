// Builds the export table: every node, room and camera in scope, one row each, in tree order
// (a node, then its rooms with their cameras, then its child nodes). No network configuration
// (R-SEC-6), and every cell neutralised against formula injection.
import { streamForDisplay } from '../stream-url.ts';
import type { Scope } from '../../auth/actor.ts';
import type { CameraRow } from '../../store/repos/camera-repo.ts';
import type { Repos } from '../../store/repos/index.ts';
import type { OrgNodeRow } from '../../store/repos/org-repo.ts';
import type { RoomRow } from '../../store/repos/room-repo.ts';
import type { ColumnKey } from './columns.ts';
import { EXPORT_COLUMNS, LEVEL_LABELS, POSITION_LABELS, ROOM_KIND_LABELS, headerText, neutralise } from './columns.ts';

/** Column widths (characters) for the spreadsheet, by key. */
const WIDTHS: Partial<Record<ColumnKey, number>> = { gb_code: 24, parent_gb_code: 24, name: 28, region_code: 14, main_stream: 36, sub_stream: 36 };
export const exportWidths = (): number[] => EXPORT_COLUMNS.map((k) => WIDTHS[k] ?? 14);

type Cells = Partial<Record<ColumnKey, string>>;

export interface ExportTable {
  records: string[][];
  counts: { nodes: number; rooms: number; cameras: number };
}

function groupBy<T>(items: readonly T[], key: (t: T) => number | null): Map<number | null, T[]> {
  const m = new Map<number | null, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

export async function buildExportTable(r: Repos, scope: Scope): Promise<ExportTable> {
  const [nodes, rooms, cameras] = await Promise.all([r.org.list(scope), r.rooms.list(scope), r.cameras.list(scope)]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // Roots are nodes whose parent is outside the scope: their parent code is left blank.
  const children = groupBy(nodes, (n) => (n.parent_id !== null && byId.has(n.parent_id) ? n.parent_id : null));
  const roomsBySite = groupBy(rooms, (rm) => rm.site_id);
  const camsByRoom = groupBy(cameras, (c) => c.room_id);
  const out: Cells[] = [];

  const nodeCells = (n: OrgNodeRow, parentCode: string): Cells => ({ level: LEVEL_LABELS[n.kind], gb_code: n.gb_code, parent_gb_code: parentCode, name: n.name, region_code: n.region_code });
  const roomCells = (rm: RoomRow, site: OrgNodeRow): Cells => ({ level: LEVEL_LABELS.room, gb_code: rm.gb_code, parent_gb_code: site.gb_code, name: rm.name, room_kind: ROOM_KIND_LABELS[rm.kind], seats: String(rm.seats) });
  const cameraCells = (c: CameraRow, rm: RoomRow): Cells => ({
    level: LEVEL_LABELS.camera,
    gb_code: c.gb_code,
    parent_gb_code: rm.gb_code,
    name: c.name,
    position: POSITION_LABELS[c.position],
    source_kind: c.source_kind,
    main_stream: streamForDisplay(c.main_stream),
    sub_stream: streamForDisplay(c.sub_stream),
  });

  // Iterative depth-first walk (no recursion limit on deep or wide trees); siblings by id.
  const byIdOrder = (a: OrgNodeRow, b: OrgNodeRow) => a.id - b.id;
  const stack: Array<{ node: OrgNodeRow; parentCode: string }> = (children.get(null) ?? [])
    .sort(byIdOrder)
    .reverse()
    .map((node) => ({ node, parentCode: '' }));
  while (stack.length > 0) {
    const { node, parentCode } = stack.pop()!;
    out.push(nodeCells(node, parentCode));
    for (const rm of roomsBySite.get(node.id) ?? []) {
      out.push(roomCells(rm, node));
      for (const c of camsByRoom.get(rm.id) ?? []) out.push(cameraCells(c, rm));
    }
    const kids = [...(children.get(node.id) ?? [])].sort(byIdOrder).reverse();
    for (const kid of kids) stack.push({ node: kid, parentCode: node.gb_code });
  }

  const records = [EXPORT_COLUMNS.map(headerText), ...out.map((cells) => EXPORT_COLUMNS.map((k) => neutralise(cells[k] ?? '')))];
  return { records, counts: { nodes: nodes.length, rooms: rooms.length, cameras: cameras.length } };
}
