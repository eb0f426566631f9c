// Fault tickets and ledger entries seen from above (R-FLT-1, docs/design/ledger.md): what lower
// nodes published on the node-to-node channel (topics `fault.ticket`, `ledger.device`). A ticket
// that came through a stale lower is shown as stale with its last reported state, never as
// current; a lower that reports nothing is listed as not reporting. Pure.
import type { UplinkItemView, UplinkPeerView } from '../uplink/index.ts';
import type { DeviceView, TicketView } from './schemas.ts';

export interface ReportedTicketView {
  originCode: string;
  /** Lower node the report came through (its name), or this node for its own tickets. */
  via: string;
  ticket: TicketView;
  /** The channel of the lower is stale: `ticket` is the last state it reported. */
  stale: boolean;
  updatedAtMs: number;
}

export interface ReportedNodeView { code: string; name: string; viaCode: string | null; stale: boolean; lastReceivedAtMs: number | null }

export function reportedTickets(items: readonly UplinkItemView[], peers: readonly UplinkPeerView[], ownName: string): { tickets: ReportedTicketView[]; nodes: ReportedNodeView[] } {
  // Tied to the lower it came through (viaLowerId): an origin's org code is not the lower's SIP id.
  const tickets: ReportedTicketView[] = [];
  for (const it of items) {
    if (it.body === null || typeof it.body !== 'object') continue;
    tickets.push({ originCode: it.originCode, via: (it.viaLowerId === null ? undefined : peers.find((p) => p.lowerId === it.viaLowerId))?.name ?? ownName, ticket: it.body as TicketView, stale: it.stale, updatedAtMs: it.updatedAtMs });
  }
  const nodes = peers.map((p) => ({ code: p.code, name: p.name, viaCode: p.viaCode, stale: p.stale, lastReceivedAtMs: p.lastReceivedAtMs }));
  return { tickets, nodes };
}

/**
 * The ledger of one site as published upward (`ledger.device`, this node's own included), for the
 * drill-down's site level; `stale` when it came through a stale lower (its last reported state).
 */
export function reportedDevices(items: readonly UplinkItemView[], siteCode: string): { devices: DeviceView[]; stale: boolean } {
  const mine = items.filter((it) => it.body !== null && typeof it.body === 'object' && (it.body as DeviceView).nodeCode === siteCode);
  const devices = mine.map((it) => it.body as DeviceView).sort((a, b) => a.deviceClass.localeCompare(b.deviceClass) || a.code.localeCompare(b.code));
  return { devices, stale: mine.some((it) => it.stale) };
}
