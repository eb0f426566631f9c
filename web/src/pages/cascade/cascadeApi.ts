// The cascade API (src/api/routes/cascade.ts) as the 级联 page uses it: this node's SIP status and
// upper link, lower platforms (admin CRUD), their remote channel trees, alarms, RecordInfo.
import type { LowerLinkStatus } from '../../../../src/cascade/lower-link.ts';
import type { CascadeAlarmDetailView, CascadeService, LowerDetailView, RemoteChannelView } from '../../../../src/cascade/service.ts';
import type { RecordItem as GbRecordItem } from '../../../../src/gb28181/manscdp/messages.ts';
import type { LowerPlatformKind } from '../../../../src/store/schema.ts';
import { request } from '../../api.ts';

// The views are the server's own types (type-only imports: nothing of the server is bundled), so
// the page and the API cannot drift apart.
export type UpperLinkStatus = LowerLinkStatus;
export type CascadeStatus = Awaited<ReturnType<CascadeService['status']>>;
export type VoiceLeg = CascadeStatus['voiceLegs'][number];
export type LowerKind = LowerPlatformKind;
export type Lower = LowerDetailView;
/** `cameraId`: the camera of this node that pulls the channel (source GB/T 28181), if any. */
export type RemoteChannel = RemoteChannelView & { cameraId: number | null };
export type CascadeAlarm = CascadeAlarmDetailView;
/** The fields the route answers (src/api/routes/cascade.ts recordSchema). */
export type RecordItem = Pick<GbRecordItem, 'deviceId' | 'name' | 'startTime' | 'endTime' | 'fileSize' | 'type'>;

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
