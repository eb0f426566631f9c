// Wire format of the node-to-node channel (docs/design/uplink.md): the batch a lower POSTs to its
// upper, its limits, and the HMAC request signature. Pure: no app imports (fuzzed by scripts/fuzz.ts).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const BATCH_PATH = '/api/uplink/v1/batch';
/** Largest request body the upper accepts (bytes); the sender packs batches below it. */
export const MAX_BATCH_BYTES = 1024 * 1024;
/** Largest body of one item, as JSON text (bytes). */
export const MAX_ITEM_BODY_BYTES = 64 * 1024;
export const MAX_BATCH_ITEMS = 500;
/** A signed request older or newer than this is refused (clock skew + transit), ms. */
export const MAX_SKEW_MS = 5 * 60_000;

export const HEADER = { id: 'x-uplink-id', time: 'x-uplink-time', nonce: 'x-uplink-nonce', signature: 'x-uplink-signature' } as const;

const gbCode = z.string().regex(/^\d{20}$/, 'must be a 20-digit GB code');
export const topicSchema = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'dotted lower-case name').max(64);
export const keySchema = z.string().min(1).max(200);

export const wireItemSchema = z
  .object({
    seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    originCode: gbCode,
    originSeq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    topic: topicSchema,
    key: keySchema,
    /** JSON text of the body, or null (deleted). Text, so that its size is what is checked. */
    body: z.string().max(MAX_ITEM_BODY_BYTES).nullable(),
    updatedAtMs: z.number().int().nonnegative(),
  })
  .strict();

export const wirePeerSchema = z
  .object({
    code: gbCode,
    name: z.string().max(128),
    /** Last contact of that peer with the sender, ms since epoch; null = never. */
    lastReceivedAtMs: z.number().int().nonnegative().nullable(),
    backlog: z.number().int().nonnegative().nullable(),
    stale: z.boolean(),
  })
  .strict();

export const batchSchema = z
  .object({
    v: z.literal(1),
    /** The sender's counter id; a new one (database recreated) resets the upper's watermark. */
    epoch: z.string().regex(/^[0-9a-f]{8,32}$/),
    items: z.array(wireItemSchema).max(MAX_BATCH_ITEMS),
    /** Items the sender still has queued after this batch. */
    backlog: z.number().int().nonnegative(),
    /** The sender's own lowers (direct and indirect) with their freshness, for the levels above. */
    peers: z.array(wirePeerSchema).max(2000),
    /** Downward answers (migration 0034): the last down sequence the sender handled, and the upper epoch it counts in. */
    downAck: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    downEpoch: z.string().regex(/^[0-9a-f]{8,32}$/).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    for (let i = 1; i < b.items.length; i++) {
      if (b.items[i].seq <= b.items[i - 1].seq) ctx.addIssue({ code: 'custom', path: ['items', i, 'seq'], message: 'sequence numbers must increase' });
    }
  });

/**
 * A message for the lower (or a node below it), carried in the upper's answer to a batch. The answer
 * itself is not authenticated (plain HTTP is allowed), so each message is signed with the lower's
 * channel key: a forged or altered one is refused by the lower.
 */
export const downItemSchema = z
  .object({
    seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    originCode: gbCode,
    topic: topicSchema,
    key: keySchema,
    body: z.string().max(MAX_ITEM_BODY_BYTES),
    signature: z.string().max(128),
  })
  .strict();
export const MAX_DOWN_ITEMS = 100;
export const downAnswerSchema = z.object({ downEpoch: z.string().regex(/^[0-9a-f]{8,32}$/), down: z.array(downItemSchema).max(MAX_DOWN_ITEMS) });
export type DownItem = z.infer<typeof downItemSchema>;

function downText(epoch: string, d: Omit<DownItem, 'signature'>): string {
  return `DOWN\n${epoch}\n${d.seq}\n${d.originCode}\n${d.topic}\n${d.key}\n${createHash('sha256').update(d.body).digest('hex')}`;
}

export function signDown(key: Buffer, epoch: string, d: Omit<DownItem, 'signature'>): string {
  return createHmac('sha256', key).update(downText(epoch, d)).digest('hex');
}

export function downSignatureMatches(key: Buffer, epoch: string, d: DownItem): boolean {
  if (!/^[0-9a-f]{64}$/.test(d.signature)) return false;
  return timingSafeEqual(Buffer.from(signDown(key, epoch, d), 'hex'), Buffer.from(d.signature, 'hex'));
}

export type WireItem = z.infer<typeof wireItemSchema>;
export type WirePeer = z.infer<typeof wirePeerSchema>;
export type Batch = z.infer<typeof batchSchema>;

export type ParseResult = { ok: true; batch: Batch } | { ok: false; error: string };

/** Parses a request body (bytes as received) into a batch, or says why not. Never throws. */
export function parseBatch(raw: Buffer): ParseResult {
  if (raw.length > MAX_BATCH_BYTES) return { ok: false, error: `body larger than ${MAX_BATCH_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, error: 'body is not JSON' };
  }
  const r = batchSchema.safeParse(json);
  if (!r.success) return { ok: false, error: r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') };
  for (const it of r.data.items) {
    if (it.body === null) continue;
    if (Buffer.byteLength(it.body) > MAX_ITEM_BODY_BYTES) return { ok: false, error: `item ${it.seq}: body over ${MAX_ITEM_BODY_BYTES} bytes` };
    try {
      JSON.parse(it.body);
    } catch {
      return { ok: false, error: `item ${it.seq}: body is not JSON text` };
    }
  }
  return { ok: true, batch: r.data };
}

/**
 * The channel key of a lower: derived from the HA1 the upper already stores for its GB/T 28181
 * registration (MD5(id:realm:password), realm = the upper's SIP domain), which the lower computes
 * from its configured password. The password itself never travels.
 */
export function channelKey(ha1: string): Buffer {
  return createHmac('sha256', Buffer.from(ha1.toLowerCase(), 'utf8')).update('xuncha uplink v1').digest();
}

export interface SignedFields {
  method: string;
  path: string;
  id: string;
  timeMs: number;
  nonce: string;
}

export function signRequest(key: Buffer, f: SignedFields, body: Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', key).update(`${f.method.toUpperCase()}\n${f.path}\n${f.id}\n${f.timeMs}\n${f.nonce}\n${bodyHash}`).digest('hex');
}

export function signatureMatches(key: Buffer, f: SignedFields, body: Buffer, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  return timingSafeEqual(Buffer.from(signRequest(key, f, body), 'hex'), Buffer.from(signature, 'hex'));
}

/** Reads the signature headers; undefined when any is missing or malformed. */
export function readAuthHeaders(get: (name: string) => string | undefined): { id: string; timeMs: number; nonce: string; signature: string } | undefined {
  const id = get(HEADER.id);
  const time = get(HEADER.time);
  const nonce = get(HEADER.nonce);
  const signature = get(HEADER.signature);
  if (!id || !time || !nonce || !signature) return undefined;
  if (!/^\d{20}$/.test(id) || !/^\d{1,15}$/.test(time) || !/^[0-9a-f]{16,64}$/.test(nonce)) return undefined;
  return { id, timeMs: Number(time), nonce, signature: signature.toLowerCase() };
}
