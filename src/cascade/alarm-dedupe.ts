// One alarm may reach the upper twice: as a MESSAGE (§9.4) and as a NOTIFY of an alarm
// subscription (§9.11.1), with different SNs. The upper stores and emits it once: alarms are the
// same when lower, device, priority, method, type, time and description are.
import type { AlarmNotify } from '../gb28181/index.ts';

/** Identity of an alarm, SN excluded (MESSAGE and NOTIFY copies carry different SNs). */
export function alarmKey(lowerId: number, a: AlarmNotify): string {
  return [lowerId, a.deviceId, a.alarmPriority, a.alarmMethod, a.alarmType ?? '', a.alarmTime, a.alarmDescription ?? ''].join('|');
}

/** Keys seen in the last `ttlMs` (bounded to `max` entries, oldest dropped first). */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `key` is new (and remembers it); false for a repeat within the window. */
  add(key: string): boolean {
    const t = this.now();
    const at = this.seen.get(key);
    if (at !== undefined && t - at < this.ttlMs) return false;
    this.seen.delete(key);
    this.seen.set(key, t);
    // Map keeps insertion order: the first entries are the oldest.
    for (const [k, v] of this.seen) {
      if (this.seen.size <= this.max && t - v < this.ttlMs) break;
      this.seen.delete(k);
    }
    return true;
  }
}
