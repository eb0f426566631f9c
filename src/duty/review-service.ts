// Custody review tasks (issue 18 item 6; the gaokao paper-secrecy rule, docs/design/duty.md
// "Custody review"): during a paper-custody window (room_window kind 'custody') the custody
// footage is replayed every 6 hours and a named person signs that it was done. Each 6-hour period
// of a window is one task (the last one shorter), created when its period begins, due one hour
// after it ends. A task not signed by then is overdue: logged at warn and sent upward as a
// `duty.review` item with `overdue: true` (the level above sees it; signing sends `signed`).
// Signing needs the period to have ended (its footage exists), is audited and happens once.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../auth/actor.ts';
import { denyOutOfScope, requirePermission } from '../auth/guard.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { ReviewTaskRow } from '../store/repos/review-repo.ts';
import type { Database } from '../store/schema.ts';
import type { Clock } from '../util/clock.ts';
import { AppError } from '../util/errors.ts';

export const REVIEW_EVERY_MS = 6 * 3600_000;
/** Time to replay and sign after a period ends. */
export const REVIEW_GRACE_MS = 3600_000;
export const REVIEW_TOPIC = 'duty.review';
/** Windows that ended longer ago than this are not looked at again. */
const LOOKBACK_MS = 7 * 24 * 3600_000;

export type ReviewState = 'running' | 'due' | 'overdue' | 'signed';
/** Body of a `duty.review` item (保密室回看) as published upward: the task, and whether it is overdue. */
export type ReviewItemBody = ReviewTaskView & { overdue: boolean; alarm?: 'custody_review_overdue' };

export interface ReviewTaskView { id: number; roomId: number; roomName: string; periodFromMs: number; periodToMs: number; dueAtMs: number; state: ReviewState; signedBy: string | null; signedAtMs: number | null; note: string | null }

export interface ReviewDeps {
  store: Store;
  audit: AuditService;
  clock: Clock;
  log?: Logger;
  publish?: (trx: Kysely<Database>, item: { topic: string; key: string; body: unknown; scopePath: string }) => Promise<unknown>;
}

/** The 6-hour periods of a window that have begun by `atMs`. */
export function reviewPeriods(w: { start_ms: number; end_ms: number }, atMs: number): Array<{ from: number; to: number; due: number }> {
  const out: Array<{ from: number; to: number; due: number }> = [];
  for (let from = w.start_ms; from < w.end_ms && from <= atMs; from += REVIEW_EVERY_MS) {
    const to = Math.min(from + REVIEW_EVERY_MS, w.end_ms);
    out.push({ from, to, due: to + REVIEW_GRACE_MS });
  }
  return out;
}

export class ReviewService {
  constructor(private readonly d: ReviewDeps) {}

  /** One sweep pass: creates the tasks whose period began, raises overdue ones (once each). */
  async sweep(): Promise<{ created: number; overdue: number }> {
    const now = this.d.clock.nowMs();
    const r = repos(this.d.store.db);
    let created = 0;
    for (const w of await r.reviews.custodyWindows(now - LOOKBACK_MS, now)) {
      for (const p of reviewPeriods(w, now)) if (await r.reviews.ensureTask({ room_id: w.room_id, window_id: w.id, period_from_ms: p.from, period_to_ms: p.to, due_at_ms: p.due })) created++;
    }
    let overdue = 0;
    for (const t of await r.reviews.tasks({ kind: 'all' }, { unsignedDueBefore: now })) {
      const prev = await r.duty.ownUplinkBody(REVIEW_TOPIC, String(t.id));
      if (prev && (JSON.parse(prev) as { overdue?: boolean }).overdue) continue;
      overdue++;
      this.d.log?.warn({ taskId: t.id, roomId: t.room_id, room: t.room_name, dueAtMs: t.due_at_ms }, `保密室录像回看任务逾期未签：${t.room_name} (custody review overdue)`);
      if (this.d.publish) await this.d.store.db.transaction().execute((trx) => this.d.publish!(trx, { topic: REVIEW_TOPIC, key: String(t.id), scopePath: t.site_path, body: { ...this.view(t, now), overdue: true, alarm: 'custody_review_overdue' } satisfies ReviewItemBody }));
    }
    return { created, overdue };
  }

  async list(actor: Actor, fromMs: number, toMs: number): Promise<ReviewTaskView[]> {
    await requirePermission(this.d.audit, actor, 'video.playback', 'duty.review.list', 'duty_review_task', '*');
    const now = this.d.clock.nowMs();
    return (await repos(this.d.store.db).reviews.tasks(actor.scope, { fromMs, toMs })).map((t) => this.view(t, now));
  }

  /** The named person (the logged-in user) signs that the period's footage was replayed. */
  async sign(actor: Actor, id: number, note: string): Promise<ReviewTaskView> {
    await requirePermission(this.d.audit, actor, 'video.playback', 'duty.review.sign', 'duty_review_task', id);
    const r = repos(this.d.store.db);
    const [t] = await r.reviews.tasks(actor.scope, { id });
    if (!t) return denyOutOfScope(this.d.audit, actor, 'duty.review.sign', 'duty_review_task', id);
    const now = this.d.clock.nowMs();
    if (now < t.period_to_ms) throw new AppError('conflict', '该时段尚未结束，录像未完整，不能签署回看 (period not over yet)');
    await this.d.store.db.transaction().execute(async (trx) => {
      if (!(await repos(trx).reviews.sign(id, { by: actor.username, userId: actor.userId, atMs: now, note }))) throw new AppError('conflict', `该回看任务已由 ${t.signed_by ?? '他人'} 签署 (already signed)`);
      await this.d.audit.append(trx, actor, { action: 'duty.review.sign', objectType: 'duty_review_task', objectId: id, scopePath: t.site_path, detail: { roomId: t.room_id, periodFromMs: t.period_from_ms, periodToMs: t.period_to_ms, late: now > t.due_at_ms, note } });
      await this.d.publish?.(trx, { topic: REVIEW_TOPIC, key: String(id), scopePath: t.site_path, body: { ...this.view({ ...t, signed_by: actor.username, signed_at_ms: now, note }, now), overdue: false } satisfies ReviewItemBody });
    });
    this.d.log?.info({ taskId: id, room: t.room_name, by: actor.username }, `保密室录像回看已签署：${t.room_name} (custody review signed)`);
    return this.view((await r.reviews.tasks(actor.scope, { id }))[0], now);
  }

  private view(t: ReviewTaskRow, now: number): ReviewTaskView {
    const state: ReviewState = t.signed_at_ms !== null ? 'signed' : now < t.period_to_ms ? 'running' : now <= t.due_at_ms ? 'due' : 'overdue';
    return { id: t.id, roomId: t.room_id, roomName: t.room_name, periodFromMs: t.period_from_ms, periodToMs: t.period_to_ms, dueAtMs: t.due_at_ms, state, signedBy: t.signed_by, signedAtMs: t.signed_at_ms, note: t.note };
  }
}
