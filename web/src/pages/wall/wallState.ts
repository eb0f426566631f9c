// What the wall shows (layout, tiles, chosen tour, running, page), kept per user in this browser so
// that going to 录像回放 and back, or reloading, brings the same wall back (issue 14 item 1).
import { MAX_WALL_CELLS } from '../../../../src/wall/layouts.ts';

export interface WallState {
  layout: number;
  cells: (number | null)[];
  tourId?: number;
  running: boolean;
  page: number;
}

const key = (userId: number) => `xuncha.wall.state.v1.${userId}`;

const emptyCells = (): (number | null)[] => Array<number | null>(MAX_WALL_CELLS).fill(null);

export function loadWallState(userId: number): WallState {
  const fallback: WallState = { layout: Number(localStorage.getItem('xuncha.wall.layout')) || 16, cells: emptyCells(), running: false, page: 0 };
  try {
    const raw = JSON.parse(localStorage.getItem(key(userId)) ?? 'null') as Partial<WallState> | null;
    if (!raw || typeof raw !== 'object') return fallback;
    const cells = emptyCells();
    (Array.isArray(raw.cells) ? raw.cells : []).slice(0, MAX_WALL_CELLS).forEach((c, i) => (cells[i] = typeof c === 'number' ? c : null));
    return {
      layout: typeof raw.layout === 'number' && raw.layout > 0 ? raw.layout : fallback.layout,
      cells,
      tourId: typeof raw.tourId === 'number' ? raw.tourId : undefined,
      running: raw.running === true,
      page: typeof raw.page === 'number' && raw.page >= 0 ? raw.page : 0,
    };
  } catch {
    return fallback;
  }
}

export function saveWallState(userId: number, s: WallState): void {
  try {
    localStorage.setItem(key(userId), JSON.stringify(s));
    localStorage.setItem('xuncha.wall.layout', String(s.layout));
  } catch {
    /* storage disabled or full: the wall simply starts empty next time */
  }
}
