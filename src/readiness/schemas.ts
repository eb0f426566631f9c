// zod schemas of the readiness API (issue 17). Bodies are strict: unknown fields are a 400.
import { z } from 'zod';
import { profileSchema } from './profile.ts';

const ms = z.number().int().min(0).max(8_640_000_000_000);
const personName = z.string().trim().min(1, '须填写签字人姓名 (signer name required)').max(64);
const verdict = z.enum(['pass', 'warn', 'fail']);
const probe = z.enum(['online', 'decode', 'profile', 'picture', 'moved', 'audio', 'recording', 'clock', 'device', 'config']);
const checks = z.enum(['full', 'clock']);
const requirement = z.enum(['R-PRE-1', 'R-PRE-5', 'R-PRE-7', 'R-SEC-3', 'R-SEC-8']);

export const contactBody = z.object({ orgNodeId: z.number().int().positive(), name: z.string().trim().min(1).max(64), phone: z.string().trim().min(3).max(32) }).strict();
export const openCampaignBody = z
  .object({
    name: z.string().trim().min(1).max(128),
    orgNodeId: z.number().int().positive().optional(),
    examId: z.number().int().positive().optional(),
    checks,
    deadlineMs: ms,
    contacts: z.array(contactBody).max(500).default([]),
    profile: profileSchema.optional(),
  })
  .strict();
export const probeBody = z.object({ cameraIds: z.array(z.number().int().positive()).max(5000).optional(), roomIds: z.array(z.number().int().positive()).max(5000).optional() }).strict();
export const referenceBody = z.object({ signerName: personName }).strict();
export const templateBody = z
  .object({
    orgNodeId: z.number().int().positive().optional(),
    requirement,
    title: z.string().trim().min(1).max(128),
    checks,
    items: z.array(z.object({ id: z.number().int().positive().optional(), text: z.string().trim().min(1).max(256), per: z.enum(['site', 'workstation']) }).strict()).min(1).max(100),
  })
  .strict();
export const signBody = z
  .object({
    itemId: z.number().int().positive(),
    siteId: z.number().int().positive(),
    subject: z.string().trim().max(64).default(''),
    outcome: z.enum(['ok', 'fail']),
    signerName: personName,
    note: z.string().trim().max(512).optional(),
    // ≤ 160 KiB once decoded (the request body limit is 256 KiB).
    file: z.object({ name: z.string().trim().min(1).max(128), dataBase64: z.string().max(220_000) }).strict().optional(),
  })
  .strict();
export const cameraParam = z.object({ cameraId: z.coerce.number().int().positive() });
export const signatureParam = z.object({ signatureId: z.coerce.number().int().positive() });

export const resultSchema = z.object({ probe, verdict, value: z.string(), rule: z.string(), reason: z.string().nullable(), measuredAtMs: z.number(), measuredAt: z.string(), /** Main-stream bitrate, kbit/s (profile row). */ measuredKbps: z.number().nullable() });
export const cameraResultSchema = z.object({
  cameraId: z.number(),
  cameraName: z.string(),
  roomId: z.number(),
  roomName: z.string(),
  roomKind: z.string(),
  siteId: z.number(),
  siteName: z.string(),
  verdict: z.enum(['pass', 'warn', 'fail', 'unchecked']),
  running: z.boolean(),
  results: z.array(resultSchema),
  reference: z.object({ signerName: z.string(), signedAtMs: z.number(), signedAt: z.string(), stale: z.boolean() }).nullable(),
  hasSnapshot: z.boolean(),
});
export const siteStateSchema = z.object({
  siteId: z.number(),
  siteName: z.string(),
  sitePath: z.string(),
  state: z.enum(['ready', 'not_ready', 'unchecked']),
  reasons: z.array(z.string()),
  cameras: z.object({ total: z.number(), pass: z.number(), warn: z.number(), fail: z.number(), unchecked: z.number() }),
  checklist: z.object({ needed: z.number(), signed: z.number(), failed: z.number() }),
  /** R-PRE-4: every camera's measured main-stream bitrate (all pulled upward at once) against the site's uplink capacity; unset = capacity not entered. */
  bandwidth: z.object({ requiredKbps: z.number(), measuredCameras: z.number(), capacityKbps: z.number().nullable(), verdict: z.enum(['pass', 'warn', 'fail', 'unset']) }),
});
export const uplinkBody = z.object({ capacityKbps: z.number().int().min(1).max(100_000_000) }).strict();
export const siteParam = z.object({ siteId: z.coerce.number().int().positive() });
export const checklistItemSchema = z.object({ itemId: z.number(), templateId: z.number(), requirement: z.string(), title: z.string(), text: z.string(), per: z.enum(['site', 'workstation']) });
export const signatureSchema = z.object({ id: z.number(), itemId: z.number(), siteId: z.number(), subject: z.string(), outcome: z.enum(['ok', 'fail']), signerName: z.string(), signedAtMs: z.number(), signedAt: z.string(), note: z.string().nullable(), fileName: z.string().nullable(), fileSha256: z.string().nullable() });
export const campaignSchema = z.object({
  id: z.number(),
  name: z.string(),
  orgNodeId: z.number(),
  orgNodeName: z.string(),
  examId: z.number().nullable(),
  checks,
  origin: z.enum(['manual', 'timetable']),
  deadlineMs: z.number(),
  deadline: z.string(),
  state: z.enum(['open', 'closed']),
  createdBy: z.string(),
  profile: profileSchema,
  sites: z.array(siteStateSchema),
});
export const campaignDetailSchema = campaignSchema.extend({
  contacts: z.array(z.object({ orgNodeId: z.number(), nodeName: z.string(), name: z.string(), phone: z.string() })),
  cameras: z.array(cameraResultSchema),
  checklistItems: z.array(checklistItemSchema),
  signatures: z.array(signatureSchema),
});
export const templateSchema = z.object({ id: z.number(), orgNodeId: z.number(), orgNodeName: z.string(), requirement: z.string(), title: z.string(), checks, items: z.array(z.object({ id: z.number(), text: z.string(), per: z.enum(['site', 'workstation']) })) });

export type OpenCampaignBody = z.infer<typeof openCampaignBody>;
export type ProbeBody = z.infer<typeof probeBody>;
export type TemplateBody = z.infer<typeof templateBody>;
export type SignBody = z.infer<typeof signBody>;
export type CampaignView = z.infer<typeof campaignSchema>;
export type CampaignDetailView = z.infer<typeof campaignDetailSchema>;
export type CameraResultView = z.infer<typeof cameraResultSchema>;
export type SiteStateView = z.infer<typeof siteStateSchema>;
export type TemplateView = z.infer<typeof templateSchema>;

export const reportedSiteSchema = z.object({
  originCode: z.string(),
  via: z.string(),
  campaignName: z.string().nullable(),
  siteName: z.string(),
  state: z.enum(['ready', 'not_ready', 'unchecked', 'not_reported']),
  lastReportedState: z.enum(['ready', 'not_ready', 'unchecked']).nullable(),
  reasons: z.array(z.string()),
  problems: z.array(
    z.object({
      camera: z.string(),
      room: z.string(),
      verdict: z.enum(['pass', 'warn', 'fail', 'unchecked']),
      reasons: z.array(z.string()),
      /** The probes that are not a pass, with measured value and rule, as the site judged them. */
      results: z.array(z.object({ probe: z.string(), verdict, value: z.string(), rule: z.string(), reason: z.string().nullable() })).optional(),
    }),
  ),
  problemsOmitted: z.number(),
  cameras: siteStateSchema.shape.cameras.nullable(),
  checklist: siteStateSchema.shape.checklist.nullable(),
  bandwidth: siteStateSchema.shape.bandwidth.nullable(),
  probes: z.array(z.object({ probe: z.string(), pass: z.number(), warn: z.number(), fail: z.number() })),
  updatedAtMs: z.number().nullable(),
});

const count = z.number();
export const reportedCampaignSchema = z.object({
  originCode: z.string(),
  stale: z.boolean(),
  updatedAtMs: z.number(),
  campaignId: z.number(),
  name: z.string(),
  orgNodeName: z.string(),
  examId: z.number().nullable(),
  checks,
  origin: z.enum(['manual', 'timetable']),
  deadlineMs: z.number(),
  state: z.enum(['open', 'closed']),
  sites: z.object({ total: count, ready: count, notReady: count, unchecked: count }),
  cameras: z.object({ total: count, checked: count, fail: count }),
  checklist: z.object({ needed: count, signed: count }),
});
