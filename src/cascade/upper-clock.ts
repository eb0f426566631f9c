// The upper platform's clock as a lower sees it (GB/T 28181-2016 §9.10): the Date header of the
// 200 to REGISTER and of keepalive answers, read at the middle of the round trip (recorded and
// reported, never applied to the system clock).
import { formatGbTime, parseGbTime } from '../gb28181/index.ts';

/** SIP Date as GB/T 28181-2016 §9.10 writes it: Beijing local time with milliseconds. */
export function sipDateText(ms: number): string {
  return `${formatGbTime(ms)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** Resolution of a SIP Date value: 1 ms with a fraction (GB style), else 1 s (RFC 1123). */
export function sipDateResolutionMs(text: string): number {
  return /\.\d{1,3}\s*$/.test(text) ? 1 : 1000;
}

/**
 * Upper − ours from a Date read in an answer: the upper wrote it somewhere between our send (t0)
 * and receipt (t1), best guessed at the middle (NTP's assumption of a symmetric path).
 */
export function clockOffsetOf(dateText: string | undefined, t0: number, t1: number): { offsetMs: number; accuracyMs: number } | undefined {
  const upperMs = parseSipDate(dateText);
  if (upperMs === undefined || dateText === undefined) return undefined;
  const res = sipDateResolutionMs(dateText);
  // A whole-second Date was truncated: the true time lies in [upperMs, upperMs + 1 s).
  const mid = upperMs + (res > 1 ? res / 2 : 0);
  return { offsetMs: Math.round(mid - (t0 + t1) / 2), accuracyMs: Math.ceil((t1 - t0) / 2 + res / 2) };
}

/** Parses a SIP Date header: GB/T 28181 local time with milliseconds, or RFC 1123. */
export function parseSipDate(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (m) {
    try {
      return parseGbTime(m[1]) + (m[2] ? Number(m[2].padEnd(3, '0')) : 0);
    } catch {
      return undefined;
    }
  }
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}
