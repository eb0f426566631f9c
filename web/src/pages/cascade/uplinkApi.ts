// The node-to-node channel's views (src/api/routes/uplink.ts) as the 级联 page reads them; the
// server's own types, imported type-only.
import type { SenderStatus, UplinkPeerView } from '../../../../src/uplink/index.ts';
import { request } from '../../api.ts';

export type UplinkPeer = UplinkPeerView;
export type UplinkSenderStatus = SenderStatus;

export const uplinkApi = {
  peers: () => request<{ peers: UplinkPeer[]; sender?: UplinkSenderStatus }>('GET', '/api/uplink/peers'),
};
