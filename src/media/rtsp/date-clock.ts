// A camera's clock as its RTSP replies state it (RFC 2326 §12.18 Date): used where no RTCP sender
// report and no ONVIF time is available (issue 17, R-PRE-6). A Date header has one-second
// resolution and is written somewhere between our request and its reply, so each reply bounds the
// offset (camera − node) to an interval; the replies of one session (OPTIONS, DESCRIBE, SETUP,
// PLAY, keep-alives) are intersected, which narrows it whenever a reply lands on either side of the
// camera's second tick. Pure: no guessing, nothing read but the header.

/** One reply's Date, with the node times the request left and the reply arrived (ms since epoch). */
export interface DateSample {
  dateMs: number;
  sentAtMs: number;
  receivedAtMs: number;
  /** What the Date resolves, ms: 1000 for whole seconds (RTSP, RFC 1123; the default), 1 for a GB/T 28181 Date with milliseconds. */
  resolutionMs?: number;
}

export interface StatedClock {
  /** camera − node, ms: the middle of what the replies allow. */
  offsetMs: number;
  /** Half the width of what the replies allow, ms (±). */
  uncertaintyMs: number;
  /** Replies used. */
  samples: number;
  /** Node time of the newest reply used, ms. */
  atMs: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TIME = String.raw`(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?`;
const ZONE = String.raw`(?:\s+(GMT|UTC|UT|Z|[+-]\d{4}))?`;
const FORMS: Array<{ re: RegExp; order: 'dmy' | 'mdy' | 'asctime' }> = [
  // RFC 1123 (the RTSP form): "Mon, 07 Dec 2026 01:51:50 GMT"; RFC 850: "Monday, 07-Dec-26 01:51:50 GMT"
  { re: new RegExp(String.raw`^(?:[a-z]+,?\s+)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*[\s-]+(\d{2,4})\s+${TIME}${ZONE}$`, 'i'), order: 'dmy' },
  // Month first, as several cameras write it: "Mon, Dec 07 2026 01:51:50 GMT"
  { re: new RegExp(String.raw`^(?:[a-z]+,?\s+)?([a-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{4})\s+${TIME}${ZONE}$`, 'i'), order: 'mdy' },
  // asctime: "Mon Dec  7 01:51:50 2026"
  { re: new RegExp(String.raw`^(?:[a-z]+\s+)?([a-z]{3})\s+(\d{1,2})\s+${TIME}\s+(\d{4})${ZONE}$`, 'i'), order: 'asctime' },
];

/** A Date header's instant, ms since epoch (UTC unless it names another offset), or undefined. */
export function parseRtspDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const v = value.trim().replace(/\s+/g, ' ');
  for (const { re, order } of FORMS) {
    const m = re.exec(v);
    if (!m) continue;
    let day: string, mon: string, year: string, hh: string, mi: string, ss: string, zone: string | undefined;
    if (order === 'dmy') [, day, mon, year, hh, mi, ss, zone] = m;
    else if (order === 'mdy') [, mon, day, year, hh, mi, ss, zone] = m;
    else [, mon, day, hh, mi, ss, year, zone] = m;
    const mo = MONTHS.indexOf(mon.toLowerCase());
    let y = Number(year);
    if (year.length === 2) y += y < 70 ? 2000 : 1900;
    else if (year.length !== 4) return undefined;
    const [d, h, n, s] = [Number(day), Number(hh), Number(mi), Number(ss)];
    if (mo < 0 || d < 1 || h > 23 || n > 59 || s > 60) return undefined;
    const utc = Date.UTC(y, mo, d, h, n, Math.min(s, 59));
    if (new Date(utc).getUTCDate() !== d) return undefined; // 31 Feb
    return utc - zoneMs(zone);
  }
  return undefined;
}

function zoneMs(zone: string | undefined): number {
  if (!zone || !/^[+-]\d{4}$/.test(zone)) return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
}

/** Replies older than this before the newest are not intersected (clocks drift; a camera may be set). */
const WINDOW_MS = 600_000;

/**
 * The offset the replies allow: each says the camera read `dateMs`..`dateMs`+resolution at some node time
 * between `sentAtMs` and `receivedAtMs`. When the replies contradict each other (the camera's clock
 * was set in between) only the newest counts.
 */
export function statedClock(samples: readonly DateSample[]): StatedClock | undefined {
  if (samples.length === 0) return undefined;
  const newest = samples[samples.length - 1];
  const bounds = (s: DateSample) => ({ lo: s.dateMs - s.receivedAtMs, hi: s.dateMs + (s.resolutionMs ?? 1000) - s.sentAtMs });
  let { lo, hi } = bounds(newest);
  let used = 1;
  for (let i = samples.length - 2; i >= 0; i--) {
    const s = samples[i];
    if (newest.receivedAtMs - s.receivedAtMs > WINDOW_MS) break;
    const b = bounds(s);
    const nlo = Math.max(lo, b.lo);
    const nhi = Math.min(hi, b.hi);
    if (nlo > nhi) break; // contradicts what is newer: stop here
    lo = nlo;
    hi = nhi;
    used++;
  }
  return { offsetMs: Math.round((lo + hi) / 2), uncertaintyMs: Math.round((hi - lo) / 2), samples: used, atMs: newest.receivedAtMs };
}
