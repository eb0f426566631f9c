// The node-to-node channel's tables (docs/design/uplink.md): items (scoped by the org path they
// land under at this node), the outbox to the upper level, the sequence counter, and per-lower
// delivery state. Writes run with the system's rights inside the caller's transaction.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, UplinkDownTable, UplinkItemTable, UplinkOutboxTable, UplinkPeerTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type UplinkItemRow = Selectable<UplinkItemTable>;
export type UplinkOutboxRow = Selectable<UplinkOutboxTable>;
export type UplinkPeerRow = Selectable<UplinkPeerTable>;
export type UplinkDownRow = Selectable<UplinkDownTable>;
export type UplinkPeerListRow = { lower_id: number; sip_id: string; name: string; enabled: number; node_path: string } & Partial<Omit<UplinkPeerRow, 'lower_id'>>;

export interface UplinkItemFilter {
  topic: string;
  originCode?: string;
  updatedSinceMs?: number;
  /** Include deleted items (null body); default false. */
  withDeleted?: boolean;
  limit?: number;
}

export class UplinkRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Hands out the next sequence number. The UPDATE locks the single state row until the caller's
   * transaction ends, so numbers become visible in the order they were handed out (an outbox
   * reader never sees 7 before 6 commits). SQLite has one writer anyway.
   */
  async nextSeq(): Promise<{ seq: number; epoch: string }> {
    const r = await this.db.updateTable('uplink_state').set((eb) => ({ last_seq: eb('last_seq', '+', 1) })).where('id', '=', 1).returning(['last_seq', 'epoch']).executeTakeFirstOrThrow();
    return { seq: Number(r.last_seq), epoch: r.epoch };
  }

  state(): Promise<{ last_seq: number; epoch: string; upper_url: string | null }> {
    return this.db.selectFrom('uplink_state').select(['last_seq', 'epoch', 'upper_url']).where('id', '=', 1).executeTakeFirstOrThrow();
  }

  async setUpperUrl(url: string | null): Promise<void> {
    await this.db.updateTable('uplink_state').set({ upper_url: url }).where('id', '=', 1).execute();
  }

  /** Latest write wins by the origin's sequence: an older or repeated write changes nothing (false). */
  async upsertItem(row: Insertable<UplinkItemTable> & { origin_seq: number }): Promise<boolean> {
    const have = await this.db
      .selectFrom('uplink_item')
      .select(['id', 'origin_seq'])
      .where('origin_code', '=', row.origin_code)
      .where('topic', '=', row.topic)
      .where('item_key', '=', row.item_key)
      .executeTakeFirst();
    if (have && Number(have.origin_seq) >= row.origin_seq) return false;
    if (have) await this.db.updateTable('uplink_item').set(row).where('id', '=', have.id).execute();
    else await this.db.insertInto('uplink_item').values(row).execute();
    return true;
  }

  async enqueue(row: Insertable<UplinkOutboxTable>): Promise<void> {
    await this.db.insertInto('uplink_outbox').values(row).execute();
  }

  outboxPage(limit: number): Promise<UplinkOutboxRow[]> {
    return this.db.selectFrom('uplink_outbox').selectAll().orderBy('seq').limit(limit).execute();
  }

  async outboxCount(afterSeq = 0): Promise<number> {
    const r = await this.db.selectFrom('uplink_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('seq', '>', afterSeq).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Drops what the upper acknowledged (every sequence up to `seq`). */
  async ackOutbox(seq: number): Promise<number> {
    const r = await this.db.deleteFrom('uplink_outbox').where('seq', '<=', seq).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Every live item (own and received), for the snapshot a newly configured upper gets. */
  liveItems(): Promise<UplinkItemRow[]> {
    return this.db.selectFrom('uplink_item').selectAll().where('body', 'is not', null).orderBy('id').execute();
  }

  listItems(scope: Scope, f: UplinkItemFilter): Promise<UplinkItemRow[]> {
    let q = this.db.selectFrom('uplink_item').selectAll().where('topic', '=', f.topic);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('scope_path', 'like', prefix);
    if (f.originCode) q = q.where('origin_code', '=', f.originCode);
    if (f.updatedSinceMs !== undefined) q = q.where('received_at_ms', '>=', f.updatedSinceMs);
    if (!f.withDeleted) q = q.where('body', 'is not', null);
    return q.orderBy('origin_code').orderBy('item_key').limit(f.limit ?? 10_000).execute();
  }

  /** Own items written after `originSeq` (the local watcher that emits `uplink.item`). */
  ownItemsAfter(originSeq: number, limit = 500): Promise<UplinkItemRow[]> {
    return this.db.selectFrom('uplink_item').selectAll().where('via_lower_id', 'is', null).where('origin_seq', '>', originSeq).orderBy('origin_seq').limit(limit).execute();
  }

  /** This node's newest own item of a topic (the last audit checkpoint it published). */
  lastOwnItem(topic: string): Promise<UplinkItemRow | undefined> {
    return this.db.selectFrom('uplink_item').selectAll().where('via_lower_id', 'is', null).where('topic', '=', topic).orderBy('origin_seq', 'desc').limit(1).executeTakeFirst();
  }

  async maxOwnSeq(): Promise<number> {
    const r = await this.db.selectFrom('uplink_item').select((eb) => eb.fn.max('origin_seq').as('m')).where('via_lower_id', 'is', null).executeTakeFirst();
    return Number(r?.m ?? 0);
  }

  peer(lowerId: number): Promise<UplinkPeerRow | undefined> {
    return this.db.selectFrom('uplink_peer').selectAll().where('lower_id', '=', lowerId).executeTakeFirst();
  }

  async savePeer(row: UplinkPeerRow): Promise<void> {
    const { lower_id, ...rest } = row;
    const n = await this.db.updateTable('uplink_peer').set(rest).where('lower_id', '=', lower_id).executeTakeFirst();
    if (Number(n.numUpdatedRows) === 0) await this.db.insertInto('uplink_peer').values(row).execute();
  }

  /** Lower platforms in scope with their channel state (absent fields: never heard over the channel). */
  listPeers(scope: Scope): Promise<UplinkPeerListRow[]> {
    let q = this.db
      .selectFrom('lower_platform')
      .innerJoin('org_node', 'org_node.id', 'lower_platform.org_node_id')
      .leftJoin('uplink_peer', 'uplink_peer.lower_id', 'lower_platform.id')
      .select(['lower_platform.id as lower_id', 'lower_platform.sip_id', 'lower_platform.name', 'lower_platform.enabled', 'org_node.path as node_path'])
      .select(['uplink_peer.epoch', 'uplink_peer.last_seq', 'uplink_peer.last_received_at_ms', 'uplink_peer.backlog', 'uplink_peer.items_received', 'uplink_peer.relayed_peers']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    return q.orderBy('lower_platform.sip_id').execute() as Promise<UplinkPeerListRow[]>;
  }

  /** The org node at `path` (GB code of a node's own items). */
  nodeByPath(path: string): Promise<{ id: number; gb_code: string; path: string } | undefined> {
    return this.db.selectFrom('org_node').select(['id', 'gb_code', 'path']).where('path', '=', path).executeTakeFirst();
  }

  /** A node at or below `underPath` whose GB code is `gbCode` (an origin mirrored in this tree). */
  nodeByCodeUnder(underPath: string, gbCode: string): Promise<{ path: string } | undefined> {
    return this.db.selectFrom('org_node').select('path').where('gb_code', '=', gbCode).where('path', 'like', `${underPath}%`).executeTakeFirst();
  }

  // Downward answers (migration 0034; docs/design/uplink.md "Downward by answer").

  /** Upper side: queues a message for a lower; false when one for the same (lower, origin, topic, key) exists (final). */
  async insertDown(row: Omit<Insertable<UplinkDownTable>, 'id'>): Promise<number | undefined> {
    const have = await this.db.selectFrom('uplink_down').select('id').where('lower_id', '=', row.lower_id).where('origin_code', '=', row.origin_code).where('topic', '=', row.topic).where('item_key', '=', row.item_key).executeTakeFirst();
    if (have) return undefined;
    return (await this.db.insertInto('uplink_down').values(row).returning('id').executeTakeFirstOrThrow()).id;
  }

  /** Upper side: messages for a lower after its acknowledged sequence, oldest first. */
  async downFor(lowerId: number, afterSeq: number, limit: number): Promise<UplinkDownRow[]> {
    const rows = await this.db.selectFrom('uplink_down').selectAll().where('lower_id', '=', lowerId).where('id', '>', afterSeq).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ ...r, created_at_ms: Number(r.created_at_ms) }));
  }

  /** Upper side: the message sent for an item (origin, topic, key), if any. */
  downOf(originCode: string, topic: string, key: string): Promise<UplinkDownRow | undefined> {
    return this.db.selectFrom('uplink_down').selectAll().where('origin_code', '=', originCode).where('topic', '=', topic).where('item_key', '=', key).orderBy('id', 'desc').executeTakeFirst();
  }

  /** Lower side: what was handled of the upper's messages. */
  async downAck(): Promise<{ epoch: string | null; seq: number }> {
    const r = await this.db.selectFrom('uplink_state').select(['down_epoch', 'down_ack_seq']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { epoch: r.down_epoch, seq: Number(r.down_ack_seq) };
  }

  async saveDownAck(epoch: string | null, seq: number): Promise<void> {
    await this.db.updateTable('uplink_state').set({ down_epoch: epoch, down_ack_seq: seq }).where('id', '=', 1).execute();
  }

  /** The lower platform the items of an origin arrive through (a middle level relays messages addressed there); undefined for own or unknown origins. */
  async lowerForOrigin(originCode: string): Promise<number | undefined> {
    const r = await this.db.selectFrom('uplink_item').select('via_lower_id').where('origin_code', '=', originCode).where('via_lower_id', 'is not', null).orderBy('received_at_ms', 'desc').limit(1).executeTakeFirst();
    return r?.via_lower_id ?? undefined;
  }
}
