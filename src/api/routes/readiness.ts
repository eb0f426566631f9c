// Exam readiness (考前检测, issue 17): campaigns, probes, pictures, reference and checklist
// sign-offs, checklist templates. Thin: parse, call the readiness module (scope, permissions and
// audit live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ReadinessModule } from '../../readiness/index.ts';
import { reportedCampaignSchema, reportedSiteSchema, siteParam, uplinkBody, cameraParam, campaignDetailSchema, campaignSchema, contactBody, openCampaignBody, probeBody, referenceBody, signBody, signatureParam, templateBody, templateSchema } from '../../readiness/schemas.ts';
import { cascadeBandwidthBody, cascadeBandwidthSchema, reportedBandwidthSchema } from '../../readiness/cascade-bandwidth-schemas.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

export function readinessRoutes(m: ReadinessModule) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['readiness'];
    s.get('/api/readiness/campaigns', { schema: { tags, summary: '考前检测 Readiness campaigns I may see, with per-site state', response: { 200: z.object({ campaigns: z.array(campaignSchema) }) } } }, async (req) => ({ campaigns: await m.campaigns.list(actorOf(req)) }));
    s.post('/api/readiness/campaigns', { schema: { tags, summary: '发起考前检测 Open a campaign for my subtree (audited)', body: openCampaignBody, response: { 200: campaignDetailSchema } } }, (req) => m.campaigns.open(actorOf(req), req.body));
    s.get('/api/readiness/campaigns/:id', { schema: { tags, summary: '考前检测详情 Campaign with cameras, results, checklist and signatures in my scope', params: idParam, response: { 200: campaignDetailSchema } } }, (req) => m.campaigns.get(actorOf(req), req.params.id));
    s.put('/api/readiness/campaigns/:id/contacts', { schema: { tags, summary: '联系人 Set the named contact of a city/site (R-CITY-5, audited)', params: idParam, body: contactBody, response: { 200: campaignDetailSchema } } }, (req) => m.campaigns.setContact(actorOf(req), req.params.id, req.body));
    s.post('/api/readiness/campaigns/:id/close', { schema: { tags, summary: '结束检测 Close a campaign (audited)', params: idParam, response: { 200: campaignDetailSchema } } }, (req) => m.campaigns.close(actorOf(req), req.params.id));
    s.post('/api/readiness/campaigns/:id/probe', { schema: { tags, summary: '检测 Probe every camera, some rooms or some cameras (runs in the background; audited)', params: idParam, body: probeBody, response: { 200: z.object({ queued: z.number() }) } } }, async (req) => {
      const run = await m.probe(actorOf(req), req.params.id, req.body);
      return { queued: run.queued };
    });
    s.post('/api/readiness/campaigns/:id/sign', { schema: { tags, summary: '检查表签字 Sign a checklist item at a site as a named person (audited)', params: idParam, body: signBody, response: { 200: z.object({ id: z.number(), signedAtMs: z.number() }) } } }, (req) => m.signoff.sign(actorOf(req), req.params.id, req.body));
    s.get('/api/readiness/signatures/:signatureId/file', { schema: { tags, summary: '签字附件 The file attached to a signature', params: signatureParam } }, async (req, reply) => {
      const f = await m.signoff.signatureFile(actorOf(req), req.params.signatureId);
      return reply.type('application/octet-stream').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`).send(f.data);
    });
    s.get('/api/readiness/cameras/:cameraId/picture', { schema: { tags, summary: '画面 The newest probe picture or the signed reference (JPEG)', params: cameraParam, querystring: z.object({ which: z.enum(['current', 'reference']).default('current'), /** Cache buster of the console. */ t: z.string().max(20).optional() }).strict() } }, async (req, reply) =>
      reply.type('image/jpeg').header('cache-control', 'no-store').send(await m.signoff.picture(actorOf(req), req.params.cameraId, req.query.which)),
    );
    s.post('/api/readiness/cameras/:cameraId/reference', { schema: { tags, summary: '参考画面签字 Sign the newest picture as covering every seat (R-PRE-3, audited)', params: cameraParam, body: referenceBody, response: { 200: z.object({ signedAtMs: z.number() }) } } }, (req) =>
      m.signoff.signReference(actorOf(req), req.params.cameraId, req.body.signerName),
    );
    for (const kind of ['pdf', 'xlsx'] as const) {
      s.get(`/api/readiness/campaigns/:id/report.${kind}`, { schema: { tags, summary: `考前检测报告 ${kind === 'pdf' ? 'PDF (printable, signature lines)' : 'Excel'}: one site or every site in my scope, rolled up per city (audited)`, params: idParam, querystring: z.object({ siteId: z.coerce.number().int().positive().optional() }).strict() } }, async (req, reply) => {
        const file = await m.report(actorOf(req), req.params.id, kind, req.query.siteId);
        const type = kind === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
        return reply.type(type).header('content-disposition', `attachment; filename="readiness-${req.params.id}${req.query.siteId ? `-site-${req.query.siteId}` : ''}.${kind}"`).send(file);
      });
    }
    s.put('/api/readiness/sites/:siteId/uplink', { schema: { tags, summary: '上行带宽 Capacity of a site\'s link upward, kbit/s (R-PRE-4, audited)', params: siteParam, body: uplinkBody, response: { 200: z.object({ siteId: z.number(), capacityKbps: z.number() }) } } }, (req) => m.campaigns.setUplink(actorOf(req), req.params.siteId, req.body.capacityKbps));
    s.post('/api/readiness/lowers/:id/bandwidth', { schema: { tags, summary: '经级联实测带宽 Pull every channel of a lower at once over GB/T 28181 and measure bitrate, loss and jitter (R-PRE-4, audited)', params: idParam, body: cascadeBandwidthBody, response: { 200: cascadeBandwidthSchema } } }, (req) => m.cascadeBandwidth.measure(actorOf(req), req.params.id, req.body));
    s.get('/api/readiness/lowers/bandwidth', { schema: { tags, summary: '经级联实测带宽 Newest measurement of each lower I may see (R-PRE-4)', response: { 200: z.object({ lowers: z.array(cascadeBandwidthSchema) }) } } }, async (req) => ({ lowers: await m.cascadeBandwidth.latest(actorOf(req)) }));
    s.get('/api/readiness/reported', { schema: { tags, summary: '各级上报 Every site reported on the node-to-node channel: ready / not ready / not checked / not reported (R-PRE-2)', response: { 200: z.object({ sites: z.array(reportedSiteSchema) }) } } }, async (req) => ({ sites: await m.reported(actorOf(req)) }));
    s.get('/api/readiness/reported/bandwidth', { schema: { tags, summary: '各级实测带宽 Every bandwidth measurement through the cascade reported on the node-to-node channel (this level and below, R-PRE-4, R-PRE-2)', response: { 200: z.object({ measurements: z.array(reportedBandwidthSchema) }) } } }, async (req) => ({ measurements: await m.reportedBandwidth(actorOf(req)) }));
    s.get('/api/readiness/reported/campaigns', { schema: { tags, summary: '各级检测任务进度 Every campaign reported on the node-to-node channel (this level and below) with its progress (R-PRE-2)', response: { 200: z.object({ campaigns: z.array(reportedCampaignSchema) }) } } }, async (req) => ({ campaigns: await m.reportedCampaigns(actorOf(req)) }));
    s.get('/api/readiness/templates', { schema: { tags, summary: '检查表模板 Checklist templates that apply to me', response: { 200: z.object({ templates: z.array(templateSchema) }) } } }, async (req) => ({ templates: await m.signoff.templates(actorOf(req)) }));
    s.post('/api/readiness/templates', { schema: { tags, summary: '新建检查表模板 Create a template (audited)', body: templateBody, response: { 200: templateSchema } } }, (req) => m.signoff.saveTemplate(actorOf(req), undefined, req.body));
    s.put('/api/readiness/templates/:id', { schema: { tags, summary: '修改检查表模板 Replace a template and its items (audited)', params: idParam, body: templateBody, response: { 200: templateSchema } } }, (req) => m.signoff.saveTemplate(actorOf(req), req.params.id, req.body));
  };
}
