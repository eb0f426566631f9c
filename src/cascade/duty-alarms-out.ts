// The alone-watch alarm upward over GB/T 28181 (R-DIS-3, issue 18 item 3): when this node's duty
// module publishes `duty.alarm` with `alone: true` (fewer than two on duty in a monitoring room
// during an exam or custody window), the upper also gets a GB alarm, so a platform that only
// speaks GB/T 28181 (no node-to-node channel) sees it too. DeviceID is the monitoring room's GB
// code (the room is in our catalog as the parent of its site's channels); AlarmMethod 7 (其他报警),
// priority 1. Only this node's own items: a middle level relays its lowers' GB alarms already
// (alarm-relay.ts), so a relayed `duty.alarm` must not make a second one. `alone: false` (two are
// back) sends nothing: GB/T 28181 has no alarm clear; the uplink item carries it.
// An overdue custody review (`duty.review` with `overdue: true`, review-service.ts: the paper-secrecy
// room's footage not replayed and signed an hour after its 6-hour period) goes up the same way, with
// DeviceID = the secrecy room's GB code; signing it (`overdue: false`) sends nothing.
import type { EventBus, UplinkItemEvent } from '../events/bus.ts';
import { formatGbTime } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { AlarmSink } from './alarms-out.ts';
import type { SipNode } from './sip-node.ts';

export const DUTY_ALARM_TOPIC = 'duty.alarm';
export const DUTY_REVIEW_TOPIC = 'duty.review';

interface DutyAlarmBody { roomId?: unknown; alone?: unknown; message?: unknown; atMs?: unknown }
interface ReviewBody { roomId?: unknown; roomName?: unknown; overdue?: unknown; periodFromMs?: unknown; periodToMs?: unknown }

/** The GB alarm text of an item this node sends upward, or undefined when the item is not an alarm. */
export function dutyAlarmText(topic: string, body: unknown): { roomId: number; atMs?: number; text: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  if (topic === DUTY_ALARM_TOPIC) {
    const b = body as DutyAlarmBody;
    if (b.alone !== true || typeof b.roomId !== 'number') return undefined;
    return { roomId: b.roomId, atMs: typeof b.atMs === 'number' ? b.atMs : undefined, text: `两人值守告警 ${typeof b.message === 'string' ? b.message : '值班人数不足'}` };
  }
  if (topic === DUTY_REVIEW_TOPIC) {
    const b = body as ReviewBody;
    if (b.overdue !== true || typeof b.roomId !== 'number') return undefined;
    const hm = (ms: unknown) => (typeof ms === 'number' ? formatGbTime(ms).slice(5, 16).replace('T', ' ') : '?');
    return { roomId: b.roomId, text: `保密室回看逾期 ${typeof b.roomName === 'string' ? b.roomName : ''} ${hm(b.periodFromMs)}–${hm(b.periodToMs)} 录像未回看签署` };
  }
  return undefined;
}

/** Starts sending; returns the function that stops it. `fallbackDeviceId` (our SIP id) when the room has no GB code. */
export function watchDutyAlarms(events: EventBus, store: Store, node: Pick<SipNode, 'nextSn'>, sink: AlarmSink, fallbackDeviceId: string): () => void {
  const onItem = (e: UplinkItemEvent): void => {
    if (!e.own) return;
    const a = dutyAlarmText(e.topic, e.body);
    if (!a) return;
    const atMs = a.atMs ?? e.receivedAtMs;
    const { roomId, text } = a;
    void repos(store.db).rooms.get({ kind: 'all' }, roomId).then((room) => {
      const deviceId = room?.gb_code && /^\d{20}$/.test(room.gb_code) ? room.gb_code : fallbackDeviceId;
      sink(() => ({ kind: 'alarm', sn: node.nextSn(), deviceId, alarmPriority: 1, alarmMethod: 7, alarmTime: formatGbTime(atMs), alarmDescription: text.slice(0, 120) }));
    }, () => undefined); // database closing: the uplink item still went up
  };
  events.on('uplink.item', onItem);
  return () => events.off('uplink.item', onItem);
}
