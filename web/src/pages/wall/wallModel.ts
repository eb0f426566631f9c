// Data of the video wall: cameras in scope (from the org tree), tokens, camera status, tours.
// Tours (轮巡) are kept in this browser's localStorage, per user (see docs/design/live.md).
import type { OrgNode, RoomKind } from '../../types.ts';
import { liveToken } from './liveClient.ts';
import type { Stream } from './liveClient.ts';

export interface WallCamera {
  id: number;
  name: string;
  roomId: number;
  roomName: string;
  roomKind: RoomKind;
  siteName: string;
}

export interface WallRoom {
  id: number;
  name: string;
  kind: RoomKind;
  siteName: string;
  cameras: WallCamera[];
}

export interface WallSite {
  id: number;
  name: string;
  rooms: WallRoom[];
}

export function wallSites(nodes: OrgNode[]): WallSite[] {
  return nodes
    .filter((n) => n.kind === 'site' && (n.rooms ?? []).some((r) => r.cameras.length > 0))
    .map((n) => ({
      id: n.id,
      name: n.name,
      rooms: (n.rooms ?? [])
        .filter((r) => r.cameras.length > 0)
        .map((r) => ({
          id: r.id,
          name: r.name,
          kind: r.kind,
          siteName: n.name,
          cameras: r.cameras.map((c) => ({ id: c.id, name: c.name, roomId: r.id, roomName: r.name, roomKind: r.kind, siteName: n.name })),
        })),
    }));
}

export interface CameraStatusView {
  cameraId: number;
  state: 'connecting' | 'online' | 'error' | 'stopped';
  recording: boolean;
  reason?: string;
}

export async function fetchStatuses(): Promise<Map<number, CameraStatusView>> {
  const res = await fetch('/api/cameras/status', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) return new Map();
  const body = (await res.json()) as { cameras: CameraStatusView[] };
  return new Map(body.cameras.map((c) => [c.cameraId, c]));
}

/** Live tokens last a minute: reuse one while it covers the cameras and has 10 s left. */
export class TokenCache {
  private cache = new Map<Stream, { ids: Set<number>; token: string; until: number }>();

  async get(ids: number[], stream: Stream): Promise<string> {
    const c = this.cache.get(stream);
    if (c && c.until > Date.now() + 10_000 && ids.every((id) => c.ids.has(id))) return c.token;
    const token = await liveToken(ids, stream);
    this.cache.set(stream, { ids: new Set(ids), token, until: Date.now() + 60_000 });
    return token;
  }
}

export type TourTarget = { kind: 'camera'; id: number } | { kind: 'room'; id: number } | { kind: 'allExam' };

export interface Tour {
  id: string;
  name: string;
  intervalS: number;
  targets: TourTarget[];
}

const TOURS_KEY = 'xuncha.tours.v1';

export function loadTours(username: string): Tour[] {
  try {
    const all = JSON.parse(localStorage.getItem(TOURS_KEY) ?? '{}') as Record<string, Tour[]>;
    return Array.isArray(all[username]) ? all[username] : [];
  } catch {
    return [];
  }
}

export function saveTours(username: string, tours: Tour[]): void {
  try {
    const all = JSON.parse(localStorage.getItem(TOURS_KEY) ?? '{}') as Record<string, Tour[]>;
    all[username] = tours;
    localStorage.setItem(TOURS_KEY, JSON.stringify(all));
  } catch {
    /* storage full or disabled: tours live for this page only */
  }
}

/** The cameras a tour visits, in tree order, without duplicates. */
export function tourCameras(tour: Tour, sites: WallSite[]): WallCamera[] {
  const rooms = sites.flatMap((s) => s.rooms);
  const out: WallCamera[] = [];
  const seen = new Set<number>();
  const add = (c: WallCamera) => {
    if (!seen.has(c.id)) {
      seen.add(c.id);
      out.push(c);
    }
  };
  for (const t of tour.targets) {
    if (t.kind === 'allExam') rooms.filter((r) => r.kind === 'exam' || r.kind === 'lab').forEach((r) => r.cameras.forEach(add));
    else if (t.kind === 'room') rooms.find((r) => r.id === t.id)?.cameras.forEach(add);
    else {
      const c = rooms.flatMap((r) => r.cameras).find((x) => x.id === t.id);
      if (c) add(c);
    }
  }
  return out;
}

export const LAYOUTS = [1, 4, 9, 16, 25, 36] as const;

export function pageOf<T>(list: T[], page: number, size: number): T[] {
  return list.slice(page * size, page * size + size);
}
