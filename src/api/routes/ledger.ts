// Equipment ledger, fault tickets and training records (设备台账 · 故障工单, issue 19). Thin: parse,
// call the ledger module (scope, permissions and audit live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LedgerModule } from '../../ledger/index.ts';
import { deviceBody, deviceSchema, openTicketBody, ticketActionBody, ticketDetailSchema, ticketListQuery, ticketSchema, trainingBody, trainingSchema } from '../../ledger/schemas.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function ledgerRoutes(m: LedgerModule) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['ledger'];
    s.get('/api/ledger/devices', { schema: { tags, summary: '设备台账 Devices in my scope', querystring: z.object({ nodeId: z.coerce.number().int().positive().optional() }).strict(), response: { 200: z.object({ devices: z.array(deviceSchema) }) } } }, async (req) => ({ devices: await m.ledger.list(actorOf(req), req.query.nodeId) }));
    s.post('/api/ledger/devices', { schema: { tags, summary: '新增设备 Add a device to the ledger (audited)', body: deviceBody, response: { 200: deviceSchema } } }, (req) => m.ledger.create(actorOf(req), req.body));
    s.get('/api/ledger/devices/:id', { schema: { tags, summary: '设备卡片 One device with its tickets (R-SEC-2)', params: idParam, response: { 200: z.object({ device: deviceSchema, tickets: z.array(ticketSchema) }) } } }, async (req) => {
      const actor = actorOf(req);
      const device = await m.ledger.get(actor, req.params.id);
      return { device, tickets: await m.faults.list(actor, { deviceId: device.id }) };
    });
    const cardQuery = z.object({ days: z.coerce.number().int().min(1).max(400).default(7) }).strict();
    s.get('/api/ledger/devices/:id/card', { schema: { tags, summary: '设备卡片 Facts, tickets, health history (online/offline spans, bitrate, frame rate, loss, recording, clock offset) and latest readiness results (R-SEC-2)', params: idParam, querystring: cardQuery } }, (req) => m.card(actorOf(req), req.params.id, req.query.days));
    s.get('/api/ledger/devices/:id/card.pdf', { schema: { tags, summary: '打印设备卡片 The device card as A4 PDF (audited)', params: idParam, querystring: cardQuery } }, async (req, reply) => reply.type('application/pdf').header('content-disposition', `attachment; filename="device-${req.params.id}.pdf"`).send(await m.cardPdf(actorOf(req), req.params.id, req.query.days)));
    s.put('/api/ledger/devices/:id', { schema: { tags, summary: '修改设备 Change a device (audited)', params: idParam, body: deviceBody, response: { 200: deviceSchema } } }, (req) => m.ledger.update(actorOf(req), req.params.id, req.body));
    s.delete('/api/ledger/devices/:id', { schema: { tags, summary: '删除设备 Remove a device from the ledger (audited)', params: idParam } }, async (req) => {
      await m.ledger.remove(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.get('/api/faults/tickets', { schema: { tags, summary: '故障工单 Tickets in my scope', querystring: ticketListQuery, response: { 200: z.object({ tickets: z.array(ticketSchema), limits: z.object({ ackLimitMs: z.number(), repairLimitMs: z.number() }) }) } } }, async (req) => ({ tickets: await m.faults.list(actorOf(req), req.query), limits: m.limits }));
    s.get('/api/faults/reported', { schema: { tags, summary: '各级故障工单 Tickets reported by every lower on the node-to-node channel, stale lowers flagged (R-FLT-1)' } }, (req) => m.reported(actorOf(req)));
    s.post('/api/faults/tickets', { schema: { tags, summary: '报修 Open a ticket by hand (audited)', body: openTicketBody, response: { 200: ticketDetailSchema } } }, (req) => m.faults.open(actorOf(req), req.body));
    s.get('/api/faults/tickets/:id', { schema: { tags, summary: '工单详情 Ticket with its history', params: idParam, response: { 200: ticketDetailSchema } } }, (req) => m.faults.get(actorOf(req), req.params.id));
    s.post('/api/faults/tickets/:id/action', { schema: { tags, summary: '工单处理 Acknowledge / start repair / mark repaired (verify is refused: the system verifies; audited)', params: idParam, body: ticketActionBody, response: { 200: ticketDetailSchema } } }, (req) => m.faults.act(actorOf(req), req.params.id, req.body.action, req.body.note));
    s.get('/api/ledger/devices.xlsx', { schema: { tags, summary: '导出设备台账 Export the ledger as .xlsx (audited)' } }, async (req, reply) => reply.type(XLSX_TYPE).header('content-disposition', 'attachment; filename="ledger.xlsx"').send(await m.transfer.export(actorOf(req))));
    s.get('/api/ledger/template.xlsx', { schema: { tags, summary: '设备台账导入模板 Import template (.xlsx): the ledger\'s columns, empty, and a sheet 填写说明 of what each column takes' } }, async (req, reply) => reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="ledger-template.xlsx"; filename*=UTF-8''${encodeURIComponent('设备台账导入模板.xlsx')}`).send(await m.transfer.template(actorOf(req))));
    s.post('/api/ledger/import', { bodyLimit: 8 * 1024 * 1024, schema: { tags, summary: '导入设备台账 Import .xlsx: rows matched by node and device code; any wrong row → nothing applied (audited)', body: z.object({ dataBase64: z.string().min(1).max(7_500_000) }).strict() } }, (req) => m.transfer.import(actorOf(req), Buffer.from(req.body.dataBase64, 'base64')));
    s.get('/api/ledger/health', { schema: { tags, summary: '运行状态 This node\'s health (disk, clock, memory, CPU, database) and every lower\'s as reported upward, stale flagged (R-ORG-2, R-CITY-4)' } }, (req) => m.healthView(actorOf(req)));
    s.get('/api/ledger/rollup', { schema: { tags, summary: '分级运行概况 Roll-up per level: the org tree with, per node, sites, cameras online and recording, unverified tickets and report freshness from what the sites report upward; stale sites counted apart (R-FN-3, R-CITY-4)' } }, (req) => m.rollupView(actorOf(req)));
    s.get('/api/ledger/report.xlsx', { schema: { tags, summary: '运行日报/周报/月报 Health report of the last full day, week or month per level as .xlsx: roll-up as reported now, tickets per site in the period (audited)', querystring: z.object({ period: z.enum(['day', 'week', 'month']).default('week') }).strict() } }, async (req, reply) => reply.type(XLSX_TYPE).header('content-disposition', `attachment; filename="ledger-${req.query.period}.xlsx"`).send(await m.report(actorOf(req), req.query.period)));
    s.get('/api/ledger/site-devices', { schema: { tags, summary: '考点设备 A site\'s devices as reported upward (drill-down; stale flagged)', querystring: z.object({ code: z.string().regex(/^[0-9A-Za-z-]{1,32}$/) }).strict() } }, (req) => m.siteDevices(actorOf(req), req.query.code));
    s.get('/api/ledger/reports', { schema: { tags, summary: '运行日报/周报/月报 Health reports kept on this node (written after each day, week and month, or on demand) for the nodes in my scope' } }, async (req) => ({ reports: await m.reports.list(actorOf(req)) }));
    s.post('/api/ledger/reports', { schema: { tags, summary: '生成运行报告 Write the report of the last full day, week or month for a node in my scope now, PDF and Excel, kept and listed (audited)', body: z.object({ period: z.enum(['day', 'week', 'month']), nodeId: z.number().int().positive().optional() }).strict() } }, (req) => m.reports.generate(actorOf(req), req.body.period, req.body.nodeId));
    s.get('/api/ledger/reports/:id/:format', { schema: { tags, summary: '下载运行报告 Download a kept report as PDF or Excel (audited)', params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,60}$/), format: z.enum(['pdf', 'xlsx']) }).strict() } }, async (req, reply) => {
      const f = await m.reports.file(actorOf(req), req.params.id, req.params.format);
      return reply.type(req.params.format === 'pdf' ? 'application/pdf' : XLSX_TYPE).header('content-disposition', `attachment; filename="${f.name}"`).send(f.bytes);
    });
    s.get('/api/users/:id/training', { schema: { tags, summary: '培训记录 Training records of a user (R-PRE-1)', params: idParam, response: { 200: z.object({ records: z.array(trainingSchema) }) } } }, async (req) => ({ records: await m.ledger.training(actorOf(req), req.params.id) }));
    s.post('/api/users/:id/training', { schema: { tags, summary: '新增培训记录 Record a training (audited)', params: idParam, body: trainingBody, response: { 200: trainingSchema } } }, (req) => m.ledger.addTraining(actorOf(req), req.params.id, req.body));
    s.delete('/api/training/:id', { schema: { tags, summary: '删除培训记录 Delete a training record (audited)', params: idParam } }, async (req) => {
      await m.ledger.removeTraining(actorOf(req), req.params.id);
      return { ok: true };
    });
  };
}
