// Turns a tour's ordered items into the ordered camera list a wall pages through: items in their
// order, a room's cameras and the exam rooms' cameras in tree order, each camera once (its first
// place). Pure: the cameras given are already limited to what the viewer may see in the tour's node.
import type { TourCameraRow } from '../store/repos/tour-repo.ts';
import type { TourItemKind } from '../store/schema.ts';

export interface ResolvableItem { kind: TourItemKind; ref_id: number | null }

/** Code-unit order: the same on SQLite and PostgreSQL, whose collations differ. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Tree order: site path, room name, camera name, id. */
export function treeOrder(a: TourCameraRow, b: TourCameraRow): number {
  return cmp(a.site_path, b.site_path) || cmp(a.room_name, b.room_name) || a.room_id - b.room_id || cmp(a.name, b.name) || a.id - b.id;
}

export function resolveTour(items: readonly ResolvableItem[], found: { byId: readonly TourCameraRow[]; ofRooms: readonly TourCameraRow[]; ofExamRooms: readonly TourCameraRow[] }): TourCameraRow[] {
  const byId = new Map(found.byId.map((c) => [c.id, c]));
  const byRoom = new Map<number, TourCameraRow[]>();
  for (const c of [...found.ofRooms].sort(treeOrder)) (byRoom.get(c.room_id) ?? byRoom.set(c.room_id, []).get(c.room_id)!).push(c);
  const exam = [...found.ofExamRooms].sort(treeOrder);
  const out: TourCameraRow[] = [];
  const seen = new Set<number>();
  const add = (c: TourCameraRow | undefined) => {
    if (c && !seen.has(c.id)) {
      seen.add(c.id);
      out.push(c);
    }
  };
  for (const it of items) {
    if (it.kind === 'camera') add(byId.get(it.ref_id ?? -1));
    else if (it.kind === 'room') (byRoom.get(it.ref_id ?? -1) ?? []).forEach(add);
    else exam.forEach(add);
  }
  return out;
}
