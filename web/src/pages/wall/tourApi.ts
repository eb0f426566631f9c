// Patrol tours (轮巡) on the server (/api/tours), and the one-time move of tours an older console
// kept in this browser's localStorage (so a user loses nothing when upgrading).
import { ApiError, request } from '../../api.ts';
import type { RoomKind } from '../../types.ts';
// The views are the server's own types (type-only: nothing of the server is bundled), so the
// console and the API cannot drift apart.
import type { TourItemKind } from '../../../../src/store/schema.ts';
import type { TourCameraView, TourItemView, TourView } from '../../../../src/tours/views.ts';
import type { WallCamera, WallSite } from './wallModel.ts';

export type { TourItemKind };
export type Tour = TourView;
export type TourItem = TourItemView;

export interface TourInput {
  name: string;
  intervalS: number;
  layoutTiles: number;
  orgNodeId?: number;
  shared: boolean;
  items: Array<{ kind: TourItemKind; refId?: number }>;
}


export const tourApi = {
  list: async () => (await request<{ tours: Tour[] }>('GET', '/api/tours')).tours,
  create: (b: TourInput) => request<Tour>('POST', '/api/tours', b),
  update: (id: number, b: TourInput) => request<Tour>('PUT', `/api/tours/${id}`, b),
  remove: (id: number) => request<unknown>('DELETE', `/api/tours/${id}`),
  /** The cameras the tour pages through for me, in order (the server keeps them inside my scope). */
  cameras: async (id: number): Promise<WallCamera[]> =>
    (await request<{ cameras: TourCameraView[] }>('GET', `/api/tours/${id}/cameras`)).cameras.map((c) => ({ id: c.id, name: c.name, roomId: c.roomId, roomName: c.roomName, roomKind: c.roomKind as RoomKind, siteName: c.siteName })),
};

// ---- one-time import of browser-stored tours (console before server-side tours) ----

const LEGACY_KEY = 'xuncha.tours.v1';
type LegacyTarget = { kind: 'camera'; id: number } | { kind: 'room'; id: number } | { kind: 'allExam' };
interface LegacyTour { id: string; name: string; intervalS: number; targets: LegacyTarget[] }

function readLegacy(): Record<string, LegacyTour[]> {
  try {
    const all = JSON.parse(localStorage.getItem(LEGACY_KEY) ?? '{}') as unknown;
    return all && typeof all === 'object' ? (all as Record<string, LegacyTour[]>) : {};
  } catch {
    return {};
  }
}

/** Keeps `left` for this user (tours that could not be saved yet); drops the key when nothing is left. */
function writeLegacy(username: string, left: LegacyTour[]): void {
  try {
    const all = readLegacy();
    if (left.length > 0) all[username] = left;
    else delete all[username];
    if (Object.keys(all).length > 0) localStorage.setItem(LEGACY_KEY, JSON.stringify(all));
    else localStorage.removeItem(LEGACY_KEY);
  } catch {
    /* storage disabled: nothing to clear */
  }
}

const sameItems = (a: TourInput['items'], b: TourItem[]) => a.length === b.length && a.every((x, i) => x.kind === b[i].kind && (x.refId ?? null) === b[i].refId);

/**
 * Saves this user's browser-stored tours on the server, then removes them from the browser.
 * Targets the user can no longer see are left out; a tour identical to one already on the server
 * is not saved twice (a second browser of the same user); a different tour of the same name gets
 * a suffix. A tour that fails for another reason (network) stays in the browser for next time.
 * Returns how many tours were saved.
 */
export async function importLegacyTours(user: { id: number; username: string }, sites: WallSite[], existing: Tour[], layoutTiles: number): Promise<number> {
  const mine = readLegacy()[user.username];
  if (!Array.isArray(mine) || mine.length === 0) return 0;
  const rooms = new Set(sites.flatMap((s) => s.rooms.map((r) => r.id)));
  const cams = new Set(sites.flatMap((s) => s.rooms.flatMap((r) => r.cameras.map((c) => c.id))));
  const left: LegacyTour[] = [];
  let saved = 0;
  for (const lt of mine) {
    const items: TourInput['items'] = (Array.isArray(lt.targets) ? lt.targets : []).flatMap((x): TourInput['items'] => {
      if (x.kind === 'allExam') return [{ kind: 'all-exam-rooms' }];
      if (x.kind === 'room' && rooms.has(x.id)) return [{ kind: 'room', refId: x.id }];
      if (x.kind === 'camera' && cams.has(x.id)) return [{ kind: 'camera', refId: x.id }];
      return [];
    });
    const name = String(lt.name ?? '').trim().slice(0, 64);
    if (items.length === 0 || !name) continue; // nothing left this user may watch
    const same = existing.find((t) => t.ownerId === user.id && t.name === name);
    if (same && sameItems(items, same.items)) continue;
    const input: TourInput = { name: same ? `${name.slice(0, 56)}（本机导入）` : name, intervalS: Math.min(3600, Math.max(5, Math.round(Number(lt.intervalS) || 15))), layoutTiles, shared: false, items };
    try {
      await tourApi.create(input);
      saved++;
    } catch (err) {
      // Network or server trouble: keep it for the next visit. A refusal (409: another tab or
      // browser saved it first; 400/404: the server will not take it) will not change on retry.
      if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500) left.push(lt);
    }
  }
  writeLegacy(user.username, left);
  return saved;
}
