import { describe, it, expect } from 'vitest';
import iconv from 'iconv-lite';
import { alarmMatchesQuery, encodeManscdp, encodeResultResponse, gbSubscriptionKind, ManscdpError, parseManscdp, splitCatalogNotify } from './index.ts';
import type { CatalogItem, ManscdpMessage } from './index.ts';

const gb = (s: string): Uint8Array => iconv.encode(s, 'gb18030');

describe('MANSCDP for GB/T 28181 subscriptions (R-FN-3, R-FLT-1)', () => {
  it('R-FN-3: decodes a catalog change notification with one event per item (lower-case events accepted)', () => {
    const xml = `<?xml version="1.0" encoding="GB2312"?>
<Notify><CmdType>Catalog</CmdType><SN>31</SN><DeviceID>32010600002000000001</DeviceID><SumNum>3</SumNum>
<DeviceList Num="3">
<Item><DeviceID>32010600001310000009</DeviceID><Name>第三考场 后门</Name><ParentID>32010600002160000003</ParentID><Status>ON</Status><Event>ADD</Event></Item>
<Item><DeviceID>32010600001310000001</DeviceID><Event>off</Event></Item>
<Item><DeviceID>32010600001310000002</DeviceID><Event>VLOST</Event></Item>
</DeviceList></Notify>`;
    const m = parseManscdp(gb(xml));
    expect(m).toMatchObject({ kind: 'catalog-notify', sn: 31, sumNum: 3 });
    if (m.kind !== 'catalog-notify') return;
    expect(m.items.map((i) => i.event)).toEqual(['ADD', 'OFF', 'VLOST']);
    expect(m.items[0]).toMatchObject({ name: '第三考场 后门', parentId: '32010600002160000003', status: 'ON' });
  });

  it('R-FN-3: refuses an unknown catalog event, so nothing of that notification is applied', () => {
    const xml = '<Notify><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>1</DeviceID><SumNum>2</SumNum><DeviceList Num="2"><Item><DeviceID>2</DeviceID><Event>DEL</Event></Item><Item><DeviceID>3</DeviceID><Event>EXPLODE</Event></Item></DeviceList></Notify>';
    expect(() => parseManscdp(xml)).toThrow(ManscdpError);
  });

  it('R-FN-3: round-trips catalog notifications and alarm queries through GB2312 and UTF-8', () => {
    const msgs: ManscdpMessage[] = [
      { kind: 'catalog-notify', sn: 5, deviceId: '32010600002000000001', sumNum: 2, items: [{ deviceId: '32010600001310000001', name: '前门', status: 'ON', parental: 0, event: 'UPDATE' }, { deviceId: '32010600001310000002', event: 'DEL' }] },
      { kind: 'alarm-query', sn: 6, deviceId: '32010600002000000001', startAlarmPriority: 0, endAlarmPriority: 0, alarmMethod: '0' },
      { kind: 'alarm-query', sn: 7, deviceId: '32010600002000000001', startAlarmPriority: 1, endAlarmPriority: 2, alarmMethod: '26', alarmType: '1', startAlarmTime: '2026-06-07T08:00:00', endAlarmTime: '2026-06-07T18:00:00' },
    ];
    for (const charset of ['GB2312', 'UTF-8'] as const) for (const m of msgs) expect(parseManscdp(encodeManscdp(m, charset))).toEqual(m);
  });

  it('R-FN-3: splits catalog events into notifications that each carry the total SumNum', () => {
    const items: CatalogItem[] = Array.from({ length: 45 }, (_, i) => ({ deviceId: `3201060000131${String(i).padStart(7, '0')}`, event: 'ADD' }));
    const parts = splitCatalogNotify(items, 20, { sn: 9, deviceId: '32010600002000000001' });
    expect(parts.map((p) => p.items.length)).toEqual([20, 20, 5]);
    expect(parts.every((p) => p.sumNum === 45 && p.sn === 9 && p.kind === 'catalog-notify')).toBe(true);
    expect(splitCatalogNotify([], 20, { sn: 1, deviceId: 'x' })).toEqual([]);
    expect(() => splitCatalogNotify(items, 0, { sn: 1, deviceId: 'x' })).toThrow(RangeError);
  });

  it('R-FLT-1: an alarm subscription gets the alarms its priority range and AlarmMethod digits ask for', () => {
    const video = { alarmPriority: 1, alarmMethod: 2 };
    const gap = { alarmPriority: 3, alarmMethod: 7 };
    expect(alarmMatchesQuery({}, gap)).toBe(true);
    expect(alarmMatchesQuery({ startAlarmPriority: 0, endAlarmPriority: 0, alarmMethod: '0' }, gap)).toBe(true);
    expect(alarmMatchesQuery({ startAlarmPriority: 1, endAlarmPriority: 2 }, video)).toBe(true);
    expect(alarmMatchesQuery({ startAlarmPriority: 1, endAlarmPriority: 2 }, gap)).toBe(false);
    expect(alarmMatchesQuery({ alarmMethod: '26' }, video)).toBe(true);
    expect(alarmMatchesQuery({ alarmMethod: '26' }, gap)).toBe(false);
  });

  it('R-FN-3: names the subscription of an Event package and answers a SUBSCRIBE with a Result body', () => {
    expect(['Catalog', 'catalog', 'presence', 'Alarm', 'dialog'].map(gbSubscriptionKind)).toEqual(['catalog', 'catalog', 'alarm', 'alarm', undefined]);
    const body = encodeResultResponse('Alarm', 12, '32010600002000000001', 'OK');
    expect(parseManscdp(body)).toMatchObject({ kind: 'other', root: 'Response', cmdType: 'Alarm', sn: 12 });
    expect(Buffer.from(body).toString('latin1')).toContain('<Result>OK</Result>');
  });
});
