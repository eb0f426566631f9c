// Fault tickets (故障工单, R-FLT-1, docs/design/ledger.md): opened by the system from measured
// faults or by a person, moved forward by people, verified only by the system when the device is
// measured healthy again. One unverified ticket per (device, kind): a flapping device bumps its
// count instead of opening more. Every change is audited (people) or logged (system) and published
// upward in its transaction (topic `fault.ticket`).
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import { outOfScope, requirePermission, runAudited } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { TicketFilter, TicketRow } from '../store/repos/ledger-repo.ts';
import type { Database, FaultKind, TicketState } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';
import type { Publish } from './ledger-service.ts';
import type { TicketDetailView, TicketView } from './schemas.ts';
import { eventView, ticketView } from './schemas.ts';
import type { HumanAction, TicketLimits } from './ticket-state.ts';
import { STATE_LABELS, humanTransition, systemTransition } from './ticket-state.ts';

export const TICKET_TOPIC = 'fault.ticket';
/** Ticket events of R-CITY-4: the device was replaced; the replacement passed the conformance check. */
export const REPLACED = 'device_replaced';
export const CONFORMANT = 'conformance_pass';

export interface FaultServiceDeps { store: Store; audit: AuditService; clock: Clock; log: Logger; publish?: Publish; limits: TicketLimits; verifyHealthyMs: number }

const STAMP: Partial<Record<TicketState, 'acknowledged_at_ms' | 'repairing_at_ms' | 'repaired_at_ms' | 'verified_at_ms'>> = { acknowledged: 'acknowledged_at_ms', repairing: 'repairing_at_ms', repaired: 'repaired_at_ms', verified: 'verified_at_ms' };

export class FaultService {
  /** Says why a replaced device's ticket still waits (conformance.ts); set by the module. */
  explain?: (db: Kysely<Database>, deviceId: number, replacedAtMs: number) => Promise<string>;

  constructor(private readonly d: FaultServiceDeps) {}

  async list(actor: Actor, f: TicketFilter = {}): Promise<TicketView[]> {
    await requirePermission(this.d.audit, actor, 'org.read', 'fault.read', 'fault_ticket', '*');
    const now = this.d.clock.nowMs();
    const rows = await repos(this.d.store.db).ledger.listTickets(actor.scope, f);
    const waits = await this.conformanceOf(this.d.store.db, rows);
    return rows.map((t) => ({ ...ticketView(t, now, this.d.limits), conformance: waits.get(t.id) ?? null }));
  }

  /** Why each replaced device's unverified ticket waits (R-CITY-4), by ticket id; tickets not waiting are absent. */
  private async conformanceOf(db: Kysely<Database>, tickets: readonly TicketRow[]): Promise<Map<number, { replacedAtMs: number; waitingFor: string }>> {
    const open = tickets.filter((t) => t.state !== 'verified');
    const out = new Map<number, { replacedAtMs: number; waitingFor: string }>();
    const since = new Map<number, number | null>();
    for (const e of await repos(db).ledger.eventsOf(open.map((t) => t.id), [REPLACED, CONFORMANT])) since.set(e.ticket_id, e.action === REPLACED ? e.at_ms : null);
    for (const t of open) {
      const at = since.get(t.id);
      if (at === undefined || at === null) continue;
      out.set(t.id, { replacedAtMs: at, waitingFor: (await this.explain?.(db, t.device_id, at)) ?? '等待符合性检查 (waiting for the conformance check)' });
    }
    return out;
  }

  async get(actor: Actor, id: number): Promise<TicketDetailView> {
    await requirePermission(this.d.audit, actor, 'org.read', 'fault.read', 'fault_ticket', id);
    return runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const r = repos(trx).ledger;
      const t = await r.getTicket(actor.scope, id);
      if (!t) throw outOfScope('fault.read', 'fault_ticket', id);
      const conformance = (await this.conformanceOf(trx, [t])).get(id) ?? null;
      return { ...ticketView(t, this.d.clock.nowMs(), this.d.limits), conformance, events: (await r.events(actor.scope, id)).map(eventView) };
    });
  }

  /** A person opens a ticket (or adds to the device's open one of that kind). */
  async open(actor: Actor, body: { deviceId: number; kind: FaultKind; summary: string }): Promise<TicketDetailView> {
    await requirePermission(this.d.audit, actor, 'fault.handle', 'fault.ticket.open', 'ledger_device', body.deviceId);
    const id = await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const device = await repos(trx).ledger.getDevice(actor.scope, body.deviceId);
      if (!device) throw outOfScope('fault.ticket.open', 'ledger_device', body.deviceId);
      const ticketId = await this.fault(trx, actor, body.deviceId, body.kind, body.summary, 'manual');
      await this.d.audit.append(trx, actor, { action: 'fault.ticket.open', objectType: 'fault_ticket', objectId: ticketId, scopePath: device.node_path, detail: { deviceId: body.deviceId, kind: body.kind, summary: body.summary } });
      return ticketId;
    });
    return this.get(actor, id);
  }

  /** A person's step (acknowledge, start repair, mark repaired); "verify" is always refused. */
  async act(actor: Actor, id: number, action: HumanAction, note?: string): Promise<TicketDetailView> {
    await requirePermission(this.d.audit, actor, 'fault.handle', `fault.ticket.${action}`, 'fault_ticket', id);
    let refused: string | undefined;
    await runAudited(this.d.store, this.d.audit, actor, async (trx) => {
      const t = await repos(trx).ledger.getTicket(actor.scope, id);
      if (!t) throw outOfScope(`fault.ticket.${action}`, 'fault_ticket', id);
      const tr = humanTransition(t.state, action);
      if (!tr.ok) {
        refused = tr.message;
        await this.d.audit.append(trx, actor, { action: `fault.ticket.${action}`, objectType: 'fault_ticket', objectId: id, scopePath: t.node_path, outcome: 'denied', detail: { reason: tr.reason, state: t.state } });
        return;
      }
      await this.move(trx, actor, id, t.state, tr.to, action, note ?? null);
      await this.d.audit.append(trx, actor, { action: `fault.ticket.${action}`, objectType: 'fault_ticket', objectId: id, scopePath: t.node_path, detail: { from: t.state, to: tr.to, note: note ?? null } });
    });
    if (refused) throw new AppError('conflict', refused);
    return this.get(actor, id);
  }

  /** The system saw a fault on a device: opens its ticket of that kind or adds to the unverified one. */
  async recordFault(deviceId: number, kind: FaultKind, summary: string): Promise<number> {
    return this.d.store.db.transaction().execute((trx) => this.fault(trx, SYSTEM_ACTOR, deviceId, kind, summary, 'auto'));
  }

  /** The system measured the device healthy for this kind of fault (starts the healthy span). */
  async recordHealthy(deviceId: number, kind: FaultKind): Promise<void> {
    await this.d.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).ledger;
      const t = await r.unverifiedTicket(SYSTEM_ACTOR.scope, deviceId, kind);
      if (!t || t.healthy_since_ms !== null) return;
      const now = this.d.clock.nowMs();
      await r.updateTicket(t.id, { healthy_since_ms: now, updated_at_ms: now });
      await this.publishTicket(trx, t.id);
    });
  }

  /**
   * R-CITY-4: the device was replaced (its serial changed). Each of its unverified tickets records
   * it and is verified only after the replacement passes the readiness conformance check.
   */
  async recordReplaced(trx: Kysely<Database>, deviceId: number, note: string): Promise<number> {
    const r = repos(trx).ledger;
    const open = await r.listTickets(SYSTEM_ACTOR.scope, { state: 'unverified', deviceId });
    for (const t of open) {
      await r.insertEvent({ ticket_id: t.id, at_ms: this.d.clock.nowMs(), actor: SYSTEM_ACTOR.username, action: REPLACED, from_state: t.state, to_state: t.state, note: note.slice(0, 512) });
      await this.publishTicket(trx, t.id);
    }
    return open.length;
  }

  /** A readiness probe judged the device's conformance to the standard: tickets waiting for it are released when it passed. */
  async recordConformance(deviceId: number, passed: boolean, note: string): Promise<void> {
    if (!passed) return;
    await this.d.store.db.transaction().execute(async (trx) => {
      const r = repos(trx).ledger;
      for (const t of await r.listTickets(SYSTEM_ACTOR.scope, { state: 'unverified', deviceId })) {
        if (!(await this.awaitsConformance(trx, t.id))) continue;
        await r.insertEvent({ ticket_id: t.id, at_ms: this.d.clock.nowMs(), actor: SYSTEM_ACTOR.username, action: CONFORMANT, from_state: t.state, to_state: t.state, note: note.slice(0, 512) });
        await this.publishTicket(trx, t.id);
        this.d.log.info({ ticketId: t.id, deviceId }, '更换后的设备已通过符合性检查 (replacement passed the conformance check)');
      }
    });
  }

  /** True while the ticket's device was replaced and no conformance pass has been recorded since. */
  private async awaitsConformance(db: Kysely<Database>, ticketId: number): Promise<boolean> {
    return (await this.replacedAt(db, ticketId)) !== null;
  }

  /** When the ticket's device was last replaced, while no conformance pass has been recorded since; else null. */
  async replacedAt(db: Kysely<Database>, ticketId: number): Promise<number | null> {
    const events = await repos(db).ledger.events(SYSTEM_ACTOR.scope, ticketId);
    const lastReplaced = events.map((e) => e.action).lastIndexOf(REPLACED);
    if (lastReplaced < 0 || events.slice(lastReplaced + 1).some((e) => e.action === CONFORMANT)) return null;
    return events[lastReplaced]!.at_ms;
  }

  /** Whether any unverified ticket of the device waits for the replacement's conformance check. */
  async awaitingConformance(deviceId: number): Promise<boolean> {
    return (await this.waiting(deviceId)).length > 0;
  }

  /** Unverified tickets waiting for a replacement's conformance check (of one device, or all), with when it was replaced. */
  async waiting(deviceId?: number): Promise<{ ticketId: number; deviceId: number; replacedAtMs: number }[]> {
    const db = this.d.store.db;
    const out: { ticketId: number; deviceId: number; replacedAtMs: number }[] = [];
    for (const t of await repos(db).ledger.listTickets(SYSTEM_ACTOR.scope, { state: 'unverified', ...(deviceId !== undefined && { deviceId }) })) {
      const at = await this.replacedAt(db, t.id);
      if (at !== null) out.push({ ticketId: t.id, deviceId: t.device_id, replacedAtMs: at });
    }
    return out;
  }

  /** Verifies every repaired ticket whose device has been healthy long enough. Returns how many. */
  async verifyDue(): Promise<number> {
    const now = this.d.clock.nowMs();
    const repaired = await repos(this.d.store.db).ledger.listTickets(SYSTEM_ACTOR.scope, { state: 'repaired' });
    let n = 0;
    for (const t of repaired) {
      if (systemTransition({ state: t.state, healthySinceMs: t.healthy_since_ms }, now, this.d.verifyHealthyMs) !== 'verified') continue;
      if (await this.awaitsConformance(this.d.store.db, t.id)) continue; // R-CITY-4: replacement not yet checked
      await this.d.store.db.transaction().execute((trx) => this.move(trx, SYSTEM_ACTOR, t.id, 'repaired', 'verified', 'verify', `设备已连续正常 ${Math.round((now - t.healthy_since_ms!) / 1000)} 秒 (measured healthy)`));
      n++;
    }
    return n;
  }

  /** The system closes a ticket that nobody repaired (self-clear.ts): to its final state, with the event saying why. */
  async closeBySystem(trx: Kysely<Database>, id: number, from: TicketState, action: string, note: string): Promise<void> {
    await this.move(trx, SYSTEM_ACTOR, id, from, 'verified', action, note);
  }

  private async fault(trx: Kysely<Database>, actor: Actor, deviceId: number, kind: FaultKind, summary: string, origin: 'auto' | 'manual'): Promise<number> {
    const r = repos(trx).ledger;
    const now = this.d.clock.nowMs();
    const open = await r.unverifiedTicket(SYSTEM_ACTOR.scope, deviceId, kind);
    if (open) {
      await r.updateTicket(open.id, { fault_count: open.fault_count + 1, last_fault_at_ms: now, healthy_since_ms: null, updated_at_ms: now });
      if (open.state === 'repaired') await this.move(trx, actor, open.id, 'repaired', 'repairing', 'fault_again', summary);
      else await this.publishTicket(trx, open.id);
      return open.id;
    }
    const device = (await r.getDevice(SYSTEM_ACTOR.scope, deviceId))!;
    const id = await r.insertTicket({ device_id: deviceId, org_node_id: device.org_node_id, kind, origin, state: 'open', summary, opened_by: actor.username, opened_at_ms: now, fault_count: 1, last_fault_at_ms: now, healthy_since_ms: null, updated_at_ms: now });
    await r.insertEvent({ ticket_id: id, at_ms: now, actor: actor.username, action: 'open', from_state: null, to_state: 'open', note: summary });
    await this.publishTicket(trx, id);
    this.d.log.info({ ticketId: id, deviceId, kind, origin }, `故障工单已开立：${device.name} ${summary}`);
    return id;
  }

  private async move(trx: Kysely<Database>, actor: Actor, id: number, from: TicketState, to: TicketState, action: string, note: string | null): Promise<void> {
    const r = repos(trx).ledger;
    const now = this.d.clock.nowMs();
    const stamp = STAMP[to];
    await r.updateTicket(id, { state: to, updated_at_ms: now, ...(stamp ? { [stamp]: now } : {}) });
    await r.insertEvent({ ticket_id: id, at_ms: now, actor: actor.username, action, from_state: from, to_state: to, note });
    await this.publishTicket(trx, id);
    this.d.log.info({ ticketId: id, from, to, actor: actor.username }, `故障工单状态变更：${STATE_LABELS[from]} → ${STATE_LABELS[to]}`);
  }

  private async publishTicket(trx: Kysely<Database>, id: number): Promise<void> {
    if (!this.d.publish) return;
    const t = (await repos(trx).ledger.getTicket(SYSTEM_ACTOR.scope, id))!;
    // Why a replaced device's ticket waits goes up with it: the province sees it too.
    const conformance = (await this.conformanceOf(trx, [t])).get(id) ?? null;
    await this.d.publish(trx, { topic: TICKET_TOPIC, key: String(id), body: { ...ticketView(t, this.d.clock.nowMs(), this.d.limits), conformance }, scopePath: t.node_path });
  }
}
