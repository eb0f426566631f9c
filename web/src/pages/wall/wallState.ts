// What the wall shows (layout, tiles, chosen tour, running, page), kept per user in this browser so
// that going to 录像回放 and back, or reloading, brings the same wall back (issue 14 item 1).
import { MAX_WALL_CELLS } from '../../../../src/wall/layouts.ts';

export interface WallState {
  layout: number;
  cells: (number | null)[];
  tourId?: number;
  running: boolean;
  page: number;
  /**
   * Changed here and not yet confirmed by the server (the delayed save had not been answered when
   * the page was left or reloaded): this copy then wins over the server's older one.
   */
  unsaved?: boolean;
}

/** What the server keeps of a wall, comparable between this browser's copy and the server's. */
export function wallKey(s: { layout: number; cells: (number | null)[]; tourId?: number | null; running: boolean; page: number }): string {
  const cells = s.cells.slice(0, MAX_WALL_CELLS);
  while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
  return JSON.stringify([s.layout, cells, s.tourId ?? null, s.running, s.page]);
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
      unsaved: raw.unsaved === true,
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
