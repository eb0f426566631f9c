// Upward keys of this node's own server row (docs/design/ledger.md "Upward flow"). The NODE-SERVER
// row stands for the org node `ledger.nodeOrgCode` (the root of the tree by default), which every
// node seeded with the same tree shares: two lowers then publish under the same origin code, and
// under the key `NODE-SERVER` (and a ticket id alone) their server rows and server tickets
// overwrote each other at the upper. The node's own GB/T 28181 id — unique per node, and present
// whenever the node has an upper (the channel is authenticated by that registration) — tells them
// apart. Other rows keep their keys: their org nodes are the sites', which differ. Pure.
import type { PublishInput } from '../uplink/index.ts';

export const NODE_SERVER_CODE = 'NODE-SERVER';
const DEVICE_TOPIC = 'ledger.device';
const TICKET_TOPIC = 'fault.ticket';

/** The key an item of this node goes upward under; unchanged but for the server row and its tickets. */
export function upwardKey(input: Pick<PublishInput, 'topic' | 'key' | 'body'>, nodeId: string | undefined): string {
  if (!nodeId) return input.key;
  if (input.topic === DEVICE_TOPIC && input.key === NODE_SERVER_CODE) return `${NODE_SERVER_CODE}@${nodeId}`;
  const body = input.body as { deviceCode?: unknown } | null;
  if (input.topic === TICKET_TOPIC && body?.deviceCode === NODE_SERVER_CODE) return `${nodeId}:${input.key}`;
  return input.key;
}
