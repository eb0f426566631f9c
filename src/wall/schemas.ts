// zod schemas of the wall API (/api/wall): the user's current wall and named wall layouts. Bodies
// are strict: an unknown field is a 400.
import { z } from 'zod';
import { TOUR_LAYOUTS } from '../tours/schemas.ts';
import { nameSchema } from '../util/text.ts';
import { LAYOUT_ERROR, MAX_WALL_CELLS } from './layouts.ts';

const layoutTiles = z.literal([...TOUR_LAYOUTS], { error: LAYOUT_ERROR });
/** Tile index → camera id, or null for an empty tile. */
const cells = z.array(z.number().int().positive().nullable()).max(MAX_WALL_CELLS);

export const wallStateBody = z
  .object({
    layoutTiles,
    cells,
    /** The patrol tour chosen on the wall, or null. */
    tourId: z.number().int().positive().nullable(),
    /** The tour is paging (not paused). */
    running: z.boolean(),
    /** 0-based page of the tour shown. */
    page: z.number().int().min(0).max(10_000),
  })
  .strict();
export type WallStateBody = z.infer<typeof wallStateBody>;

export const wallStateSchema = z.object({ layoutTiles: z.number(), cells: z.array(z.number().nullable()), tourId: z.number().nullable(), running: z.boolean(), page: z.number(), updatedAtMs: z.number() });
export const wallStateAnswer = z.object({ state: wallStateSchema.nullable() });

export const wallLayoutBody = z
  .object({
    name: nameSchema(64),
    layoutTiles,
    cells,
    /** Org node the layout belongs to; the caller's own node when left out. */
    orgNodeId: z.number().int().positive().optional(),
    shared: z.boolean().default(false),
  })
  .strict();
export type WallLayoutBody = z.infer<typeof wallLayoutBody>;

export const wallLayoutSchema = z.object({
  id: z.number(),
  name: z.string(),
  layoutTiles: z.number(),
  /** Only cameras the viewer may see; others are null. */
  cells: z.array(z.number().nullable()),
  orgNodeId: z.number(),
  orgNodeName: z.string(),
  ownerId: z.number(),
  ownerName: z.string(),
  shared: z.boolean(),
  /** The caller may change or delete it (owner, or an administrator of its node when shared). */
  canEdit: z.boolean(),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
});
