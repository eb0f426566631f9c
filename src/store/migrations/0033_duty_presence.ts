// Presence measured per person (issue 18, R-DIS-3; docs/design/duty.md "Idle, per person"): the idle
// check-out used the workstation's last request, which is the console's, not each person's — a second
// person who walked away stayed "on duty" as long as the first person's wall kept polling. Each open
// check-in now keeps when *that person* last showed they are there:
// - last_present_at_ms: ms since epoch (bigint); null = nothing since the check-in (checked_in_at_ms counts);
// - last_present_via: how, text ≤ 16 chars: 'activity' (a logged-in request of that person's own
//   session from the workstation) or 'confirm' (the person re-entered their password, and one-time
//   code when enrolled, on the console: 确认在岗).
import type { Kysely } from 'kysely';

export function up() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('duty_checkin').addColumn('last_present_at_ms', 'bigint').execute();
    await db.schema.alterTable('duty_checkin').addColumn('last_present_via', 'varchar(16)').execute();
  };
}

export function down() {
  return async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.alterTable('duty_checkin').dropColumn('last_present_via').execute();
    await db.schema.alterTable('duty_checkin').dropColumn('last_present_at_ms').execute();
  };
}
