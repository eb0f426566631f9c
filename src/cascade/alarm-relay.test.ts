import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AlarmNotify, ManscdpMessage } from '../gb28181/index.ts';
import { relayAlarms } from './alarm-relay.ts';
import type { UpperRegistryEvents } from './upper-registry.ts';

const UPPER = '32000000002000000001';
const SITE = '32010600002000000001';
const OTHER_SITE = '32010700002000000001';
const LOSS: AlarmNotify = { kind: 'alarm', sn: 17, deviceId: '32010600001310000001', alarmPriority: 1, alarmMethod: 2, alarmType: 1, alarmTime: '2026-06-07T09:00:03', alarmDescription: '视频丢失 camera offline: eof' };

function harness() {
  const registry = new EventEmitter<UpperRegistryEvents>();
  const sent: ManscdpMessage[] = [];
  let sn = 100;
  const stop = relayAlarms({ registry, node: { nextSn: () => ++sn }, upperId: UPPER, sink: (build) => sent.push(build()) });
  const receive = (lowerSipId: string, alarm: AlarmNotify) => registry.emit('alarm-received', { lowerId: 1, lowerSipId, alarm });
  return { sent, receive, stop };
}

describe('alarm relay upward (R-FLT-1, R-FN-3)', () => {
  it("R-FLT-1: a lower's alarm goes up with its DeviceID, priority, method, type, time and description, under our SN", () => {
    const h = harness();
    h.receive(SITE, LOSS);
    expect(h.sent).toEqual([{ ...LOSS, sn: 101 }]);
  });

  it('R-FLT-1: the same alarm reaching us twice (two paths) goes up once; a different one goes too', () => {
    const h = harness();
    h.receive(SITE, LOSS);
    h.receive(OTHER_SITE, { ...LOSS, sn: 99 });
    h.receive(SITE, { ...LOSS, alarmMethod: 7, alarmType: undefined, alarmDescription: '录像中断' });
    expect(h.sent.map((a) => a.kind === 'alarm' && a.alarmMethod)).toEqual([2, 7]);
  });

  it('R-FLT-1: never back to where it came from; nothing after stop', () => {
    const h = harness();
    h.receive(UPPER, LOSS);
    h.receive(SITE, { ...LOSS, deviceId: UPPER });
    h.stop();
    h.receive(SITE, LOSS);
    expect(h.sent).toEqual([]);
  });
});
