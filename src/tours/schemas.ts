// zod schemas of the patrol tour API (/api/tours). Bodies are strict: an unknown field is a 400.
import { z } from 'zod';
import { nameSchema } from '../util/text.ts';
import { LAYOUT_ERROR, WALL_LAYOUTS } from '../wall/layouts.ts';

export const TOUR_LAYOUTS = WALL_LAYOUTS;
export const MAX_TOUR_ITEMS = 200;

export const tourItemKind = z.enum(['camera', 'room', 'all-exam-rooms']);

const item = z
  .object({ kind: tourItemKind, refId: z.number().int().positive().nullable().optional() })
  .strict()
  .refine((v) => (v.kind === 'all-exam-rooms') === (v.refId === undefined || v.refId === null), { message: 'camera/room 需要 refId，all-exam-rooms 不需要 (refId required for camera and room only)' });

export const tourBody = z
  .object({
    name: nameSchema(64),
    /** Seconds each page stays on the wall. */
    intervalS: z.number().int().min(5).max(3600),
    /** Tiles per page while the tour runs. */
    layoutTiles: z.literal([...TOUR_LAYOUTS], { error: LAYOUT_ERROR }),
    /** Org node the tour belongs to; the caller's own node when left out. */
    orgNodeId: z.number().int().positive().optional(),
    shared: z.boolean().default(false),
    items: z.array(item).min(1).max(MAX_TOUR_ITEMS),
  })
  .strict();
export type TourBody = z.infer<typeof tourBody>;

export const tourItemSchema = z.object({ kind: tourItemKind, refId: z.number().nullable(), label: z.string().nullable() });
export const tourSchema = z.object({
  id: z.number(),
  name: z.string(),
  intervalS: z.number(),
  layoutTiles: z.number(),
  orgNodeId: z.number(),
  orgNodeName: z.string(),
  ownerId: z.number(),
  ownerName: z.string(),
  shared: z.boolean(),
  /** The caller may change or delete it (owner, or an administrator of its node when shared). */
  canEdit: z.boolean(),
  items: z.array(tourItemSchema),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
});
export const tourCameraSchema = z.object({ id: z.number(), name: z.string(), roomId: z.number(), roomName: z.string(), roomKind: z.string(), siteId: z.number(), siteName: z.string() });
export const tourCamerasAnswer = z.object({ tourId: z.number(), cameras: z.array(tourCameraSchema) });
