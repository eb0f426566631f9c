// Health of the node itself (issue 19 item 3, R-ORG-2, R-FLT-1; docs/design/ledger.md): the
// node's own server is a ledger row (code NODE-SERVER, refreshed on every start); a sample every
// `healthIntervalMs` measures disk free space, clock offset against the configured time source
// (SNTP), memory, CPU load and database latency. Disk low and clock drift open fault tickets on
// the NODE-SERVER row (one per kind until verified, like every ticket); each sample is published
// upward as `node.health` so that the city and the province see the site's health.
import { hostname, loadavg, cpus, freemem, totalmem, type as osType, release } from 'node:os';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { FaultKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import type { SntpResult } from '../util/sntp.ts';
import { VERSION } from '../version.ts';
import type { FaultService } from './fault-service.ts';
import { DEVICE_TOPIC } from './ledger-service.ts';
import type { Publish } from './ledger-service.ts';
import { deviceView } from './schemas.ts';

import { NODE_SERVER_CODE } from './own-keys.ts';

export { NODE_SERVER_CODE };
export const HEALTH_TOPIC = 'node.health';

export interface NodeHealthOptions {
  /** Below this share of the disk free, a disk ticket opens (0..1). */
  diskLowRatio: number;
  /** |clock offset| above this opens a clock-drift ticket, ms. */
  clockDriftMs: number;
  /** GB code of the org node this server stands for; unset = the root of the tree. */
  nodeOrgCode?: string;
  /**
   * This node's own GB/T 28181 id, unique per node: the key of its `node.health` item. The org
   * node's code is not (every node seeded with the same tree has the same root), and two lowers
   * under one key overwrote each other at the upper. Unset (no gb28181) = the org node's code.
   */
  nodeId?: string;
}

export interface NodeHealthSample {
  atMs: number;
  nodeCode: string;
  nodeName: string;
  /** The node's own GB/T 28181 id when it has one (the item's key). */
  nodeId?: string;
  version: string;
  disk: { freeBytes: number; totalBytes: number; freeRatio: number; low: boolean } | null;
  /** Offset of the time source from this clock (ms), or why it could not be measured; null = no time source configured. */
  clock: { offsetMs: number | null; server: string; drift: boolean; error: string | null } | null;
  memory: { rssBytes: number; freeBytes: number; totalBytes: number };
  cpu: { load1: number; cores: number };
  db: { latencyMs: number | null; error: string | null };
}

export interface NodeHealthDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  faults: FaultService;
  /** Publishes upward inside a transaction; absent = no upward channel. */
  publish?: Publish;
  /** Free space of the data disk. */
  disk?: { measure(): Promise<{ freeBytes: number; totalBytes: number }> };
  /** One SNTP exchange with the time source; absent = no time source configured. */
  timeSource?: { server: string; query(): Promise<SntpResult> };
  opts: NodeHealthOptions;
}

export class NodeHealth {
  private last?: NodeHealthSample;
  private deviceId?: number;
  private ensuring?: Promise<number | undefined>;

  constructor(private readonly d: NodeHealthDeps) {}

  get latest(): NodeHealthSample | undefined {
    return this.last;
  }

  /**
   * Adds or refreshes this node's own server in the ledger (host name, OS, version). Returns its id.
   * Calls while one runs share it: two concurrent inserts would both miss the row (PostgreSQL).
   */
  ensureServerRow(): Promise<number | undefined> {
    this.ensuring ??= this.upsertServerRow().finally(() => (this.ensuring = undefined));
    return this.ensuring;
  }

  private async upsertServerRow(): Promise<number | undefined> {
    const r0 = repos(this.d.store.db).ledger;
    const home = await r0.homeNode(this.d.opts.nodeOrgCode);
    if (!home) return undefined;
    const now = this.d.clock.nowMs();
    const facts = { model: `${osType()} ${release()}`.slice(0, 128), serial: hostname().slice(0, 128), firmware: `xuncha ${VERSION}`, updated_at_ms: now };
    const id = await this.d.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).ledger;
      const existing = await r.deviceByCode(home.id, NODE_SERVER_CODE);
      let id = existing?.id;
      if (existing) await r.updateDevice(existing.id, facts);
      else id = await r.insertDevice({ org_node_id: home.id, room_id: null, device_class: 'server', code: NODE_SERVER_CODE, name: '巡查平台服务器（本机）', responsible_name: '', responsible_phone: '', camera_id: null, created_at_ms: now, ...facts });
      const row = (await r.getDevice(SYSTEM_ACTOR.scope, id!))!;
      await this.d.publish?.(trx, { topic: DEVICE_TOPIC, key: NODE_SERVER_CODE, body: deviceView(row), scopePath: row.node_path });
      return { id: id!, row, created: !existing };
    });
    if (id.created) this.d.log.info({ deviceId: id.id }, '本机服务器已加入设备台账 (NODE-SERVER)');
    this.deviceId = id.id;
    return id.id;
  }

  /** Measures once, opens or heals disk / clock tickets, publishes `node.health`. */
  async sample(): Promise<NodeHealthSample | undefined> {
    const deviceId = this.deviceId ?? (await this.ensureServerRow());
    if (deviceId === undefined) return undefined;
    const row = (await repos(this.d.store.db).ledger.getDevice(SYSTEM_ACTOR.scope, deviceId))!;
    const o = this.d.opts;
    const disk = await this.d.disk?.measure().then((s) => {
      const freeRatio = s.totalBytes > 0 ? s.freeBytes / s.totalBytes : 0;
      return { ...s, freeRatio, low: freeRatio < o.diskLowRatio };
    }, (err: unknown) => { this.d.log.warn({ err }, '磁盘空间无法测量 (disk not measured)'); return null; });
    let clock: NodeHealthSample['clock'] = null;
    if (this.d.timeSource) {
      try {
        const r = await this.d.timeSource.query();
        clock = { offsetMs: Math.round(r.offsetMs), server: r.server, drift: Math.abs(r.offsetMs) > o.clockDriftMs, error: null };
      } catch (err) {
        clock = { offsetMs: null, server: this.d.timeSource.server, drift: false, error: (err as Error).message };
      }
    }
    const t0 = performance.now();
    let db: NodeHealthSample['db'];
    try {
      await sql`select 1`.execute(this.d.store.db);
      db = { latencyMs: Math.round((performance.now() - t0) * 10) / 10, error: null };
    } catch (err) {
      db = { latencyMs: null, error: (err as Error).message };
    }
    const s: NodeHealthSample = { atMs: this.d.clock.nowMs(), nodeCode: row.node_code, nodeName: row.node_name, ...(this.d.opts.nodeId && { nodeId: this.d.opts.nodeId }), version: VERSION, disk: disk ?? null, clock, memory: { rssBytes: process.memoryUsage().rss, freeBytes: freemem(), totalBytes: totalmem() }, cpu: { load1: Math.round(loadavg()[0]! * 100) / 100, cores: cpus().length }, db };
    if (disk) await this.judge(deviceId, 'disk', disk.low, `磁盘剩余空间不足：${(disk.freeRatio * 100).toFixed(1)}%（低于 ${(o.diskLowRatio * 100).toFixed(0)}%）(disk low)`);
    if (clock && clock.offsetMs !== null) await this.judge(deviceId, 'clock_drift', clock.drift, `服务器时钟偏差 ${(clock.offsetMs / 1000).toFixed(1)} 秒（超过 ${(o.clockDriftMs / 1000).toFixed(0)} 秒）(clock drift against ${clock.server})`);
    if (this.last?.clock?.error !== clock?.error && clock?.error) this.d.log.warn({ server: clock.server }, `时间源无法访问：${clock.error}`);
    this.last = s;
    const publish = this.d.publish;
    if (publish) await this.d.store.db.transaction().execute((trx) => publish(trx, { topic: HEALTH_TOPIC, key: this.d.opts.nodeId ?? row.node_code, body: s, scopePath: row.node_path }));
    return s;
  }

  /** Opens (or reopens after a healthy span) the ticket of `kind` when faulty, starts its healthy span when not. */
  private async judge(deviceId: number, kind: FaultKind, faulty: boolean, summary: string): Promise<void> {
    const open = await repos(this.d.store.db).ledger.unverifiedTicket(SYSTEM_ACTOR.scope, deviceId, kind);
    if (!faulty) {
      if (open && open.healthy_since_ms === null) {
        this.d.log.info({ deviceId, kind }, kind === 'disk' ? '磁盘空间已恢复 (disk ok again)' : '服务器时钟已恢复正常 (clock ok again)');
        await this.d.faults.recordHealthy(deviceId, kind);
      }
      return;
    }
    // Still faulty: one ticket, no count per sample — unless someone marked it repaired (back to repairing).
    if (open && open.healthy_since_ms === null && open.state !== 'repaired') return;
    await this.d.faults.recordFault(deviceId, kind, summary);
  }
}
