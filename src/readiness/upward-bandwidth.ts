// Bandwidth measured through the cascade, upward (R-PRE-4, R-PRE-2): each measurement an upper node
// makes of one lower (cascade-bandwidth-service.ts) is published on the node-to-node channel
// (topic `readiness.cascade_bandwidth`, key = the lower's SIP id, scope = the lower's org node), so
// the levels above see what the link achieved — the city measured, the province follows — with
// every other readiness result. Newest per lower; one that came through a stale lower says so. Pure.
import type { UplinkItemView } from '../uplink/index.ts';
import type { CascadeBandwidthView } from './cascade-bandwidth-service.ts';

export const BANDWIDTH_TOPIC = 'readiness.cascade_bandwidth';

/** What travels: the view and the name of the node that measured. */
export interface BandwidthItemBody extends CascadeBandwidthView {
  measuredAt: string;
}

export interface ReportedBandwidthView extends BandwidthItemBody {
  /** The org node the measured lower belongs to (its GB code). */
  originCode: string;
  stale: boolean;
  updatedAtMs: number;
}

export function bandwidthItemBody(v: CascadeBandwidthView, measuredAt: string): BandwidthItemBody {
  return { ...v, measuredAt };
}

/** Every reported measurement (this node's and lower levels'), newest first. */
export function reportedBandwidth(items: readonly UplinkItemView[]): ReportedBandwidthView[] {
  return items
    .filter((it) => it.body !== null && typeof it.body === 'object' && typeof (it.body as BandwidthItemBody).achievedKbps === 'number' && typeof (it.body as BandwidthItemBody).verdict === 'string')
    .map((it) => ({ ...(it.body as BandwidthItemBody), originCode: it.originCode, stale: it.stale, updatedAtMs: it.updatedAtMs }))
    .sort((a, b) => b.measuredAtMs - a.measuredAtMs || a.lowerName.localeCompare(b.lowerName));
}
