// Faults reported upward as they happen (R-FLT-1): a camera going from online to error is a GB
// video-loss alarm (AlarmMethod 2, AlarmType 1); a recording run ending for any reason but a
// deliberate stop is a recording-gap alarm (AlarmMethod 7). A camera coming back is announced as
// a Catalog notification so the upper refreshes its status.
import type { CameraStatusEvent, EventBus, RunEndedEvent } from '../events/bus.ts';
import { formatGbTime } from '../gb28181/index.ts';
import type { ManscdpMessage } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { LowerLink } from './lower-link.ts';
import type { SipNode } from './sip-node.ts';

export function catalogChangeXml(sn: number, selfId: string, deviceId: string, event: 'ON' | 'OFF' | 'UPDATE'): string {
  return `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Catalog</CmdType>\r\n<SN>${sn}</SN>\r\n<DeviceID>${selfId}</DeviceID>\r\n<SumNum>1</SumNum>\r\n<DeviceList Num="1">\r\n<Item>\r\n<DeviceID>${deviceId}</DeviceID>\r\n<Event>${event}</Event>\r\n</Item>\r\n</DeviceList>\r\n</Notify>\r\n`;
}

export function watchFaults(events: EventBus, store: Store, node: SipNode, link: LowerLink): () => void {
  const last = new Map<number, CameraStatusEvent['state']>();
  const codeOf = async (cameraId: number) => (await repos(store.db).cameras.get({ kind: 'all' }, cameraId))?.gb_code;
  const alarm = (deviceId: string, atMs: number, method: number, type: number | undefined, description: string): ManscdpMessage => ({
    kind: 'alarm', sn: node.nextSn(), deviceId, alarmPriority: 1, alarmMethod: method, alarmTime: formatGbTime(atMs), alarmDescription: description.slice(0, 120), ...(type !== undefined ? { alarmType: type } : {}),
  });
  const onStatus = (s: CameraStatusEvent): void => {
    const prev = last.get(s.cameraId);
    last.set(s.cameraId, s.state);
    if (prev === s.state) return;
    void codeOf(s.cameraId).then((code) => {
      if (!code) return;
      if (s.state === 'error' && prev === 'online') link.notify(() => alarm(code, s.atMs, 2, 1, `视频丢失 camera offline: ${s.reason ?? 'error'}${s.detail ? ` (${s.detail})` : ''}`));
      else if (s.state === 'online' && prev === 'error') link.notify(() => catalogChangeXml(node.nextSn(), node.identity.id, code, 'ON'));
    });
  };
  const onRunEnded = (e: RunEndedEvent): void => {
    if (e.reason === 'stopped' || e.reason === 'reconfigured' || e.reason === 'removed') return;
    void codeOf(e.cameraId).then((code) => {
      if (code) link.notify(() => alarm(code, e.endedAtMs, 7, undefined, `录像中断 recording gap from ${formatGbTime(e.endedAtMs)}: ${e.reason}`));
    });
  };
  events.on('camera.status', onStatus);
  events.on('recording.run-ended', onRunEnded);
  return () => {
    events.off('camera.status', onStatus);
    events.off('recording.run-ended', onRunEnded);
  };
}
