// zod schemas of the exam API. Bodies are strict: unknown fields are a 400.
import { z } from 'zod';
import { nameSchema } from '../util/text.ts';

const name = nameSchema(128);
const ms = z.number().int().min(0).max(8_640_000_000_000);
export const examKindSchema = z.enum(['gaokao', 'postgrad', 'self_study', 'adult', 'proficiency', 'other']);
const source = z.enum(['default', 'sealed', 'custody', 'edited']);
const roomKind = z.enum(['exam', 'lab', 'affairs', 'secrecy', 'monitoring', 'other']);
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const sessionRoomParam = z.object({ id: z.coerce.number().int().positive(), roomId: z.coerce.number().int().positive() });
export const siteParam = z.object({ siteId: z.coerce.number().int().positive() });
export const reportQuery = z.object({ sessionId: z.coerce.number().int().positive().optional() }).strict();
export const windowsQuery = z.object({ sessionId: z.coerce.number().int().positive().optional(), siteId: z.coerce.number().int().positive().optional() }).strict();
export const alarmQuery = z
  .object({
    open: z.enum(['true', 'false']).optional(),
    sessionId: z.coerce.number().int().positive().optional(),
    kind: z.enum(['recording_gap', 'camera_not_ready', 'ptz_refused']).optional(),
    fromMs: z.coerce.number().int().min(0).optional(),
    toMs: z.coerce.number().int().min(0).optional(),
    siteId: z.coerce.number().int().positive().optional(),
    acked: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

/** 处置意见 (issue 14): required by the console, optional for older clients. */
export const ackBody = z.object({ disposition: z.string().max(500).optional() }).strict().nullish();

export const createExamBody = z.object({ name, kind: examKindSchema, ownerNodeId: z.number().int().positive().optional(), retentionDays: z.number().int().min(1).max(3650).optional() }).strict();
export const updateExamBody = z.object({ name: name.optional(), kind: examKindSchema.optional(), retentionDays: z.number().int().min(1).max(3650).optional() }).strict();
export const sitesBody = z.object({ sites: z.array(z.object({ siteId: z.number().int().positive(), roomIds: z.array(z.number().int().positive()).max(500).optional() }).strict()).max(5000), confirm: z.boolean().optional() }).strict();
export const sessionBody = z.object({ subject: z.string().trim().min(1).max(64), startMs: ms, endMs: ms }).strict();
export const updateSessionBody = sessionBody.partial().strict();
export const editWindowBody = z.object({ startMs: ms.optional(), endMs: ms.optional() }).strict();
export const custodyBody = z.object({ event: z.enum(['arrived', 'left']) }).strict();
export const settingsBody = z
  .object({ examLeadMin: z.number().int().min(0).max(240), examTrailMin: z.number().int().min(0).max(240), custodyLeadMin: z.number().int().min(0).max(720), custodyTrailMin: z.number().int().min(0).max(720) })
  .strict();
export const importBody = z.object({ format: z.enum(['csv', 'xlsx']), dataBase64: z.string().max(2_800_000) }).strict();

export const sessionSchema = z.object({ id: z.number(), examId: z.number(), subject: z.string(), startMs: z.number(), endMs: z.number(), start: z.string(), end: z.string() });
export const examSchema = z.object({
  id: z.number(),
  name: z.string(),
  kind: examKindSchema,
  national: z.boolean(),
  ownerNodeId: z.number(),
  ownerNodeName: z.string(),
  retentionDays: z.number(),
  createdBy: z.string(),
  createdAtMs: z.number(),
  sites: z.array(z.object({ siteId: z.number(), name: z.string() })),
  selectedRoomIds: z.array(z.number()),
  sessions: z.array(sessionSchema),
});
export const windowSchema = z.object({
  id: z.number(),
  sessionId: z.number(),
  subject: z.string(),
  roomId: z.number(),
  roomName: z.string(),
  roomKind: roomKind,
  siteId: z.number(),
  siteName: z.string(),
  kind: z.enum(['exam', 'custody']),
  startMs: z.number(),
  endMs: z.number(),
  start: z.string(),
  end: z.string(),
  startSource: source,
  endSource: source,
  sealedBy: z.string().nullable(),
  sealedAtMs: z.number().nullable(),
  editedBy: z.string().nullable(),
});
export const alarmSchema = z.object({
  id: z.number(),
  kind: z.enum(['recording_gap', 'camera_not_ready', 'ptz_refused']),
  cameraId: z.number(),
  roomId: z.number(),
  siteId: z.number(),
  sessionId: z.number().nullable(),
  raisedAtMs: z.number(),
  gapStartMs: z.number().nullable(),
  gapEndMs: z.number().nullable(),
  clearedAtMs: z.number().nullable(),
  reason: z.string(),
  detail: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedByName: z.string().nullable(),
  acknowledgedAtMs: z.number().nullable(),
  disposition: z.string().nullable(),
  siteName: z.string().optional(),
  roomName: z.string().nullable().optional(),
  cameraName: z.string().nullable().optional(),
});
const gapSchema = z.object({ startMs: z.number(), endMs: z.number(), lengthMs: z.number(), reason: z.string(), ongoing: z.boolean() });
export const reportSchema = z.object({
  exam: z.object({ id: z.number(), name: z.string(), kind: examKindSchema, retentionDays: z.number() }),
  sessions: z.array(sessionSchema),
  generatedAtMs: z.number(),
  provisional: z.boolean(),
  lines: z.array(
    z.object({
      sessionId: z.number(),
      subject: z.string(),
      siteId: z.number(),
      siteName: z.string(),
      districtId: z.number().nullable(),
      districtName: z.string(),
      cityId: z.number().nullable(),
      cityName: z.string(),
      roomId: z.number(),
      roomName: z.string(),
      roomKind: roomKind,
      windowKind: z.enum(['exam', 'custody']),
      endSource: source,
      cameraId: z.number().nullable(),
      cameraName: z.string(),
      windowStartMs: z.number(),
      windowEndMs: z.number(),
      evaluatedEndMs: z.number(),
      requiredMs: z.number(),
      recordedMs: z.number(),
      coverage: z.number(),
      gaps: z.array(gapSchema),
      inProgress: z.boolean(),
    }),
  ),
  rollups: z.array(z.object({ level: z.enum(['site', 'district', 'city']), nodeId: z.number(), name: z.string(), cameras: z.number(), requiredMs: z.number(), recordedMs: z.number(), coverage: z.number(), worstCoverage: z.number(), gaps: z.number(), gapMs: z.number() })),
});
