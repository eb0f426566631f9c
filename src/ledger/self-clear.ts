// Tickets closing by themselves (自行恢复, R-FLT-1; docs/design/ledger.md "Faults that cleared by
// themselves"). A fault the system ticketed that cleared before anyone acted — the ticket still
// 待确认, the device measured healthy continuously for `healthyMs` (default 10 min, far longer than
// the 60 s a repair is verified after) — is closed by the system, never silently: the ticket goes to
// its final state with the event `self_cleared` saying why, the close is audited as the system
// (`fault.ticket.self_cleared`) and logged at info, it goes upward like every change, its label
// says 已自行恢复（未经维修） everywhere (site, city, province), and the console keeps it in the
// default ticket list for a day. Not closed by the system:
//  - a ticket a person has touched (acknowledged, repairing, repaired): the person's process runs;
//  - a hand-opened ticket: the system did not see the fault, so it cannot see it clear;
//  - kinds outside `kinds` (default: recording gaps are never closed by themselves — the recording
//    of a required exam window is lost whatever happens after, a person must look at it);
//  - a replaced device waiting for its conformance check (R-CITY-4);
//  - a fault that recurs: when the same device's same kind already cleared by itself within
//    `recurWindowMs` (24 h), it is not transient any more; the ticket stays for a person.
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { TicketRow } from '../store/repos/ledger-repo.ts';
import type { FaultKind } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import type { FaultService } from './fault-service.ts';

export const SELF_CLEARED = 'self_cleared';

export interface SelfClearOptions {
  /** Continuous healthy time after which an untouched automatic ticket is closed, ms; 0 = never. */
  healthyMs: number;
  /** Kinds that may close by themselves. */
  kinds: readonly FaultKind[];
  /** A same-kind self-close of the device within this window makes the fault recurrent, ms. */
  recurWindowMs: number;
}

export const SELF_CLEAR_DEFAULTS: SelfClearOptions = { healthyMs: 10 * 60_000, kinds: ['offline', 'disk', 'clock_drift', 'picture'], recurWindowMs: 24 * 3600_000 };

/** Whether the ticket is, by itself, one the system may close now (recurrence and replacement are checked apart). Pure. */
export function selfClearable(t: Pick<TicketRow, 'state' | 'origin' | 'kind' | 'healthy_since_ms'>, nowMs: number, o: SelfClearOptions): boolean {
  return o.healthyMs > 0 && t.state === 'open' && t.origin === 'auto' && o.kinds.includes(t.kind) && t.healthy_since_ms !== null && nowMs - t.healthy_since_ms >= o.healthyMs;
}

/** A verified ticket that never went through repair closed by itself. Pure. */
export function wasSelfCleared(t: Pick<TicketRow, 'state' | 'repaired_at_ms'>): boolean {
  return t.state === 'verified' && t.repaired_at_ms === null;
}

export class SelfClear {
  constructor(private readonly d: { store: Store; audit: AuditService; clock: Clock; log: Logger; faults: FaultService; opts: SelfClearOptions }) {}

  /** Closes every ticket that cleared by itself. Returns how many. */
  async run(): Promise<number> {
    const o = this.d.opts;
    if (o.healthyMs <= 0) return 0;
    const now = this.d.clock.nowMs();
    const r = repos(this.d.store.db).ledger;
    let n = 0;
    for (const t of await r.listTickets(SYSTEM_ACTOR.scope, { state: 'open' })) {
      if (!selfClearable(t, now, o)) continue;
      if (await this.d.faults.replacedAt(this.d.store.db, t.id) !== null) continue;
      const earlier = await r.listTickets(SYSTEM_ACTOR.scope, { deviceId: t.device_id, state: 'verified' });
      if (earlier.some((e) => e.kind === t.kind && wasSelfCleared(e) && e.verified_at_ms !== null && now - e.verified_at_ms < o.recurWindowMs)) continue;
      const healthyMin = Math.round((now - t.healthy_since_ms!) / 60_000);
      const note = `故障已自行恢复：设备连续正常 ${healthyMin} 分钟，期间无人处理，系统关闭工单（未经维修；如再次发生将保留工单待人工处理）(cleared by itself, closed by the system, not repaired)`;
      await this.d.store.db.transaction().execute(async (trx) => {
        await this.d.faults.closeBySystem(trx, t.id, 'open', SELF_CLEARED, note);
        await this.d.audit.append(trx, SYSTEM_ACTOR, { action: 'fault.ticket.self_cleared', objectType: 'fault_ticket', objectId: t.id, scopePath: t.node_path, detail: { deviceId: t.device_id, kind: t.kind, healthySinceMs: t.healthy_since_ms, faultCount: t.fault_count } });
      });
      this.d.log.info({ ticketId: t.id, deviceId: t.device_id, kind: t.kind, healthyMin }, `故障工单自行恢复，系统关闭：${t.device_name} ${t.summary}`);
      n++;
    }
    return n;
  }
}
