// The upper side's "measure through the cascade" action (issue 17 item 4, R-PRE-4, R-PRE-2): an
// administrator of an upper node measures one lower platform's link by pulling every channel of
// its catalog at once; the result is stored (readiness_cascade_bandwidth), audited and listed
// beside the lower's reported bandwidth verdict. Scope: the lower's org node.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { CascadeBandwidthRow } from '../store/repos/cascade-bandwidth-repo.ts';
import type { Clock } from '../util/clock.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { PublishInput } from '../uplink/index.ts';
import { BANDWIDTH_TOPIC, bandwidthItemBody } from './upward-bandwidth.ts';
import { AppError } from '../util/errors.ts';
import { judgeCascadeBandwidth, MAX_STREAMS, measureStreams } from './cascade-bandwidth.ts';
import type { StreamMeasure, StreamOpener } from './cascade-bandwidth.ts';

export interface CascadeBandwidthDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log: Logger;
  /** Pulls one remote channel live (GB/T 28181 INVITE); undefined when this node has no cascade. */
  opener: () => StreamOpener | undefined;
  /** The node-to-node channel's publish: each measurement goes to every level above (R-PRE-2). */
  publish?: (trx: Kysely<Database>, input: PublishInput) => Promise<unknown>;
  /** This node's name, carried upward with the measurement (default: its root org node's). */
  nodeName?: () => Promise<string>;
  /** What the lower reported it must carry upward (sum over its sites, kbit/s); null when it reported none. */
  reportedRequiredKbps: (actor: Actor, lowerId: number) => Promise<number | null>;
}

export interface CascadeBandwidthView {
  lowerId: number;
  lowerName: string;
  lowerSipId: string;
  measuredAtMs: number;
  durationMs: number;
  streams: number;
  channelsTotal: number;
  achievedKbps: number;
  requiredKbps: number | null;
  lossPercent: number;
  jitterMs: number;
  verdict: 'pass' | 'warn' | 'fail';
  rule: string;
  reason: string | null;
  perStream: StreamMeasure[];
  measuredBy: string;
}

export const DEFAULT_DURATION_MS = 10_000;

export class CascadeBandwidthService {
  /** One measurement per lower at a time: two would halve what each sees. */
  private readonly running = new Set<number>();

  constructor(private readonly d: CascadeBandwidthDeps) {}

  async measure(actor: Actor, lowerId: number, opts: { durationMs?: number; requiredKbps?: number } = {}): Promise<CascadeBandwidthView> {
    await requirePermission(this.d.audit, actor, 'exam.write', 'readiness.cascade_bandwidth', 'lower_platform', lowerId);
    const r = repos(this.d.store.db);
    const lower = await r.cascade.getLower(actor.scope, lowerId);
    // Refused out of scope with an audit record, as every other object (R-SEC-4).
    if (!lower) return denyOutOfScope(this.d.audit, actor, 'readiness.cascade_bandwidth', 'lower_platform', lowerId);
    const open = this.d.opener();
    if (!open) throw new AppError('conflict', '本节点未配置国标级联 (gb28181 is not configured)');
    if (this.running.has(lowerId)) throw new AppError('conflict', '该下级正在测量 (a measurement of this lower is running)');
    this.running.add(lowerId);
    try {
      const all = (await r.cascade.channels(lowerId)).filter((c) => c.item_kind === 'channel');
      // Every channel is pulled, ON first (the cap keeps those): a catalog's status may be older than
      // the camera's state, and a channel that does not play is part of what the verdict must show.
      const channels = [...all].sort((a, b) => Number(a.status === 'OFF') - Number(b.status === 'OFF')).slice(0, MAX_STREAMS).map((c) => c.device_id);
      const durationMs = opts.durationMs ?? DEFAULT_DURATION_MS;
      const startMs = this.d.clock.nowMs();
      const result = await measureStreams(open, channels, durationMs);
      const requiredKbps = opts.requiredKbps ?? (await this.d.reportedRequiredKbps(actor, lowerId));
      const j = judgeCascadeBandwidth(result, requiredKbps);
      const row = {
        lower_id: lowerId, measured_at_ms: startMs, duration_ms: durationMs, streams: channels.length, channels_total: all.length,
        achieved_kbps: result.achievedKbps, required_kbps: requiredKbps, loss_ppm: Math.round(result.lossPercent * 10_000), jitter_us: Math.round(result.jitterMs * 1000),
        verdict: j.verdict, rule: j.rule, reason: j.reason, streams_json: JSON.stringify(result.streams), measured_by: actor.username,
      };
      const view = toView({ ...row, id: 0, lower_name: lower.name, lower_sip_id: lower.sip_id });
      const measuredAt = (await this.d.nodeName?.()) ?? (await r.org.root())?.name ?? '本级';
      await this.d.store.db.transaction().execute(async (trx) => {
        await repos(trx).cascadeBandwidth.insert(row);
        await this.d.audit.append(trx, actor, { action: 'readiness.cascade_bandwidth', objectType: 'lower_platform', objectId: lowerId, scopePath: lower.node_path, detail: { lower: lower.name, streams: channels.length, achievedKbps: result.achievedKbps, requiredKbps, verdict: j.verdict } });
        // Upward with the transaction (R-PRE-2): the levels above see what this level measured.
        await this.d.publish?.(trx, { topic: BANDWIDTH_TOPIC, key: lower.sip_id, body: bandwidthItemBody(view, measuredAt), scopePath: lower.node_path });
      });
      this.d.log.info({ lowerId, streams: channels.length, achievedKbps: result.achievedKbps, lossPercent: result.lossPercent, verdict: j.verdict, published: Boolean(this.d.publish) }, 'cascade bandwidth measured');
      return view;
    } finally {
      this.running.delete(lowerId);
    }
  }

  /** The newest measurement of each lower the caller may see. */
  async latest(actor: Actor): Promise<CascadeBandwidthView[]> {
    await requirePermission(this.d.audit, actor, 'exam.read', 'readiness.cascade_bandwidth', 'lower_platform', '*');
    return (await repos(this.d.store.db).cascadeBandwidth.latest(actor.scope)).map(toView);
  }
}

function toView(b: CascadeBandwidthRow): CascadeBandwidthView {
  return {
    lowerId: b.lower_id, lowerName: b.lower_name, lowerSipId: b.lower_sip_id, measuredAtMs: b.measured_at_ms, durationMs: b.duration_ms,
    streams: b.streams, channelsTotal: b.channels_total, achievedKbps: b.achieved_kbps, requiredKbps: b.required_kbps,
    lossPercent: b.loss_ppm / 10_000, jitterMs: b.jitter_us / 1000, verdict: b.verdict, rule: b.rule, reason: b.reason,
    perStream: JSON.parse(b.streams_json) as StreamMeasure[], measuredBy: b.measured_by,
  };
}
