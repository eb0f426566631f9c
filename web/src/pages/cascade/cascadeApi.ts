// The cascade API (src/api/routes/cascade.ts) as the 级联 page uses it: this node's SIP status and
// upper link, lower platforms (admin CRUD), their remote channel trees, alarms, RecordInfo.
import { request } from '../../api.ts';

export interface UpperLinkStatus {
  upperId: string;
  state: 'stopped' | 'registering' | 'registered' | 'failed';
  registeredAtMs?: number;
  expiresAtMs?: number;
  lastKeepaliveOkMs?: number;
  keepaliveFailures: number;
  /** Upper's clock minus ours (ms), from the Date header of its last 200 OK. */
  clockOffsetMs?: number;
  clockAccuracyMs?: number;
  lastError?: string;
  registrations: number;
  queuedNotifications: number;
}

export interface CascadeStatus {
  enabled: boolean;
  sipId?: string;
  domain?: string;
  udpPort?: number;
  tcpPort?: number;
  upper?: UpperLinkStatus;
  upperAddress?: { host: string; port: number; transport: 'udp' | 'tcp'; keepaliveS: number; expiresS: number };
  mediaSessions: number;
  lowers: number;
  lowersOnline: number;
}

export type LowerKind = 'platform' | 'device';

export interface Lower {
  id: number; sipId: string; name: string; kind: LowerKind; orgNodeId: number; enabled: boolean; online: boolean;
  registeredAtMs: number | null; expiresAtMs: number | null; lastKeepaliveMs: number | null; contact: string | null;
  catalogAtMs: number | null; channelCount: number;
  channelsOnline: number; channelsOffline: number; onlineSinceMs: number | null; offlineSinceMs: number | null; lastError: string | null;
  /** Declared GB/T 28181 version (X-GB-ver), when the server reports it. */
  gbVersion?: string | null;
}

export interface RemoteChannel {
  deviceId: string; parentId: string | null; name: string; kind: string; status: string | null;
  civilCode: string | null; manufacturer: string | null; model: string | null;
  /** The camera of this node that pulls the channel (source GB/T 28181), if any. */
  cameraId: number | null;
}

export interface CascadeAlarm {
  id: number; lowerId: number; deviceId: string; priority: number; method: number; alarmType: number | null;
  alarmAtMs: number | null; description: string | null; receivedAtMs: number; lowerName: string | null; channelName: string | null;
}

export interface RecordItem { deviceId: string; name?: string; startTime: string; endTime: string; fileSize?: number; type?: string }

export interface LowerInput { sipId: string; name: string; kind: LowerKind; password?: string; orgNodeId?: number }

export const cascadeApi = {
  status: () => request<CascadeStatus>('GET', '/api/cascade/status'),
  lowers: () => request<{ lowers: Lower[] }>('GET', '/api/cascade/lowers'),
  createLower: (b: LowerInput) => request<Lower>('POST', '/api/cascade/lowers', b),
  updateLower: (id: number, b: { name?: string; password?: string; enabled?: boolean }) => request<Lower>('PUT', `/api/cascade/lowers/${id}`, b),
  deleteLower: (id: number) => request<unknown>('DELETE', `/api/cascade/lowers/${id}`),
  channels: (id: number) => request<{ lower: Lower; channels: RemoteChannel[] }>('GET', `/api/cascade/lowers/${id}/channels`),
  refreshCatalog: (id: number) => request<{ items: number }>('POST', `/api/cascade/lowers/${id}/catalog`, {}),
  alarms: (lowerId: number | undefined, limit: number) =>
    request<{ alarms: CascadeAlarm[] }>('GET', `/api/cascade/alarms?limit=${limit}${lowerId !== undefined ? `&lowerId=${lowerId}` : ''}`),
  records: (channelId: string, fromMs: number, toMs: number) =>
    request<{ records: RecordItem[] }>('GET', `/api/cascade/channels/${channelId}/records?fromMs=${Math.floor(fromMs)}&toMs=${Math.ceil(toMs)}`),
};
