// The duty sweep (R-DIS-3, docs/design/duty.md "Dropping to one"): every few seconds it
// 1. checks out as idle a person who showed no presence for `idleCheckoutMs` — measured per person:
//    the later of their check-in, their own session's last request from that workstation, and their
//    last 确认在岗 (password on the console; duty_checkin.last_present_at_ms, migration 0033). The
//    first person's running wall no longer keeps a second person who left on duty — audited `duty.checkout` with reason `idle`, logged at info, published upward like any
//    check-out (which raises the alone-watch alarm when it leaves fewer than two in a window);
// 2. raises the alone-watch alarm (`duty.alarm`) for monitoring rooms where an exam or custody window
//    has *started* while fewer than two are checked in — a check-in/out raises it at once, but a
//    window that begins by the clock changes nothing in the tables, so only a sweep can see it.
// 0. checks out as absent a person who did not 确认在岗 in time during an exam/custody window
//    (presence-due.ts; out_reason `unconfirmed`), which the two-person rule then counts;
// Only sites with an enrolled workstation are swept (the rule is in force there: policy.ts).
// 3. creates the custody review tasks whose 6-hour period began and raises overdue ones
//    (review-service.ts), at every site with a custody window.
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { Clock } from '../util/clock.ts';
import type { DutyService } from './duty-service.ts';
import { presenceDueAtMs, windowSinceByRoom } from './presence-due.ts';
import type { ReviewService } from './review-service.ts';

/** How often the sweep runs: a window that starts with one person on duty is alarmed within this (≤ 15 s). */
export const DUTY_SWEEP_INTERVAL_MS = 10_000;

export interface DutySweepDeps { store: Store; clock: Clock; log: Logger; duty: DutyService; reviews?: ReviewService }
export interface DutySweepOptions {
  idleCheckoutMs: number;
  intervalMs?: number;
  /** 确认在岗 period during windows (ms); default the duty service's (xuncha.yaml duty.presenceConfirmMin). */
  presenceEveryMs?: number;
}

/** Who the idle check-out is recorded as in the audit log. */
const SWEEP_ACTOR: Actor = { ...SYSTEM_ACTOR, username: 'system:duty-sweep' };

export class DutySweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly d: DutySweepDeps,
    private readonly opts: DutySweepOptions,
  ) {}

  /** One pass; returns what it did (for tests and the log). */
  async tick(): Promise<{ unconfirmed: number; idleCheckouts: number; alarms: number; reviewsCreated: number; reviewsOverdue: number }> {
    const r = repos(this.d.store.db);
    const now = this.d.clock.nowMs();
    const workstations = await r.duty.listWorkstations({ kind: 'all' });
    const unconfirmed = await this.presencePass(now);
    let idleCheckouts = 0;
    for (const c of await r.duty.openCheckins({ kind: 'all' })) {
      const lastActivityMs = Math.max(c.checked_in_at_ms, c.last_present_at_ms ?? 0);
      if (now - lastActivityMs < this.opts.idleCheckoutMs) continue;
      try {
        await this.d.duty.checkOut(SWEEP_ACTOR, c.id, 'idle');
        idleCheckouts++;
        this.d.log.info({ checkinId: c.id, roomId: c.room_id, user: c.user_name, idleMin: Math.round((now - lastActivityMs) / 60_000), lastPresentVia: c.last_present_via ?? 'checkin' }, `值班人员长时间未确认在岗，已自动签退：${c.user_name} (checked out as idle)`);
      } catch (err) {
        // Checked out by hand meanwhile: nothing to do.
        this.d.log.debug({ err, checkinId: c.id }, 'idle check-out skipped');
      }
    }
    let alarms = 0;
    const rooms = new Map(workstations.filter((w) => w.revoked_at_ms === null).map((w) => [w.room_id, w.site_path]));
    for (const [roomId, sitePath] of rooms) {
      const change = await this.d.duty.reconcileAlarm(roomId, sitePath);
      if (!change) continue;
      alarms++;
      if (change === 'raised') this.d.log.warn({ roomId }, '考试/保密时段开始时监控室在岗不足两人，已向上级告警 (window started with fewer than two on duty)');
      else this.d.log.info({ roomId }, '时段结束或人员到岗，两人值守告警已解除 (alone-watch alarm cleared)');
    }
    const reviews = (await this.d.reviews?.sweep()) ?? { created: 0, overdue: 0 };
    if (reviews.created) this.d.log.info({ created: reviews.created }, `已生成保密室录像回看任务 ${reviews.created} 项 (custody review tasks created)`);
    return { unconfirmed, idleCheckouts, alarms, reviewsCreated: reviews.created, reviewsOverdue: reviews.overdue };
  }

  /**
   * 确认在岗 by the clock (presence-due.ts): during a window of its site, a person whose confirmation
   * is due is checked out as absent (`unconfirmed`, audited, logged, published upward — the
   * alone-watch alarm follows in the same transaction when fewer than two remain).
   */
  private async presencePass(now: number): Promise<number> {
    const open = await repos(this.d.store.db).duty.openCheckins({ kind: 'all' });
    if (open.length === 0) return 0;
    const since = await windowSinceByRoom(this.d.store.db, [...new Set(open.map((c) => c.room_id))], now);
    const everyMs = this.opts.presenceEveryMs ?? this.d.duty.presenceEveryMs;
    let n = 0;
    for (const c of open) {
      const dueAtMs = presenceDueAtMs(c, since.get(c.room_id) ?? null, everyMs);
      if (dueAtMs === null || now < dueAtMs) continue;
      try {
        await this.d.duty.checkOut(SWEEP_ACTOR, c.id, 'unconfirmed');
        n++;
        this.d.log.info({ checkinId: c.id, roomId: c.room_id, user: c.user_name, dueAtMs, everyMin: everyMs / 60_000 }, `考试/保密时段未按时确认在岗，按缺岗签退：${c.user_name} (presence not confirmed in time: checked out as absent)`);
      } catch (err) {
        this.d.log.debug({ err, checkinId: c.id }, 'unconfirmed check-out skipped');
      }
    }
    return n;
  }

  start(): void {
    if (this.timer) return;
    const run = () => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.d.log.warn({ err }, 'duty sweep failed; next pass in a few seconds'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(run, this.opts.intervalMs ?? DUTY_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
