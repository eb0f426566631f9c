// Beijing time (UTC+8, no daylight saving) is the only wall clock users see (R-PRE-6).
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** Formats ms since epoch as `YYYY-MM-DD HH:mm:ss` in Beijing time. */
export function formatBeijing(ms: number): string {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Parses `YYYY-MM-DD HH:mm[:ss]` as Beijing time; returns ms since epoch or undefined. */
export function parseBeijing(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0) - BEIJING_OFFSET_MS;
}
