// Duty alarms for the console's top alarm banner (R-DIS-3; docs/design/duty.md): 不足两人值守
// (`duty.alarm` items with alone = true) and 保密室回看逾期 (`duty.review` items with overdue = true)
// of this node and every level below, as the node-to-node channel delivers them (GET
// /api/uplink/items, filtered by the user's scope on the server). An item cleared at its origin
// (alone = false, or the review signed) drops out at the next poll: the banner clears there too.
import { useEffect, useRef, useState } from 'react';
import { api, request } from '../../api.ts';
import type { UplinkItemView } from '../../../../src/uplink/index.ts';
import type { DutyAlarmBody } from '../../../../src/duty/duty-service.ts';
import type { ReviewItemBody } from '../../../../src/duty/review-service.ts';

const POLL_MS = 5000;
const NAMES_EVERY_MS = 30_000;

export interface DutyAlarm {
  /** topic/origin/key: stable while the alarm stands. */
  id: string;
  kind: 'alone' | 'review';
  /** The node it comes from (this node's or a lower's), by name when this node's tree knows its GB code. */
  where: string;
  roomName: string;
  /** The origin's Chinese message (alone) or the review period (review). */
  detail: string;
  atMs: number | null;
  /** Came through a lower whose channel is stale. */
  stale: boolean;
}

// Lower nodes may run an older version: every field may be missing.
type AlarmBody = Partial<DutyAlarmBody>;
type ReviewBody = Partial<ReviewItemBody>;
const items = (topic: string) => request<{ items: UplinkItemView[] }>('GET', `/api/uplink/items?topic=${topic}`).then((r) => r.items);

export function useDutyAlarms(enabled: boolean, formatTime: (ms: number) => string): DutyAlarm[] {
  const [alarms, setAlarms] = useState<DutyAlarm[]>([]);
  const names = useRef(new Map<string, string>());
  const namesAt = useRef(0);
  const fmt = useRef(formatTime);
  fmt.current = formatTime;
  useEffect(() => {
    if (!enabled) return undefined;
    let stop = false;
    const load = async () => {
      let alone: UplinkItemView[];
      let reviews: UplinkItemView[];
      try {
        [alone, reviews] = await Promise.all([items('duty.alarm'), items('duty.review')]);
      } catch {
        return; // keep the last known state; the next poll tries again
      }
      alone = alone.filter((i) => (i.body as AlarmBody | null)?.alone === true);
      reviews = reviews.filter((i) => (i.body as ReviewBody | null)?.overdue === true);
      const unknown = [...alone, ...reviews].some((i) => !names.current.has(i.originCode));
      if (unknown && Date.now() - namesAt.current > NAMES_EVERY_MS) {
        namesAt.current = Date.now();
        try {
          for (const n of (await api.orgTree()).nodes) names.current.set(n.gbCode, n.name);
        } catch {
          /* names are a nicety */
        }
      }
      if (stop) return;
      const where = (i: UplinkItemView) => names.current.get(i.originCode) ?? i.originCode;
      setAlarms([
        ...alone.map((i): DutyAlarm => {
          const b = i.body as AlarmBody;
          return { id: `duty.alarm/${i.originCode}/${i.key}`, kind: 'alone', where: where(i), roomName: b.roomName ?? '', detail: b.message ?? '', atMs: b.atMs ?? null, stale: i.stale };
        }),
        ...reviews.map((i): DutyAlarm => {
          const b = i.body as ReviewBody;
          const hm = (ms?: number) => (ms ? fmt.current(ms).slice(5, 16) : '?');
          return { id: `duty.review/${i.originCode}/${i.key}`, kind: 'review', where: where(i), roomName: b.roomName ?? '', detail: `${hm(b.periodFromMs)}–${hm(b.periodToMs)}`, atMs: b.dueAtMs ?? null, stale: i.stale };
        }),
      ]);
    };
    void load();
    const h = setInterval(() => void load(), POLL_MS);
    return () => {
      stop = true;
      clearInterval(h);
    };
  }, [enabled]);
  return enabled ? alarms : [];
}
