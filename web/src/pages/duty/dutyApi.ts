// The 值班 page's calls to /api/duty/* (issue 18): same CSRF and 401 handling as every page
// (request of api.ts). Types come from the server's services (type-only imports).
import { request } from '../../api.ts';
import type { ViewRequestView } from '../../../../src/duty/grant-service.ts';
import type { ReceivedRequestView } from '../../../../src/duty/grant-remote.ts';
import type { EvidenceRef, IncidentView, ReceivedIncident } from '../../../../src/duty/incident-service.ts';
import type { PatrolLog, PatrolNoteView } from '../../../../src/duty/patrol-service.ts';
import type { RosterView } from '../../../../src/duty/roster-service.ts';
import type { DutyStatusView } from '../../../../src/duty/duty-service.ts';
import type { DutyRole, IncidentCategory, IncidentHandlingState } from '../../../../src/store/schema.ts';

export type DutyStatus = DutyStatusView;
export type { IncidentView, PatrolLog, ReceivedIncident, ReceivedRequestView, RosterView, ViewRequestView };

const enc = encodeURIComponent;

export const dutyApi = {
  status: () => request<DutyStatus>('GET', '/api/duty/status'),
  enroll: (b: { roomId: number; name: string }) => request<{ id: number }>('POST', '/api/duty/workstations', b),
  checkIn: (b: { username: string; password: string; totp?: string }) => request<{ id: number; name: string; sinceMs: number }>('POST', '/api/duty/checkins', b),
  confirmPresence: (id: number, b: { password: string; totp?: string }) => request<{ id: number; name: string; lastPresentAtMs: number }>('POST', `/api/duty/checkins/${id}/confirm`, b),
  checkOut: (id: number) => request<{ ok: boolean }>('POST', `/api/duty/checkins/${id}/checkout`, {}),
  roster: () => request<{ roster: RosterView[] }>('GET', '/api/duty/roster'),
  addRoster: (b: { roomId: number; userId: number; dutyRole: DutyRole; fromMs: number; toMs: number }) => request<RosterView>('POST', '/api/duty/roster', b),
  removeRoster: (id: number) => request<{ ok: boolean }>('DELETE', `/api/duty/roster/${id}`),
  patrolLog: (fromMs: number, toMs: number) => request<PatrolLog>('GET', `/api/duty/patrol-log?fromMs=${fromMs}&toMs=${toMs}`),
  addNote: (b: { cameraId: number; text: string }) => request<PatrolNoteView>('POST', '/api/duty/patrol-notes', b),
  grants: () => request<{ grants: ViewRequestView[] }>('GET', '/api/duty/grants'),
  requestExport: (b: { cameraIds: number[]; fromMs: number; toMs: number; purpose: string }) => request<{ id: number }>('POST', '/api/export-requests', b),
  receivedGrants: () => request<{ requests: ReceivedRequestView[] }>('GET', '/api/duty/grants/received'),
  decideReceived: (originCode: string, key: string, approve: boolean, note?: string) => request<ReceivedRequestView>('POST', `/api/duty/grants/received/${originCode}/${key}/decision`, { approve, note }),
  requestGrant: (b: { cameraIds: number[]; roomIds: number[]; reason: string; fromMs: number; toMs: number }) => request<ViewRequestView>('POST', '/api/duty/grants', b),
  cancelGrant: (id: number) => request<ViewRequestView>('POST', `/api/duty/grants/${id}/cancel`),
  decideGrant: (id: number, approve: boolean, note?: string) => request<ViewRequestView>('POST', `/api/duty/grants/${id}/decision`, { approve, note }),
  incidents: () => request<{ incidents: IncidentView[] }>('GET', '/api/duty/incidents'),
  markIncident: (b: { cameraIds: number[]; fromMs: number; toMs: number; category: IncidentCategory; description: string }) => request<IncidentView>('POST', '/api/duty/incidents', b),
  markAt: (b: { cameraIds: number[]; source: 'live' | 'playback'; atMs?: number; category: IncidentCategory; description: string }) => request<IncidentView & { evidence: EvidenceRef }>('POST', '/api/duty/incidents/mark', b),
  received: () => request<{ incidents: ReceivedIncident[] }>('GET', '/api/duty/incidents/received'),
  handle: (originCode: string, key: string, state: IncidentHandlingState, note?: string) =>
    request<ReceivedIncident>('POST', `/api/duty/incidents/received/${enc(originCode)}/${enc(key)}/handling`, { state, note }),
};
