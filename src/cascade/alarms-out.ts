// Faults reported upward as they happen (R-FLT-1): a camera going into error (once per fault) is a GB
// video-loss alarm (AlarmMethod 2, AlarmType 1); a recording run ending for any reason but a
// deliberate stop is a recording-gap alarm (AlarmMethod 7). Where they go — a NOTIFY in the
// upper's alarm subscription or a plain MESSAGE — is the sink's business (subscriptions-lower.ts).
// The camera's ON/OFF reaches the upper as catalog events (catalog-watch.ts).
import type { CameraStatusEvent, EventBus, RunEndedEvent } from '../events/bus.ts';
import { formatGbTime } from '../gb28181/index.ts';
import type { AlarmNotify } from '../gb28181/index.ts';
import type { Store } from '../store/db.ts';
import { repos } from '../store/repos/index.ts';
import type { SipNode } from './sip-node.ts';

/** Sends an alarm upward; `build` is called when it goes (SN taken then). */
export type AlarmSink = (build: () => AlarmNotify) => void;

export function watchFaults(events: EventBus, store: Store, node: SipNode, sink: AlarmSink): () => void {
  /** Cameras with a video-loss alarm sent and not yet recovered (online again). */
  const faulty = new Set<number>();
  const codeOf = async (cameraId: number) => (await repos(store.db).cameras.get({ kind: 'all' }, cameraId))?.gb_code;
  const alarm = (deviceId: string, atMs: number, method: number, type: number | undefined, description: string): AlarmNotify => ({
    kind: 'alarm', sn: node.nextSn(), deviceId, alarmPriority: 1, alarmMethod: method, alarmTime: formatGbTime(atMs), alarmDescription: description.slice(0, 120), ...(type !== undefined ? { alarmType: type } : {}),
  });
  const onStatus = (s: CameraStatusEvent): void => {
    // One alarm per fault, whatever led to it (issue 15 defect 6): a drop while online, but also a
    // camera that cannot connect after its stream path changed (stopped → connecting → error) or
    // after start. Retries of a camera still down are the same fault. Online again ends it; the
    // upper clears its alarm when the channel is reported ON (catalog event).
    if (s.state === 'online') faulty.delete(s.cameraId);
    if (s.state !== 'error' || faulty.has(s.cameraId)) return;
    faulty.add(s.cameraId);
    void codeOf(s.cameraId).then((code) => {
      if (code) sink(() => alarm(code, s.atMs, 2, 1, `视频丢失 camera offline: ${s.reason ?? 'error'}${s.detail ? ` (${s.detail})` : ''}`));
    }, () => undefined); // camera removed meanwhile
  };
  const onRunEnded = (e: RunEndedEvent): void => {
    if (e.reason === 'stopped' || e.reason === 'reconfigured' || e.reason === 'removed') return;
    void codeOf(e.cameraId).then((code) => {
      if (code) sink(() => alarm(code, e.endedAtMs, 7, undefined, `录像中断 recording gap from ${formatGbTime(e.endedAtMs)}: ${e.reason}`));
    }, () => undefined);
  };
  events.on('camera.status', onStatus);
  events.on('recording.run-ended', onRunEnded);
  return () => {
    events.off('camera.status', onStatus);
    events.off('recording.run-ended', onRunEnded);
  };
}
