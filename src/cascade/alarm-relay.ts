// Alarm relay upward (R-FLT-1, R-FN-3): a node that is both an upper (to its lowers) and a lower
// (to its own upper) passes each alarm it receives from a lower on to its upper, so a camera fault
// at a site reaches the province through the city. The alarm keeps what the lower said — DeviceID
// (the site's channel code, which the upper knows from the relayed catalog), priority, method,
// type, time and description — and gets a new SN from this node. The sink decides NOTIFY (alarm
// subscription) or MESSAGE, as for this node's own alarms (alarms-out.ts).
import type { EventEmitter } from 'node:events';
import type { AlarmNotify } from '../gb28181/index.ts';
import { alarmKey, RecentKeys } from './alarm-dedupe.ts';
import type { AlarmSink } from './alarms-out.ts';
import type { SipNode } from './sip-node.ts';
import type { UpperRegistryEvents } from './upper-registry.ts';

export interface AlarmRelayDeps {
  /** The UpperRegistry: 'alarm-received' once per new alarm from a lower. */
  registry: EventEmitter<UpperRegistryEvents>;
  node: Pick<SipNode, 'nextSn'>;
  /** SIP ID of this node's upper: an alarm that came from it (or is about it) never goes back. */
  upperId: string;
  sink: AlarmSink;
}

/** Starts relaying; returns the function that stops it. */
export function relayAlarms(d: AlarmRelayDeps): () => void {
  // The registry stores an alarm once per lower (MESSAGE and NOTIFY copies merged); this window
  // also merges the same alarm reaching us over two paths, so the upper gets it once.
  const relayed = new RecentKeys();
  const onAlarm = ({ lowerSipId, alarm }: { lowerSipId: string; alarm: AlarmNotify }): void => {
    if (lowerSipId === d.upperId || alarm.deviceId === d.upperId) return;
    if (!relayed.add(alarmKey(0, alarm))) return;
    d.sink(() => ({ ...alarm, sn: d.node.nextSn() }));
  };
  d.registry.on('alarm-received', onAlarm);
  return () => d.registry.off('alarm-received', onAlarm);
}
