// Issue 18, the last parts of duty (docs/design/duty.md "Cancelling a request", "确认在岗 by the clock"):
// - duty_view_request.cancelled_at_ms: when the requester withdrew (撤回) a pending or granted request,
//   ms since epoch (bigint); null = not cancelled. The approver's decided_* columns stay as they were,
//   so the record shows both who granted and when the requester ended it.
// - duty_checkin.last_confirmed_at_ms: when the person last passed 确认在岗 (password, + one-time code
//   when enrolled), ms since epoch (bigint); null = not since the check-in (checked_in_at_ms counts).
//   Unlike last_present_at_ms (0033), a console request never writes it: only the person does.
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('duty_view_request').addColumn('cancelled_at_ms', 'bigint').execute();
    await db.schema.alterTable('duty_checkin').addColumn('last_confirmed_at_ms', 'bigint').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('duty_checkin').dropColumn('last_confirmed_at_ms').execute();
    await db.schema.alterTable('duty_view_request').dropColumn('cancelled_at_ms').execute();
  };
}
