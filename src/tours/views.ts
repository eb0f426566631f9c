// API views of patrol tours. An item's label names the camera or room only when the viewer may see
// it inside the tour's node; otherwise null, so a list never leaks a name out of scope.
import type { TourCameraRow, TourItemRow, TourRoomRow, TourRow } from '../store/repos/tour-repo.ts';
import type { TourItemKind } from '../store/schema.ts';

export interface TourItemView { kind: TourItemKind; refId: number | null; label: string | null }

export interface TourView {
  id: number;
  name: string;
  intervalS: number;
  layoutTiles: number;
  orgNodeId: number;
  orgNodeName: string;
  ownerId: number;
  ownerName: string;
  shared: boolean;
  canEdit: boolean;
  items: TourItemView[];
  createdAtMs: number;
  updatedAtMs: number;
}

export interface TourCameraView { id: number; name: string; roomId: number; roomName: string; roomKind: string; siteId: number; siteName: string }

export interface ItemLabels { cameras: ReadonlyMap<number, TourCameraRow>; rooms: ReadonlyMap<number, TourRoomRow> }

function itemLabel(tour: TourRow, it: TourItemRow, labels: ItemLabels): string | null {
  if (it.kind === 'all-exam-rooms') return tour.node_name;
  if (it.kind === 'room') {
    const r = labels.rooms.get(it.ref_id ?? -1);
    return r && r.site_path.startsWith(tour.node_path) ? `${r.site_name} / ${r.name}` : null;
  }
  const c = labels.cameras.get(it.ref_id ?? -1);
  return c && c.site_path.startsWith(tour.node_path) ? `${c.site_name} / ${c.room_name} · ${c.name}` : null;
}

export function tourView(tour: TourRow, items: readonly TourItemRow[], labels: ItemLabels, canEdit: boolean): TourView {
  return {
    id: tour.id,
    name: tour.name,
    intervalS: tour.interval_s,
    layoutTiles: tour.layout_tiles,
    orgNodeId: tour.org_node_id,
    orgNodeName: tour.node_name,
    ownerId: tour.owner_user_id,
    ownerName: tour.owner_display_name || tour.owner_username,
    shared: tour.shared === 1,
    canEdit,
    items: items.map((it) => ({ kind: it.kind, refId: it.ref_id, label: itemLabel(tour, it, labels) })),
    createdAtMs: Number(tour.created_at_ms),
    updatedAtMs: Number(tour.updated_at_ms),
  };
}

export const tourCameraView = (c: TourCameraRow): TourCameraView => ({ id: c.id, name: c.name, roomId: c.room_id, roomName: c.room_name, roomKind: c.room_kind, siteId: c.site_id, siteName: c.site_name });
