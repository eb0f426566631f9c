// Fault ticket state machine (R-FLT-1, docs/design/ledger.md): people move forward one step, never
// to "verified"; the system verifies a repaired ticket only after a long enough healthy span.
import { describe, expect, it } from 'vitest';
import { humanTransition, systemTransition, ticketTiming } from '../../src/ledger/ticket-state.ts';

describe('ticket state machine (R-FLT-1)', () => {
  it('people move forward; verify and backward steps are refused', () => {
    expect(humanTransition('open', 'acknowledge')).toEqual({ ok: true, to: 'acknowledged' });
    expect(humanTransition('open', 'start_repair')).toEqual({ ok: true, to: 'repairing' });
    expect(humanTransition('repairing', 'mark_repaired')).toEqual({ ok: true, to: 'repaired' });
    expect(humanTransition('open', 'mark_repaired')).toMatchObject({ ok: false, reason: 'bad-transition' });
    expect(humanTransition('repaired', 'acknowledge')).toMatchObject({ ok: false, reason: 'bad-transition' });
    for (const s of ['open', 'acknowledged', 'repairing', 'repaired', 'verified'] as const) expect(humanTransition(s, 'verify')).toMatchObject({ ok: false, reason: 'verify-by-system' });
  });

  it('the system verifies only a repaired ticket healthy for the whole span', () => {
    expect(systemTransition({ state: 'repaired', healthySinceMs: null }, 10_000, 1_000)).toBe('repaired');
    expect(systemTransition({ state: 'repaired', healthySinceMs: 9_500 }, 10_000, 1_000)).toBe('repaired');
    expect(systemTransition({ state: 'repaired', healthySinceMs: 9_000 }, 10_000, 1_000)).toBe('verified');
    expect(systemTransition({ state: 'repairing', healthySinceMs: 0 }, 10_000, 1_000)).toBe('repairing');
  });

  it('time to acknowledge and to repair against the limits', () => {
    const t = ticketTiming({ openedAtMs: 0, acknowledgedAtMs: 40 * 60_000, repairingAtMs: null, repairedAtMs: null }, 60 * 60_000, { ackLimitMs: 30 * 60_000, repairLimitMs: 4 * 3600_000 });
    expect(t).toEqual({ timeToAckMs: 40 * 60_000, timeToRepairMs: 60 * 60_000, ackOverdue: true, repairOverdue: false });
  });
});
