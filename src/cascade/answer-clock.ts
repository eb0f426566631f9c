// A GB/T 28181 device's (or lower platform's) clock from the Date header of the 200 OK answers to
// our own requests (MESSAGE queries: Catalog, DeviceInfo, DeviceStatus, RecordInfo; INVITE), issue 17
// R-PRE-6. Unlike the Date of a request the device sent us (bounded on one side only: it was written
// before we received it, by an unknown transit), an answer's Date was written between our send and
// our receipt, so each answer bounds device − node to [Date − received, Date + resolution − sent];
// the answers of the last 10 minutes are intersected exactly as the RTSP replies' Dates are
// (src/media/rtsp/date-clock.ts). Pure: fed the node times by the caller.
import { statedClock } from '../media/rtsp/date-clock.ts';
import type { DateSample, StatedClock } from '../media/rtsp/date-clock.ts';
import { parseSipDate, sipDateResolutionMs } from './upper-clock.ts';

/** Answers kept per device: enough to narrow the interval, few enough to stay cheap. */
const MAX_SAMPLES = 32;
/** Samples older than this before the newest are dropped (clocks drift, devices get set). */
const WINDOW_MS = 600_000;

export class AnswerClocks {
  private readonly samples = new Map<string, DateSample[]>();

  /**
   * Notes one answer's Date: `sentAtMs` when our request left, `receivedAtMs` when its answer came
   * (this node's clock). An answer without a readable Date is ignored (many devices send none).
   */
  note(deviceId: string, dateText: string | undefined, sentAtMs: number, receivedAtMs: number): boolean {
    const dateMs = parseSipDate(dateText);
    if (dateMs === undefined || dateText === undefined || receivedAtMs < sentAtMs) return false;
    const list = this.samples.get(deviceId) ?? [];
    list.push({ dateMs, sentAtMs, receivedAtMs, resolutionMs: sipDateResolutionMs(dateText) });
    // Answers may complete out of order (several queries in flight): keep them in arrival order.
    list.sort((a, b) => a.receivedAtMs - b.receivedAtMs);
    while (list.length > MAX_SAMPLES || (list.length > 1 && list[list.length - 1].receivedAtMs - list[0].receivedAtMs > WINDOW_MS)) list.shift();
    this.samples.set(deviceId, list);
    return true;
  }

  /** What the device's answers allow (offset = device − node, ± its half width), or undefined. */
  of(deviceId: string): StatedClock | undefined {
    const list = this.samples.get(deviceId);
    return list?.length ? statedClock(list) : undefined;
  }

  forget(deviceId: string): void {
    this.samples.delete(deviceId);
  }
}
