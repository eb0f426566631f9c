// Fault ticket state machine (R-FLT-1, docs/design/ledger.md). Pure. People move a ticket forward
// (open → acknowledged → repairing → repaired); only the system verifies it, from a measurement of
// the device being healthy again, and a fault seen again on a repaired ticket sends it back to
// repairing.
import type { TicketState } from '../store/schema.ts';

/** Label of a verified ticket the system closed because its fault cleared before anyone acted (self-clear.ts). */
export const SELF_CLEARED_LABEL = '已自行恢复（未经维修）';

export type HumanAction = 'acknowledge' | 'start_repair' | 'mark_repaired' | 'verify';

export const STATE_LABELS: Record<TicketState, string> = {
  open: '待确认',
  acknowledged: '已确认',
  repairing: '维修中',
  repaired: '已修复待验证',
  verified: '已验证恢复',
};

const HUMAN: Record<Exclude<HumanAction, 'verify'>, { from: readonly TicketState[]; to: TicketState }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  // Starting the repair acknowledges as well.
  start_repair: { from: ['open', 'acknowledged'], to: 'repairing' },
  mark_repaired: { from: ['acknowledged', 'repairing'], to: 'repaired' },
};

export type Transition = { ok: true; to: TicketState } | { ok: false; reason: 'verify-by-system' | 'bad-transition'; message: string };

/** What a person's action does to a ticket in `from`. */
export function humanTransition(from: TicketState, action: HumanAction): Transition {
  if (action === 'verify') return { ok: false, reason: 'verify-by-system', message: '验证恢复由系统在设备检测正常后自动完成，不能手动关闭 (verified is set by the system when the device is measured healthy)' };
  const rule = HUMAN[action];
  if (!rule.from.includes(from)) return { ok: false, reason: 'bad-transition', message: `工单状态为「${STATE_LABELS[from]}」，不能执行此操作 (cannot ${action} a ticket that is ${from})` };
  return { ok: true, to: rule.to };
}

/**
 * The system's verdict for a ticket given the device's health: verified when repaired and healthy
 * for at least `verifyHealthyMs`; back to repairing when repaired and faulty again; else unchanged.
 */
export function systemTransition(t: { state: TicketState; healthySinceMs: number | null }, nowMs: number, verifyHealthyMs: number): TicketState {
  if (t.state !== 'repaired') return t.state;
  if (t.healthySinceMs === null) return t.state;
  return nowMs - t.healthySinceMs >= verifyHealthyMs ? 'verified' : t.state;
}

export interface TicketLimits {
  /** Time allowed from opening to acknowledging, ms. */
  ackLimitMs: number;
  /** Time allowed from opening to repaired, ms. */
  repairLimitMs: number;
}

/** Elapsed times and whether they exceed the limits (unfinished steps count up to now). */
export function ticketTiming(t: { openedAtMs: number; acknowledgedAtMs: number | null; repairingAtMs: number | null; repairedAtMs: number | null }, nowMs: number, limits: TicketLimits) {
  const ackAt = t.acknowledgedAtMs ?? t.repairingAtMs ?? t.repairedAtMs;
  const timeToAckMs = (ackAt ?? nowMs) - t.openedAtMs;
  const timeToRepairMs = (t.repairedAtMs ?? nowMs) - t.openedAtMs;
  return { timeToAckMs, timeToRepairMs, ackOverdue: timeToAckMs > limits.ackLimitMs, repairOverdue: timeToRepairMs > limits.repairLimitMs };
}
