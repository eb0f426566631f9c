// MANSCDP parts of GB/T 28181 subscriptions (§9.11): catalog change events carried per item in
// a Notify/Catalog body, splitting a catalog notification into parts, which alarms an alarm
// subscription asked for, and the Result body answering a SUBSCRIBE.
import { encodeManscdpText, ManscdpError, xmlDocument } from './xml.ts';
import type { ManscdpCharset } from './xml.ts';
import type { CatalogItem } from './catalog.ts';
import { splitToFit } from './split.ts';
import type { AlarmNotify, AlarmQuery, CatalogNotify } from './messages.ts';

/** Event packages of GB/T 28181 subscriptions: alarm subscriptions use "presence" (2016 §9.11.1). */
export const GB_EVENT_PACKAGES = { catalog: 'Catalog', alarm: 'presence' } as const;
export type GbSubscriptionKind = keyof typeof GB_EVENT_PACKAGES;

/** Which GB subscription an Event package names (case-insensitive; some devices write "Alarm"). */
export function gbSubscriptionKind(eventPackage: string): GbSubscriptionKind | undefined {
  const p = eventPackage.toLowerCase();
  if (p === 'catalog') return 'catalog';
  if (p === 'presence' || p === 'alarm') return 'alarm';
  return undefined;
}

/**
 * Item events of a catalog notification: ADD/UPDATE carry the whole item, DEL removes it,
 * ON/OFF change its status, VLOST (video lost) and DEFECT (fault) mean it cannot be watched.
 */
export const CATALOG_EVENTS = ['ADD', 'DEL', 'ON', 'OFF', 'UPDATE', 'VLOST', 'DEFECT'] as const;
export type CatalogEvent = (typeof CATALOG_EVENTS)[number];

export function isCatalogEvent(v: string): v is CatalogEvent {
  return (CATALOG_EVENTS as readonly string[]).includes(v);
}

/** Upper-cases each item's <Event>; an unknown event refuses the whole notification. */
export function normaliseCatalogEvents(items: CatalogItem[]): CatalogItem[] {
  for (const it of items) {
    if (it.event === undefined) continue; // some devices omit it on ADD; the receiver decides
    const e = it.event.trim().toUpperCase();
    if (!isCatalogEvent(e)) throw new ManscdpError(`unknown catalog Event "${it.event.slice(0, 16)}"`);
    it.event = e;
  }
  return items;
}

/** Splits catalog events into notifications of at most `perMessage` items, each with SumNum = total. */
export function splitCatalogNotify(items: readonly CatalogItem[], perMessage: number, head: { sn: number; deviceId: string }, maxBodyBytes?: number): CatalogNotify[] {
  if (items.length === 0) return [];
  return splitToFit(items, (slice) => ({ kind: 'catalog-notify' as const, sn: head.sn, deviceId: head.deviceId, sumNum: items.length, items: slice }), { maxItems: perMessage, maxBodyBytes });
}

/**
 * Whether an alarm falls inside what an alarm subscription asked for: priority between Start and
 * End (0 or absent = unbounded) and its method among the AlarmMethod digits ('0' or absent = all).
 */
export function alarmMatchesQuery(query: Pick<AlarmQuery, 'startAlarmPriority' | 'endAlarmPriority' | 'alarmMethod'>, alarm: Pick<AlarmNotify, 'alarmPriority' | 'alarmMethod'>): boolean {
  const from = query.startAlarmPriority ?? 0;
  const to = query.endAlarmPriority ?? 0;
  if (from > 0 && alarm.alarmPriority < from) return false;
  if (to > 0 && alarm.alarmPriority > to) return false;
  const methods = (query.alarmMethod ?? '').replace(/\D/g, '');
  return methods === '' || methods.includes('0') || methods.includes(String(alarm.alarmMethod));
}

/** `<Response><CmdType>…</CmdType>…<Result>OK</Result></Response>`: the body of a 200 to SUBSCRIBE. */
export function encodeResultResponse(cmdType: string, sn: number, deviceId: string, result: 'OK' | 'ERROR', charset: ManscdpCharset = 'GB2312'): Uint8Array {
  const xml = xmlDocument({ name: 'Response', children: [{ name: 'CmdType', text: cmdType }, { name: 'SN', text: sn }, { name: 'DeviceID', text: deviceId }, { name: 'Result', text: result }] }, charset);
  return encodeManscdpText(xml, charset);
}
