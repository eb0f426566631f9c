// Indexes the flat org list (nodes + nested rooms/cameras) for tree rendering, lookup and move targets.
import type { Camera, NodeKind, OrgNode, Room } from '../../types.ts';

export type Sel =
  | { type: 'node'; id: number }
  | { type: 'room'; id: number }
  | { type: 'camera'; id: number };

export const selKey = (s: Sel): string => `${s.type[0]}:${s.id}`;
export function parseKey(k: string): Sel | null {
  const m = /^([nrc]):(\d+)$/.exec(k);
  if (!m) return null;
  const id = Number(m[2]);
  return m[1] === 'n' ? { type: 'node', id } : m[1] === 'r' ? { type: 'room', id } : { type: 'camera', id };
}

/** Mirrors the server's CHILD_KINDS: province → city → district → site (cities may hold sites directly). */
export const CHILD_KINDS: Record<NodeKind, readonly NodeKind[]> = { province: ['city'], city: ['district', 'site'], district: ['site'], site: [] };
export const PARENT_KINDS: Record<NodeKind, NodeKind[]> = { province: [], city: ['province'], district: ['city'], site: ['district', 'city'] };

export interface OrgIndex {
  nodes: Map<number, OrgNode>;
  children: Map<number | null, OrgNode[]>;
  rooms: Map<number, Room>;
  cameras: Map<number, Camera>;
  roots: OrgNode[];
}

export function buildIndex(list: OrgNode[]): OrgIndex {
  const nodes = new Map<number, OrgNode>();
  const children = new Map<number | null, OrgNode[]>();
  const rooms = new Map<number, Room>();
  const cameras = new Map<number, Camera>();
  for (const n of list) nodes.set(n.id, n);
  for (const n of list) {
    // A node whose parent is outside the caller's scope is a root of the visible forest.
    const p = n.parentId !== null && nodes.has(n.parentId) ? n.parentId : null;
    const arr = children.get(p) ?? [];
    arr.push(n);
    children.set(p, arr);
    for (const r of n.rooms ?? []) {
      rooms.set(r.id, r);
      for (const c of r.cameras ?? []) cameras.set(c.id, c);
    }
  }
  const byName = (a: OrgNode, b: OrgNode) => a.name.localeCompare(b.name, 'zh-CN');
  for (const arr of children.values()) arr.sort(byName);
  return { nodes, children, rooms, cameras, roots: children.get(null) ?? [] };
}

/** Keys from the selection up to the root (exclusive of the selection itself). */
export function ancestorKeys(idx: OrgIndex, sel: Sel): string[] {
  const out: string[] = [];
  let nodeId: number | null = null;
  if (sel.type === 'camera') {
    const cam = idx.cameras.get(sel.id);
    const room = cam ? idx.rooms.get(cam.roomId) : undefined;
    if (room) {
      out.push(selKey({ type: 'room', id: room.id }));
      nodeId = room.siteId;
    }
  } else if (sel.type === 'room') {
    nodeId = idx.rooms.get(sel.id)?.siteId ?? null;
  } else {
    nodeId = idx.nodes.get(sel.id)?.parentId ?? null;
  }
  while (nodeId !== null && idx.nodes.has(nodeId)) {
    out.push(selKey({ type: 'node', id: nodeId }));
    nodeId = idx.nodes.get(nodeId)?.parentId ?? null;
  }
  return out;
}

/** Names from root to selection, for the detail breadcrumb. */
export function pathNames(idx: OrgIndex, sel: Sel): string[] {
  const keys = ancestorKeys(idx, sel).reverse();
  keys.push(selKey(sel));
  return keys.map((k) => nameOf(idx, parseKey(k))).filter((s): s is string => Boolean(s));
}

export function nameOf(idx: OrgIndex, sel: Sel | null): string | undefined {
  if (!sel) return undefined;
  if (sel.type === 'node') return idx.nodes.get(sel.id)?.name;
  if (sel.type === 'room') return idx.rooms.get(sel.id)?.name;
  return idx.cameras.get(sel.id)?.name;
}

export function countBelow(idx: OrgIndex, nodeId: number): { rooms: number; cameras: number } {
  let rooms = 0;
  let cameras = 0;
  const stack = [nodeId];
  while (stack.length) {
    const id = stack.pop() as number;
    const n = idx.nodes.get(id);
    for (const r of n?.rooms ?? []) {
      rooms += 1;
      cameras += r.cameras?.length ?? 0;
    }
    for (const c of idx.children.get(id) ?? []) stack.push(c.id);
  }
  return { rooms, cameras };
}

/** Every node key (for expand-all) and the default expansion (down to districts so sites are visible). */
export function nodeKeys(idx: OrgIndex, kinds?: NodeKind[]): string[] {
  const out: string[] = [];
  for (const n of idx.nodes.values()) if (!kinds || kinds.includes(n.kind)) out.push(selKey({ type: 'node', id: n.id }));
  return out;
}

export function matches(text: string, q: string): boolean {
  return text.toLowerCase().includes(q.toLowerCase());
}
