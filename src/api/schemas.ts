// zod schemas of API bodies and answers. Bodies are strict: an unknown field is a 400, not
// silently ignored.
import { nameSchema } from '../util/text.ts';
import { z } from 'zod';

export const roleSchema = z.enum(['admin', 'operator', 'leader', 'inspector']);
export const nodeKindSchema = z.enum(['province', 'city', 'district', 'site']);
export const roomKindSchema = z.enum(['exam', 'lab', 'affairs', 'secrecy', 'monitoring', 'other']);
export const positionSchema = z.enum(['front', 'rear', 'other']);
export const sourceKindSchema = z.enum(['rtsp', 'onvif', 'gb28181']);
export const idParam = z.object({ id: z.coerce.number().int().positive() });
/** Names: printable text only — no NUL, control characters, newlines, bidi overrides or lone surrogates (issue 13). */
export const name = nameSchema(128);
const gbCode = z.string().regex(/^\d{20}$/, '国标编码必须是20位数字 (20 digits)');

export const errorSchema = z.object({ error: z.string(), message: z.string(), details: z.unknown().optional() });

export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  orgNodeId: z.number(),
  orgNodeName: z.string(),
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  mustChangePassword: z.boolean(),
  lockedUntilMs: z.number().nullable(),
  createdAtMs: z.number(),
});

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().regex(/^\d{6}$/).optional() }).strict();
/** node: this installation's name and level (省级/市级/考点), shown in the console's title and header. */
export const nodeIdentitySchema = z.object({ name: z.string(), kind: z.enum(['province', 'city', 'district', 'site']), levelLabel: z.string() });
export const sessionAnswer = z.object({ user: userSchema, csrfToken: z.string(), node: nodeIdentitySchema.optional() });

export const cameraSchema = z.object({
  id: z.number(),
  roomId: z.number(),
  name: z.string(),
  position: positionSchema,
  sourceKind: sourceKindSchema,
  gbCode: z.string(),
  mainStream: z.string(),
  subStream: z.string(),
  hasCredentials: z.boolean(),
});
export const roomSchema = z.object({ id: z.number(), siteId: z.number(), kind: roomKindSchema, name: z.string(), seats: z.number(), gbCode: z.string(), cameras: z.array(cameraSchema) });
export const nodeSchema = z.object({ id: z.number(), parentId: z.number().nullable(), kind: nodeKindSchema, name: z.string(), gbCode: z.string(), regionCode: z.string(), rooms: z.array(roomSchema).optional() });

export const createNodeBody = z.object({ parentId: z.number().int().positive(), kind: nodeKindSchema, name, regionCode: z.string().regex(/^\d{6}$/).optional(), gbCode: gbCode.optional() }).strict();
export const updateNodeBody = z.object({ name: name.optional(), parentId: z.number().int().positive().optional() }).strict();
export const createRoomBody = z.object({ siteId: z.number().int().positive(), kind: roomKindSchema, name, seats: z.number().int().min(0).max(1000), gbCode: gbCode.optional() }).strict();
export const updateRoomBody = z.object({ siteId: z.number().int().positive().optional(), kind: roomKindSchema.optional(), name: name.optional(), seats: z.number().int().min(0).max(1000).optional() }).strict();
const streamPath = z.string().max(512);
const cameraFields = {
  roomId: z.number().int().positive(),
  name,
  position: positionSchema,
  sourceKind: sourceKindSchema,
  gbCode: gbCode.optional(),
  mainStream: streamPath,
  subStream: streamPath,
  host: z.string().max(255).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  username: z.string().max(64).optional(),
  password: z.string().max(128).optional(),
  onvifUrl: z.union([z.literal(''), z.string().max(255).regex(/^https?:\/\/[^\s]+$/i, 'ONVIF 地址须为 http(s)://… (ONVIF URL must be http or https)')]).optional(),
};
export const createCameraBody = z.object(cameraFields).strict();
export const updateCameraBody = z.object(cameraFields).partial().strict();
export const revealAnswer = z.object({ host: z.string(), port: z.number(), username: z.string(), password: z.string(), mainStream: z.string(), subStream: z.string(), onvifUrl: z.string().optional() });

export const createUserBody = z.object({ username: z.string().min(3).max(64), displayName: name, role: roleSchema, orgNodeId: z.number().int().positive(), password: z.string().min(1).max(128) }).strict();
export const updateUserBody = z.object({ displayName: name.optional(), role: roleSchema.optional(), orgNodeId: z.number().int().positive().optional(), disabled: z.boolean().optional(), password: z.string().min(1).max(128).optional() }).strict();

export const auditQuery = z
  .object({
    fromMs: z.coerce.number().int().optional(),
    toMs: z.coerce.number().int().optional(),
    username: z.string().max(64).optional(),
    action: z.string().regex(/^[a-z.]{1,64}$/, 'action: lower-case letters and dots').optional(),
    objectType: z.string().regex(/^[a-z_]{1,32}$/).optional(),
    outcome: z.enum(['ok', 'denied', 'error']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export const auditRecordSchema = z.object({
  seq: z.number(),
  atMs: z.number(),
  username: z.string(),
  role: z.string(),
  ip: z.string(),
  workstation: z.string(),
  action: z.string(),
  objectType: z.string(),
  objectId: z.string(),
  outcome: z.enum(['ok', 'denied', 'error']),
  detail: z.unknown().nullable(),
  /** The object's name as recorded at the time (issue 14 item 17), '' when none. */
  objectName: z.string(),
});
