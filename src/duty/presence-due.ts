// 确认在岗 by the clock (R-DIS-3; docs/design/duty.md "Periodic presence confirmation"). During an
// exam or custody window of its site, each person checked in at a monitoring room must confirm
// presence (their own password, + one-time code when enrolled) every `everyMs`. The clock starts at
// the latest of their check-in, their last confirmation and the start of the site's open windows, so
// a person who checked in at 07:00 for a 09:00 exam is first due at 09:00 + everyMs. Who misses it
// is checked out by the duty sweep (`out_reason = 'unconfirmed'`), which makes them absent for the
// two-person rule: the wall shows it, the alone-watch alarm goes up, new viewing is refused.
import type { Kysely } from 'kysely';
import type { CheckinRow } from '../store/repos/duty-repo.ts';
import { repos } from '../store/repos/index.ts';
import type { Database } from '../store/schema.ts';

/** Default confirmation period (xuncha.yaml duty.presenceConfirmMin). */
export const DEFAULT_PRESENCE_EVERY_MS = 30 * 60_000;
/** The console prompts this long before a person is due (at most half the period). */
export const PRESENCE_PROMPT_LEAD_MS = 5 * 60_000;

export const promptLeadMs = (everyMs: number): number => Math.min(PRESENCE_PROMPT_LEAD_MS, Math.floor(everyMs / 2));

/** When `c` must next confirm, or null when no exam/custody window of the site is open (no duty to confirm). */
export function presenceDueAtMs(c: Pick<CheckinRow, 'checked_in_at_ms' | 'last_confirmed_at_ms'>, windowSinceMs: number | null, everyMs: number): number | null {
  if (windowSinceMs === null) return null;
  return Math.max(c.checked_in_at_ms, c.last_confirmed_at_ms ?? 0, windowSinceMs) + everyMs;
}

/**
 * Per monitoring room: the earliest start of the exam/custody windows of its site open at `atMs`
 * (null when none is open). Cached per site within one call.
 */
export async function windowSinceByRoom(db: Kysely<Database>, roomIds: readonly number[], atMs: number): Promise<Map<number, number | null>> {
  const r = repos(db);
  const allRooms = await r.rooms.list({ kind: 'all' });
  const siteOf = new Map(allRooms.map((x) => [x.id, x.site_id]));
  const bySite = new Map<number, number | null>();
  const out = new Map<number, number | null>();
  for (const roomId of roomIds) {
    const siteId = siteOf.get(roomId);
    if (siteId === undefined) {
      out.set(roomId, null);
      continue;
    }
    if (!bySite.has(siteId)) {
      const windows = await r.duty.windowsAt(allRooms.filter((x) => x.site_id === siteId).map((x) => x.id), atMs);
      bySite.set(siteId, windows.length === 0 ? null : Math.min(...windows.map((w) => w.start_ms)));
    }
    out.set(roomId, bySite.get(siteId) ?? null);
  }
  return out;
}
