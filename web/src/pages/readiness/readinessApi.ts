// The readiness API (src/api/routes/readiness.ts) as the 考前检测 page uses it. The views are the
// server's own types (type-only imports: nothing of the server is bundled).
import type { CampaignDetailView, CampaignView, CameraResultView, SiteStateView, TemplateView } from '../../../../src/readiness/schemas.ts';
import type { ReportedSiteView } from '../../../../src/readiness/upward.ts';
import type { ReportedCampaignView } from '../../../../src/readiness/upward-campaigns.ts';
import { request } from '../../api.ts';

export type Campaign = CampaignView;
export type CampaignDetail = CampaignDetailView;
export type CameraResult = CameraResultView;
export type SiteState = SiteStateView;
export type Template = TemplateView;
export type TemplateBody = Pick<Template, 'requirement' | 'title' | 'checks'> & { orgNodeId?: number; items: Array<{ id?: number; text: string; per: 'site' | 'workstation' }> };

export const readinessApi = {
  campaigns: () => request<{ campaigns: Campaign[] }>('GET', '/api/readiness/campaigns'),
  reported: () => request<{ sites: ReportedSiteView[] }>('GET', '/api/readiness/reported'),
  campaign: (id: number) => request<CampaignDetail>('GET', `/api/readiness/campaigns/${id}`),
  open: (b: { name: string; checks: 'full' | 'clock'; deadlineMs: number; orgNodeId?: number; contacts?: Array<{ orgNodeId: number; name: string; phone: string }> }) => request<CampaignDetail>('POST', '/api/readiness/campaigns', b),
  probe: (id: number, b: { cameraIds?: number[]; roomIds?: number[] }) => request<{ queued: number }>('POST', `/api/readiness/campaigns/${id}/probe`, b),
  signReference: (cameraId: number, signerName: string) => request<{ signedAtMs: number }>('POST', `/api/readiness/cameras/${cameraId}/reference`, { signerName }),
  sign: (id: number, b: { itemId: number; siteId: number; subject?: string; outcome: 'ok' | 'fail'; signerName: string; note?: string; file?: { name: string; dataBase64: string } }) =>
    request<{ id: number }>('POST', `/api/readiness/campaigns/${id}/sign`, b),
  reportUrl: (id: number, format: 'pdf' | 'xlsx', siteId?: number) => `/api/readiness/campaigns/${id}/report.${format}${siteId ? `?siteId=${siteId}` : ''}`,
  reportedCampaigns: () => request<{ campaigns: ReportedCampaignView[] }>('GET', '/api/readiness/reported/campaigns'),
  setUplink: (siteId: number, capacityKbps: number) => request<{ siteId: number; capacityKbps: number }>('PUT', `/api/readiness/sites/${siteId}/uplink`, { capacityKbps }),
  templates: () => request<{ templates: Template[] }>('GET', '/api/readiness/templates'),
  saveTemplate: (id: number | undefined, b: TemplateBody) => (id === undefined ? request<Template>('POST', '/api/readiness/templates', b) : request<Template>('PUT', `/api/readiness/templates/${id}`, b)),
  pictureUrl: (cameraId: number, which: 'current' | 'reference', bust: number) => `/api/readiness/cameras/${cameraId}/picture?which=${which}&t=${bust}`,
};
