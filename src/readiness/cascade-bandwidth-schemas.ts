// API schemas of the bandwidth measured through the cascade (R-PRE-4; routes in
// src/api/routes/readiness.ts). The view type is the service's (CascadeBandwidthView).
import { z } from 'zod';
import { MAX_STREAMS } from './cascade-bandwidth.ts';

export const cascadeBandwidthBody = z.object({
  /** Measuring window, ms (2 s .. 60 s; default 10 s). */
  durationMs: z.number().int().min(2000).max(60_000).optional(),
  /** What the lower must carry, kbit/s, when the operator states it; default: what its sites reported. */
  requiredKbps: z.number().int().min(1).max(10_000_000).optional(),
});

const streamSchema = z.object({ channel: z.string(), kbps: z.number(), packets: z.number(), lost: z.number(), lossPercent: z.number(), jitterMs: z.number(), error: z.string().nullable() });

export const cascadeBandwidthSchema = z.object({
  lowerId: z.number(), lowerName: z.string(), lowerSipId: z.string(), measuredAtMs: z.number(), durationMs: z.number(),
  streams: z.number().max(MAX_STREAMS), channelsTotal: z.number(), achievedKbps: z.number(), requiredKbps: z.number().nullable(),
  lossPercent: z.number(), jitterMs: z.number(), verdict: z.enum(['pass', 'warn', 'fail']), rule: z.string(), reason: z.string().nullable(),
  perStream: z.array(streamSchema), measuredBy: z.string(),
});

/** A measurement as reported on the node-to-node channel (this level's and lower levels', R-PRE-2). */
export const reportedBandwidthSchema = cascadeBandwidthSchema.extend({ measuredAt: z.string(), originCode: z.string(), stale: z.boolean(), updatedAtMs: z.number() });
