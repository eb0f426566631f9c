// Wall and tour layouts: tiles per page (a square grid). Shared by the server's schemas and the
// console (a value import with no dependencies, so the console bundle takes nothing else).
// 64 is the city patrol centre's overview of many rooms (issue 16): from OVERVIEW_MIN_TILES the
// wall shows keyframes only, full rate for the tile clicked (src/live/rate.ts).
export const WALL_LAYOUTS = [1, 4, 9, 16, 25, 36, 64] as const;
/** Tiles a wall can show at most; a wall's `cells` has at most this many entries. */
export const MAX_WALL_CELLS = 64;
/** Chinese and English, for the refusal of any other number. */
export const LAYOUT_ERROR = '画面数须为 1/4/9/16/25/36/64 (1, 4, 9, 16, 25, 36 or 64 tiles)';
