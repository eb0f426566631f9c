// Beijing time (UTC+8, no daylight saving) is the only wall clock users see (R-PRE-6).
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** Formats ms since epoch as `YYYY-MM-DD HH:mm:ss` in Beijing time. */
export function formatBeijing(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * Parses `YYYY-MM-DD HH:mm[:ss]` as Beijing time; returns ms since epoch or undefined.
 * An impossible date or time ("02-30", "24:00", "09:60") is undefined: Date.UTC would roll it
 * into the next month or day, and a timetable row that silently moves is worse than a refusal.
 */
export function parseBeijing(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return undefined; // 02-30, 04-31, 02-29 of a common year
  return ms - BEIJING_OFFSET_MS;
}
