// The node-to-node channel's service API (/UPLINK.md, docs/design/uplink.md): publish an item in
// the caller's transaction, list items of a topic within the actor's scope, and the freshness of
// every lower level. Transport lives in sender.ts (lower side) and receiver.ts (upper side).
import type { Kysely } from 'kysely';
import type { App } from '../app.ts';
import type { Actor } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import type { Database } from '../store/schema.ts';
import { repos } from '../store/repos/index.ts';
import { AppError } from '../util/errors.ts';
import { MAX_ITEM_BODY_BYTES, keySchema, topicSchema } from './wire.ts';
import type { WirePeer } from './wire.ts';

export type UplinkApp = Pick<App, 'config' | 'store' | 'audit' | 'clock' | 'log' | 'events'>;

export interface PublishInput {
  topic: string;
  key: string;
  /** JSON-serialisable; null = deleted. At most 64 KiB as JSON. */
  body: unknown;
  /** Org path ('/1/4/9/') of the node the item belongs to: its GB code becomes the origin code. */
  scopePath: string;
}

export interface UplinkItemView {
  originCode: string;
  topic: string;
  key: string;
  body: unknown;
  /** When the origin wrote it, ms since epoch. */
  updatedAtMs: number;
  /** When this node stored it, ms since epoch. */
  receivedAtMs: number;
  /** Org path at this node. */
  scopePath: string;
  /** It came through a lower whose channel is stale now: the value may be out of date. */
  stale: boolean;
  /** lower_platform id of the direct lower it came through; null for this node's own items. */
  viaLowerId: number | null;
}

export interface UplinkPeerView {
  /** SIP id of a direct lower; for an indirect one, the code its middle level reported. */
  code: string;
  name: string;
  /** lower_platform id for a direct lower; null for an indirect one. */
  lowerId: number | null;
  /** Code of the direct lower it is reached through; null for a direct lower. */
  viaCode: string | null;
  /** Last batch or heartbeat received (direct) or reported by the middle (indirect), ms since epoch; null = never. */
  lastReceivedAtMs: number | null;
  /** Items it still had queued; null = unknown. */
  backlog: number | null;
  itemsReceived: number | null;
  /** Silent longer than the threshold, never heard, or reached through a stale middle. Never shown healthy then. */
  stale: boolean;
}

export interface UplinkListFilter {
  topic: string;
  originCode?: string;
  updatedSinceMs?: number;
}

export interface UplinkServiceDeps {
  app: UplinkApp;
  /** Whether publishes are queued for an upper (a channel URL is configured). */
  queueing: () => boolean;
  staleAfterMs: number;
  /** Called after a publish commits, to send without waiting for the next poll. */
  kick?: () => void;
}

/** A module's handler of messages from above (docs/design/uplink.md "Downward by answer"). */
export interface DownHandler {
  /** A verified message addressed to one of this node's own org nodes. Throwing leaves it for the next answer. */
  handle(msg: { originCode: string; topic: string; key: string; body: unknown; upperId: string }): Promise<void>;
  /** True while this module waits for an answer from above (the sender then asks every 2 s, not every 30 s). */
  waiting?(): Promise<boolean>;
}

export interface SendDownInput {
  /** lower_platform.id of the direct lower it goes to (UplinkItemView.viaLowerId of the item it answers). */
  lowerId: number;
  /** The node it is addressed to: the origin code of the item it answers. */
  originCode: string;
  topic: string;
  key: string;
  body: unknown;
}

export class UplinkService {
  private readonly downHandlers = new Map<string, DownHandler>();

  constructor(private readonly d: UplinkServiceDeps) {}

  /** Registers the handler of one downward topic (one per topic; the last registration wins). */
  onDown(topic: string, handler: DownHandler): void {
    this.downHandlers.set(topic, handler);
  }

  downHandler(topic: string): DownHandler | undefined {
    return this.downHandlers.get(topic);
  }

  async downWaiting(): Promise<boolean> {
    for (const h of this.downHandlers.values()) if (await h.waiting?.()) return true;
    return false;
  }

  /**
   * Upper side: a message for a lower (or a node below it), inside `trx`; handed out, signed with
   * that lower's channel key, in the answer to its next batch. One per (lower, origin, topic, key):
   * false when one was already sent.
   */
  async sendDown(trx: Kysely<Database>, input: SendDownInput): Promise<boolean> {
    const topic = topicSchema.safeParse(input.topic);
    const key = keySchema.safeParse(input.key);
    if (!topic.success || !key.success || !/^\d{20}$/.test(input.originCode)) throw new AppError('invalid_input', `下发条目无效 (invalid downward message): ${input.topic}/${input.key}`);
    const body = JSON.stringify(input.body);
    if (Buffer.byteLength(body) > MAX_ITEM_BODY_BYTES) throw new AppError('invalid_input', `下发条目过大 (downward message over ${MAX_ITEM_BODY_BYTES} bytes)`);
    const id = await repos(trx).uplink.insertDown({ lower_id: input.lowerId, origin_code: input.originCode, topic: input.topic, item_key: input.key, body, created_at_ms: this.d.app.clock.nowMs() });
    return id !== undefined;
  }

  /** Upper side: the message sent for (origin, topic, key), if any. */
  async sentDown(originCode: string, topic: string, key: string): Promise<{ body: unknown; createdAtMs: number } | undefined> {
    const row = await repos(this.d.app.store.db).uplink.downOf(originCode, topic, key);
    return row ? { body: JSON.parse(row.body) as unknown, createdAtMs: Number(row.created_at_ms) } : undefined;
  }

  /**
   * Queues an item for every level above, inside `trx`: it is sent if and only if the caller's
   * change commits. Stored locally as this node's own item too. Returns the origin sequence.
   */
  async publish(trx: Kysely<Database>, input: PublishInput): Promise<{ originCode: string; originSeq: number }> {
    const topic = topicSchema.safeParse(input.topic);
    const key = keySchema.safeParse(input.key);
    if (!topic.success || !key.success) throw new AppError('invalid_input', `上报条目无效 (invalid uplink item): topic "${input.topic}", key "${input.key}"`);
    const body = input.body === null || input.body === undefined ? null : JSON.stringify(input.body);
    if (body !== null && Buffer.byteLength(body) > MAX_ITEM_BODY_BYTES) throw new AppError('invalid_input', `上报条目过大 (uplink item body over ${MAX_ITEM_BODY_BYTES} bytes): ${input.topic}/${input.key}`);
    const r = repos(trx).uplink;
    const node = await r.nodeByPath(input.scopePath);
    if (!node) throw new AppError('invalid_input', `组织节点不存在 (no org node at ${input.scopePath})`);
    const now = this.d.app.clock.nowMs();
    const { seq } = await r.nextSeq();
    await r.upsertItem({ origin_code: node.gb_code, topic: input.topic, item_key: input.key, body, origin_seq: seq, updated_at_ms: now, received_at_ms: now, scope_path: node.path, via_lower_id: null });
    if (this.d.queueing()) await r.enqueue({ seq, origin_code: node.gb_code, topic: input.topic, item_key: input.key, body, origin_seq: seq, updated_at_ms: now, created_at_ms: now });
    return { originCode: node.gb_code, originSeq: seq };
  }

  /** publish() in a transaction of its own (for callers with nothing else to commit). */
  async publishNow(input: PublishInput): Promise<{ originCode: string; originSeq: number }> {
    const r = await this.d.app.store.db.transaction().execute((trx) => this.publish(trx, input));
    this.d.kick?.();
    return r;
  }

  /** Items of a topic visible to the actor: own and every level below, filtered by scope in the repository. */
  async list(actor: Actor, f: UplinkListFilter): Promise<UplinkItemView[]> {
    await requirePermission(this.d.app.audit, actor, 'org.read', 'uplink.read', 'uplink_item', f.topic);
    const r = repos(this.d.app.store.db).uplink;
    const [rows, peers] = await Promise.all([r.listItems(actor.scope, f), r.listPeers({ kind: 'all' })]);
    const now = this.d.app.clock.nowMs();
    const staleLower = new Set(peers.filter((p) => this.isStale(p.last_received_at_ms ?? null, now)).map((p) => p.lower_id));
    return rows.map((row) => ({
      originCode: row.origin_code, topic: row.topic, key: row.item_key, body: row.body === null ? null : JSON.parse(row.body),
      updatedAtMs: Number(row.updated_at_ms), receivedAtMs: Number(row.received_at_ms), scopePath: row.scope_path,
      stale: row.via_lower_id !== null && staleLower.has(row.via_lower_id),
      viaLowerId: row.via_lower_id ?? null,
    }));
  }

  /** Each direct lower in scope with its channel's freshness, and the lowers it reports below itself. */
  async peers(actor: Actor): Promise<UplinkPeerView[]> {
    await requirePermission(this.d.app.audit, actor, 'org.read', 'uplink.read', 'uplink_peer', '*');
    return this.peerViews(actor.scope);
  }

  /** Without a permission check: what the sender reports upward, and the stale watcher. */
  async peerViews(scope: Actor['scope']): Promise<UplinkPeerView[]> {
    const rows = await repos(this.d.app.store.db).uplink.listPeers(scope);
    const now = this.d.app.clock.nowMs();
    const out: UplinkPeerView[] = [];
    for (const p of rows) {
      const last = p.last_received_at_ms ?? null;
      const stale = this.isStale(last, now);
      out.push({ code: p.sip_id, name: p.name, lowerId: p.lower_id, viaCode: null, lastReceivedAtMs: last, backlog: p.backlog ?? null, itemsReceived: p.items_received ?? null, stale });
      for (const ip of parsePeers(p.relayed_peers ?? null)) {
        out.push({ code: ip.code, name: ip.name, lowerId: null, viaCode: p.sip_id, lastReceivedAtMs: ip.lastReceivedAtMs, backlog: ip.backlog, itemsReceived: null, stale: stale || ip.stale || this.isStale(ip.lastReceivedAtMs, now) });
      }
    }
    return out;
  }

  isStale(lastMs: number | null, nowMs: number): boolean {
    return lastMs === null || nowMs - lastMs > this.d.staleAfterMs;
  }
}

function parsePeers(text: string | null): WirePeer[] {
  if (!text) return [];
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as WirePeer[]) : [];
  } catch {
    return [];
  }
}
