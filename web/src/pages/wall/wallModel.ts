// Data of the video wall: cameras in scope (from the org tree), tokens, camera status. Tours (轮巡)
// are kept on the server (tourApi.ts, docs/design/live.md).
import type { OrgNode, RoomKind } from '../../types.ts';
import type { CameraStatusEvent } from '../../../../src/events/bus.ts';
import { liveToken } from './liveClient.ts';
import type { Stream } from './liveClient.ts';
import { WALL_LAYOUTS } from '../../../../src/wall/layouts.ts';

export interface WallCamera {
  id: number;
  name: string;
  roomId: number;
  roomName: string;
  roomKind: RoomKind;
  siteName: string;
  /** false when the camera has no sub stream (the wall then plays the main stream). */
  hasSub?: boolean;
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
          cameras: r.cameras.map((c) => ({ id: c.id, name: c.name, roomId: r.id, roomName: r.name, roomKind: r.kind, siteName: n.name, hasSub: Boolean(c.subStream) })),
        })),
    }));
}

/** The server's camera status (GET /api/cameras/status; type-only import, no copy). */
export type CameraStatusView = CameraStatusEvent & { recordingMode?: 'continuous' | 'scheduled' };

export async function fetchStatuses(): Promise<Map<number, CameraStatusView>> {
  const res = await fetch('/api/cameras/status', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!res.ok) return new Map();
  const body = (await res.json()) as { cameras: CameraStatusView[] };
  // retryAtMs on this browser's clock (the server's may differ): now + the server's retryInMs.
  return new Map(body.cameras.map((c) => [c.cameraId, c.retryInMs !== undefined ? { ...c, retryAtMs: Date.now() + c.retryInMs } : c]));
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

export const LAYOUTS = WALL_LAYOUTS;
/**
 * From this many tiles the wall is an overview (issue 16): keyframes only, full rate for the tile
 * clicked. 64 sub tiles at 25 fps made Chromium drop 40–47 % of the frames on 2 cores.
 */
export const OVERVIEW_MIN_TILES = 25;

export function pageOf<T>(list: T[], page: number, size: number): T[] {
  return list.slice(page * size, page * size + size);
}
