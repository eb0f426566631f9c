// Export requests (issue 14 item 6): a patroller asks, a leader or administrator decides, the
// requester downloads. Rules live in src/playback/export-request-service.ts.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ExportRequestService } from '../../playback/export-request-service.ts';
import { actorOf, sessionOf } from '../context.ts';

const requestBody = z.object({ cameraIds: z.array(z.number().int().positive()).min(1).max(16), fromMs: z.number().int(), toMs: z.number().int(), purpose: z.string().max(500) }).strict();
const idParams = z.object({ id: z.coerce.number().int().positive() });
const decideBody = z.object({ approve: z.boolean(), note: z.string().max(500).optional() }).strict();

export function exportRequestRoutes(requests: ExportRequestService) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['playback'];
    s.post('/api/export-requests', { schema: { tags, summary: '申请导出录像 Request an export (approved by a leader or administrator)', body: requestBody } }, async (req, reply) => reply.code(201).send(await requests.request(actorOf(req), req.body)));
    s.get('/api/export-requests', { schema: { tags, summary: '导出申请 Export requests (deciders: all in scope; others: their own)', querystring: z.object({ state: z.enum(['pending', 'approved', 'rejected']).optional() }).strict() } }, async (req) => ({ requests: await requests.list(actorOf(req), req.query.state) }));
    s.get('/api/export-requests/:id', { schema: { tags, summary: '导出申请 Export request', params: idParams } }, async (req) => requests.get(actorOf(req), req.params.id));
    s.post('/api/export-requests/:id/decide', { schema: { tags, summary: '审批导出申请 Approve or reject', params: idParams, body: decideBody } }, async (req) => requests.decide(actorOf(req), req.params.id, req.body.approve, req.body.note));
    s.post('/api/export-requests/:id/token', { schema: { tags, summary: '下载令牌（申请人） Download token for the requester', params: idParams } }, async (req) => {
      const t = await requests.downloadToken(actorOf(req), sessionOf(req).sessionId, req.params.id);
      return { ...t, url: `/api/exports/${t.exportId}/download?token=${encodeURIComponent(t.token)}` };
    });
  };
}
