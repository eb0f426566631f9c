// Equipment ledger, fault tickets and training records (设备台账 · 故障工单, issue 19). Thin: parse,
// call the ledger module (scope, permissions and audit live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LedgerModule } from '../../ledger/index.ts';
import { deviceBody, deviceSchema, openTicketBody, ticketActionBody, ticketDetailSchema, ticketListQuery, ticketSchema, trainingBody, trainingSchema } from '../../ledger/schemas.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

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
    s.get('/api/users/:id/training', { schema: { tags, summary: '培训记录 Training records of a user (R-PRE-1)', params: idParam, response: { 200: z.object({ records: z.array(trainingSchema) }) } } }, async (req) => ({ records: await m.ledger.training(actorOf(req), req.params.id) }));
    s.post('/api/users/:id/training', { schema: { tags, summary: '新增培训记录 Record a training (audited)', params: idParam, body: trainingBody, response: { 200: trainingSchema } } }, (req) => m.ledger.addTraining(actorOf(req), req.params.id, req.body));
    s.delete('/api/training/:id', { schema: { tags, summary: '删除培训记录 Delete a training record (audited)', params: idParam } }, async (req) => {
      await m.ledger.removeTraining(actorOf(req), req.params.id);
      return { ok: true };
    });
  };
}
