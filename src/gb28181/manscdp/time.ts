// GB/T 28181 times are local Beijing time without zone: YYYY-MM-DDTHH:mm:ss. China has one
// zone (UTC+8) and no DST, so conversion is a fixed offset regardless of the server's TZ.
import { ManscdpError } from './xml.ts';

const OFFSET_MS = 8 * 3600 * 1000;

/** The last second formatted: every keepalive's answer is dated, most within the same second. */
let lastSecond = NaN;
let lastText = '';

export function formatGbTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000 + OFFSET_MS).toISOString().slice(0, 19);
    lastSecond = second;
  }
  return lastText;
}

/** Parses YYYY-MM-DDTHH:mm:ss (space instead of T and fractional seconds tolerated) to epoch ms. */
export function parseGbTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?$/.exec(text.trim());
  if (!m) throw new ManscdpError(`time "${text.slice(0, 40)}" is not YYYY-MM-DDTHH:mm:ss`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const utc = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new ManscdpError(`time "${text.slice(0, 40)}" is not a valid date`);
  }
  return utc - OFFSET_MS;
}
