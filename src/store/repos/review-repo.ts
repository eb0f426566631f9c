// Custody review tasks (duty_review_task, migration 0016; docs/design/duty.md "Custody review"):
// the custody windows they are cut from, the tasks themselves (scoped through room → site path)
// and the signature, set once.
import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/actor.ts';
import type { Database, DutyReviewTaskTable } from '../schema.ts';
import { scopePrefix } from './scope-filter.ts';

export type ReviewTaskRow = Selectable<DutyReviewTaskTable> & { room_name: string; site_id: number; site_path: string };

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class ReviewRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Custody windows that have started by `atMs` and ended after `sinceMs`. */
  async custodyWindows(sinceMs: number, atMs: number): Promise<Array<{ id: number; room_id: number; start_ms: number; end_ms: number }>> {
    const rows = await this.db.selectFrom('room_window').select(['id', 'room_id', 'start_ms', 'end_ms']).where('kind', '=', 'custody').where('start_ms', '<=', atMs).where('end_ms', '>', sinceMs).execute();
    return rows.map((r) => ({ id: r.id, room_id: r.room_id, start_ms: num(r.start_ms), end_ms: num(r.end_ms) }));
  }

  /** Inserts the task unless the room already has one due then (the unique index); true when inserted. */
  async ensureTask(v: { room_id: number; window_id: number; period_from_ms: number; period_to_ms: number; due_at_ms: number }): Promise<boolean> {
    const exists = await this.db.selectFrom('duty_review_task').select('id').where('room_id', '=', v.room_id).where('due_at_ms', '=', v.due_at_ms).executeTakeFirst();
    if (exists) return false;
    await this.db.insertInto('duty_review_task').values({ ...v, signed_by: null, signed_by_user_id: null, signed_at_ms: null, note: null }).execute();
    return true;
  }

  async tasks(scope: Scope, f: { id?: number; fromMs?: number; toMs?: number; unsignedDueBefore?: number } = {}): Promise<ReviewTaskRow[]> {
    let q = this.db
      .selectFrom('duty_review_task')
      .innerJoin('room', 'room.id', 'duty_review_task.room_id')
      .innerJoin('org_node', 'org_node.id', 'room.site_id')
      .selectAll('duty_review_task')
      .select(['room.name as room_name', 'room.site_id as site_id', 'org_node.path as site_path']);
    const prefix = scopePrefix(scope);
    if (prefix) q = q.where('org_node.path', 'like', prefix);
    if (f.id !== undefined) q = q.where('duty_review_task.id', '=', f.id);
    if (f.fromMs !== undefined) q = q.where('duty_review_task.period_to_ms', '>', f.fromMs);
    if (f.toMs !== undefined) q = q.where('duty_review_task.period_from_ms', '<', f.toMs);
    if (f.unsignedDueBefore !== undefined) q = q.where('duty_review_task.signed_at_ms', 'is', null).where('duty_review_task.due_at_ms', '<', f.unsignedDueBefore);
    const rows = await q.orderBy('duty_review_task.due_at_ms').orderBy('duty_review_task.id').execute();
    return rows.map((r) => ({ ...r, period_from_ms: num(r.period_from_ms), period_to_ms: num(r.period_to_ms), due_at_ms: num(r.due_at_ms), signed_at_ms: numOrNull(r.signed_at_ms) }));
  }

  /** Signs an unsigned task; false when it was already signed. */
  async sign(id: number, v: { by: string; userId: number | null; atMs: number; note: string }): Promise<boolean> {
    const r = await this.db.updateTable('duty_review_task').set({ signed_by: v.by, signed_by_user_id: v.userId, signed_at_ms: v.atMs, note: v.note }).where('id', '=', id).where('signed_at_ms', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
