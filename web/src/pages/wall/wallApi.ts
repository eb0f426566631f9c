// The wall kept on the server (/api/wall, issue 14 item 1): the user's current wall, restored after
// a reload or a login on another PC, and named wall layouts (private, or shared like tours).
import { request } from '../../api.ts';
// The views are the server's own types (type-only: nothing of the server is bundled).
import type { WallLayoutView, WallStateView } from '../../../../src/wall/views.ts';

export type WallLayout = WallLayoutView;
export type ServerWallState = WallStateView;
export interface WallLayoutInput { name: string; layoutTiles: number; cells: (number | null)[]; orgNodeId?: number; shared: boolean }

export const wallApi = {
  state: async () => (await request<{ state: ServerWallState | null }>('GET', '/api/wall/state')).state,
  saveState: (s: Omit<ServerWallState, 'updatedAtMs'>) => request<ServerWallState>('PUT', '/api/wall/state', s),
  layouts: async () => (await request<{ layouts: WallLayout[] }>('GET', '/api/wall/layouts')).layouts,
  create: (b: WallLayoutInput) => request<WallLayout>('POST', '/api/wall/layouts', b),
  update: (id: number, b: WallLayoutInput) => request<WallLayout>('PUT', `/api/wall/layouts/${id}`, b),
  remove: (id: number) => request<unknown>('DELETE', `/api/wall/layouts/${id}`),
};
