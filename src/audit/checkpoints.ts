// Audit checkpoints (issue 13 item 3, docs/design/security.md): the signed head sent upward over
// the node-to-node channel at intervals and on demand, and the parser of what the upper level
// gives back (its `GET /api/uplink/items?topic=audit.checkpoint` answer, or a plain list).
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../store/schema.ts';
import { repos } from '../store/repos/index.ts';
import type { AuditCheckpoint, AuditService, CheckpointClaim } from './audit-service.ts';

export const CHECKPOINT_TOPIC = 'audit.checkpoint';
/** Largest checkpoint file read (bytes): a year of 5-minute checkpoints is about 20 MB. */
export const MAX_CHECKPOINT_FILE_BYTES = 64 * 1024 * 1024;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const claimSchema = z.object({
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  hash: hex64,
  atMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  mac: hex64.optional(),
});
const uplinkItemSchema = z.object({
  originCode: z.string().max(32),
  topic: z.string().max(64),
  body: z.unknown(),
});

export interface ParsedCheckpoints {
  claims: CheckpointClaim[];
  /** Items of other topics or origins skipped. */
  skipped: number;
}

/**
 * Reads checkpoints from JSON text: an array (or `{items: [...]}`) of uplink item views
 * (`{originCode, topic, body}`; body as object or JSON text) or of bare `{seq, hash, atMs?, mac?}`.
 * `originCode`, when given, keeps only that origin's items. Throws on anything else.
 */
export function parseCheckpoints(text: string, originCode?: string): ParsedCheckpoints {
  if (Buffer.byteLength(text) > MAX_CHECKPOINT_FILE_BYTES) throw new Error(`checkpoint file over ${MAX_CHECKPOINT_FILE_BYTES} bytes`);
  const doc: unknown = JSON.parse(text);
  const list = Array.isArray(doc) ? doc : doc !== null && typeof doc === 'object' && Array.isArray((doc as { items?: unknown }).items) ? (doc as { items: unknown[] }).items : undefined;
  if (!list) throw new Error('expected a JSON array of checkpoints or {items: [...]}');
  const claims: CheckpointClaim[] = [];
  let skipped = 0;
  list.forEach((entry: unknown, i) => {
    const item = uplinkItemSchema.safeParse(entry);
    let candidate: unknown = entry;
    if (item.success && entry !== null && typeof entry === 'object' && 'topic' in entry) {
      if (item.data.topic !== CHECKPOINT_TOPIC || (originCode !== undefined && item.data.originCode !== originCode)) {
        skipped++;
        return;
      }
      candidate = typeof item.data.body === 'string' ? JSON.parse(item.data.body) : item.data.body;
    }
    const claim = claimSchema.safeParse(candidate);
    if (!claim.success) throw new Error(`entry ${i}: not a checkpoint (${claim.error.issues[0]?.message ?? 'invalid'})`);
    claims.push(claim.data);
  });
  return { claims, skipped };
}

export interface CheckpointerDeps {
  audit: AuditService;
  /** Record number of the last checkpoint this node published (null: none yet), linked into the next. */
  lastPublishedSeq: () => Promise<number | null>;
  /** Sends one checkpoint upward (uplink publish in its own transaction). */
  publish: (cp: AuditCheckpoint) => Promise<void>;
  log: { info: (o: object, msg: string) => void; warn: (o: object, msg: string) => void };
  intervalMs: number;
}

/** Publishes the signed head at intervals when it moved, and on demand. */
export class AuditCheckpointer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastSeq = -1;

  constructor(private readonly d: CheckpointerDeps) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.running = this.checkpoint(false).then(() => undefined, (err: unknown) => this.d.log.warn({ err }, 'audit checkpoint not published'));
    };
    this.timer = setInterval(tick, this.d.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Publishes the current head; unless forced, only when it moved since the last one. */
  async checkpoint(force: boolean): Promise<AuditCheckpoint | null> {
    const cp = await this.d.audit.checkpoint(await this.d.lastPublishedSeq());
    if (!force && cp.seq === this.lastSeq) return null;
    await this.d.publish(cp);
    this.lastSeq = cp.seq;
    this.d.log.info({ seq: cp.seq }, `审计检查点已上报 audit checkpoint at record ${cp.seq} queued for the upper level`);
    return cp;
  }
}

/** The record number of this node's last published checkpoint, from its own uplink items. */
export async function lastPublishedCheckpointSeq(db: Kysely<Database>): Promise<number | null> {
  const row = await repos(db).uplink.lastOwnItem(CHECKPOINT_TOPIC);
  if (!row?.body) return null;
  const seq = (JSON.parse(row.body) as { seq?: unknown }).seq;
  return typeof seq === 'number' ? seq : null;
}

/** Uplink key of a checkpoint: zero-padded so that items sort by sequence. */
export function checkpointKey(seq: number): string {
  return String(seq).padStart(16, '0');
}
