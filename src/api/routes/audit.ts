// Audit log browsing, CSV export and chain verification (discipline inspectors, R-ACC-1).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { auditCsv, auditRecordView } from '../../audit/audit-views.ts';
import { requirePermission } from '../../auth/guard.ts';
import { repos } from '../../store/repos/index.ts';
import { actorOf } from '../context.ts';
import { auditQuery, auditRecordSchema } from '../schemas.ts';

export function auditRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['audit'];
    s.get('/api/audit', { schema: { tags, summary: '审计日志 Audit records in scope', querystring: auditQuery, response: { 200: z.object({ total: z.number(), records: z.array(auditRecordSchema) }) } } }, async (req) => {
      const actor = actorOf(req);
      await requirePermission(app.audit, actor, 'audit.read', 'audit.read', 'audit', '*');
      const { total, records } = await repos(app.store.db).audit.list(actor.scope, req.query);
      return { total, records: records.map(auditRecordView) };
    });
    s.get('/api/audit/export.csv', { schema: { tags, summary: '导出审计日志 Export audit CSV', querystring: auditQuery.omit({ limit: true, offset: true }) } }, async (req, reply) => {
      const actor = actorOf(req);
      await requirePermission(app.audit, actor, 'audit.read', 'audit.export', 'audit', '*');
      const { records } = await repos(app.store.db).audit.list(actor.scope, { ...req.query, limit: 100_000, offset: 0 });
      await app.audit.record(actor, { action: 'audit.export', objectType: 'audit', objectId: '*', scopePath: actor.scope.kind === 'all' ? '/' : actor.scope.path, detail: { filter: req.query, count: records.length } });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="xuncha-audit.csv"').send(auditCsv(records));
    });
    s.get('/api/audit/verify', { schema: { tags, summary: '校验哈希链 Verify the hash chain', response: { 200: z.object({ ok: z.boolean(), checked: z.number(), firstBadSeq: z.number().optional(), reason: z.string().optional() }) } } }, async (req) => {
      const actor = actorOf(req);
      await requirePermission(app.audit, actor, 'audit.read', 'audit.verify', 'audit', '*');
      return app.audit.verify();
    });
  };
}
