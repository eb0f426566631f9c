// API views of the wall kept on the server. Cells are camera ids; a camera the viewer may not see
// (another scope, deleted) is shown as an empty tile (null), so a shared layout never leaks an id.
import type { WallLayoutRow, WallStateRow } from '../store/repos/wall-repo.ts';

export interface WallStateView { layoutTiles: number; cells: (number | null)[]; tourId: number | null; running: boolean; page: number; updatedAtMs: number }

export interface WallLayoutView {
  id: number;
  name: string;
  layoutTiles: number;
  cells: (number | null)[];
  orgNodeId: number;
  orgNodeName: string;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  canEdit: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

/** The stored JSON cells; anything unreadable counts as empty tiles (a bad row must not break the wall). */
export function parseCells(json: string): (number | null)[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.map((c) => (typeof c === 'number' && Number.isInteger(c) && c > 0 ? c : null)) : [];
  } catch {
    return [];
  }
}

export const visibleCells = (cells: readonly (number | null)[], visible: ReadonlySet<number>): (number | null)[] => cells.map((c) => (c !== null && visible.has(c) ? c : null));

export const wallStateView = (row: WallStateRow, visible: ReadonlySet<number>): WallStateView => ({
  layoutTiles: row.layout_tiles,
  cells: visibleCells(parseCells(row.cells), visible),
  tourId: row.tour_id,
  running: row.running === 1,
  page: row.page,
  updatedAtMs: Number(row.updated_at_ms),
});

export const wallLayoutView = (row: WallLayoutRow, visible: ReadonlySet<number>, canEdit: boolean): WallLayoutView => ({
  id: row.id,
  name: row.name,
  layoutTiles: row.layout_tiles,
  cells: visibleCells(parseCells(row.cells), visible),
  orgNodeId: row.org_node_id,
  orgNodeName: row.node_name,
  ownerId: row.owner_user_id,
  ownerName: row.owner_display_name || row.owner_username,
  shared: row.shared === 1,
  canEdit,
  createdAtMs: Number(row.created_at_ms),
  updatedAtMs: Number(row.updated_at_ms),
});
