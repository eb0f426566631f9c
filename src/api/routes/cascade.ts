// GB/T 28181 cascade: this node's SIP status, lower platforms (admin CRUD), their remote channel
// trees, alarms received, RecordInfo and PTZ passthrough. Rules live in CascadeService.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { nameSchema } from '../../util/text.ts';
import type { App } from '../../app.ts';
import type { CascadeModule } from '../../cascade/index.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

const gbId = z.string().regex(/^\d{20}$/, '国标编号必须是20位数字 (20 digits)');
const lowerSchema = z.object({
  id: z.number(), sipId: z.string(), name: z.string(), kind: z.enum(['platform', 'device']), orgNodeId: z.number(), enabled: z.boolean(), online: z.boolean(),
  registeredAtMs: z.number().nullable(), expiresAtMs: z.number().nullable(), lastKeepaliveMs: z.number().nullable(), contact: z.string().nullable(),
  catalogAtMs: z.number().nullable(), channelCount: z.number(),
  // GB/T 28181-2022: declared X-GB-Ver ("3.0" = 2022), digest algorithm of the last registration, SM3 HA1 stored.
  gbVersion: z.string().nullable(), authAlgorithm: z.string().nullable(), sm3Ready: z.boolean(),
});
const channelSchema = z.object({ deviceId: z.string(), parentId: z.string().nullable(), name: z.string(), kind: z.string(), status: z.string().nullable(), civilCode: z.string().nullable(), manufacturer: z.string().nullable(), model: z.string().nullable(),
  // Catalog <Info> fields as the lower sent them (issue 15; field name → text).
  businessGroupId: z.string().nullable().optional(), info: z.record(z.string(), z.string()).nullable().optional() });
const alarmSchema = z.object({ id: z.number(), lowerId: z.number(), deviceId: z.string(), priority: z.number(), method: z.number(), alarmType: z.number().nullable(), alarmAtMs: z.number().nullable(), description: z.string().nullable(), receivedAtMs: z.number() });
// The console's 级联 page: per-lower channel states and since-when, alarm names (service.ts).
const lowerListSchema = lowerSchema.extend({ channelsOnline: z.number(), channelsOffline: z.number(), onlineSinceMs: z.number().nullable(), offlineSinceMs: z.number().nullable(), lastError: z.string().nullable() });
const channelWithCameraSchema = channelSchema.extend({ cameraId: z.number().nullable() });
const alarmListSchema = alarmSchema.extend({ lowerName: z.string().nullable(), channelName: z.string().nullable() });
const recordSchema = z.object({ deviceId: z.string(), name: z.string().optional(), startTime: z.string(), endTime: z.string(), fileSize: z.number().optional(), type: z.string().optional() });

export function cascadeRoutes(_app: App, m: CascadeModule) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['cascade'];
    const svc = m.service;
    s.get('/api/cascade/status', { schema: { tags, summary: '国标级联状态 SIP node and upper registration status' } }, async (req) => svc.status(actorOf(req)));
    s.get('/api/cascade/lowers', { schema: { tags, summary: '下级平台 Lower platforms in scope', response: { 200: z.object({ lowers: z.array(lowerListSchema) }) } } }, async (req) => ({ lowers: await svc.listLowers(actorOf(req)) }));
    s.post(
      '/api/cascade/lowers',
      {
        schema: {
          tags, summary: '登记下级平台 Add a lower platform or GB device',
          body: z.object({ sipId: gbId, name: nameSchema(128), kind: z.enum(['platform', 'device']).default('platform'), password: z.string().min(8).max(64).optional(), orgNodeId: z.number().int().positive().optional() }).strict(),
          response: { 200: lowerSchema },
        },
      },
      async (req) => svc.createLower(actorOf(req), req.body),
    );
    s.put(
      '/api/cascade/lowers/:id',
      { schema: { tags, summary: '修改下级平台 Update a lower platform', params: idParam, body: z.object({ name: nameSchema(128).optional(), password: z.string().min(8).max(64).optional(), enabled: z.boolean().optional() }).strict(), response: { 200: lowerSchema } } },
      async (req) => svc.updateLower(actorOf(req), req.params.id, req.body),
    );
    s.delete('/api/cascade/lowers/:id', { schema: { tags, summary: '删除下级平台 Remove a lower platform', params: idParam } }, async (req) => {
      await svc.deleteLower(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.get('/api/cascade/lowers/:id/channels', { schema: { tags, summary: '下级目录 Remote channel tree of a lower', params: idParam, response: { 200: z.object({ lower: lowerSchema, channels: z.array(channelWithCameraSchema) }) } } }, async (req) => svc.channels(actorOf(req), req.params.id));
    s.post('/api/cascade/lowers/:id/catalog', { schema: { tags, summary: '重新查询目录 Query the catalog now', params: idParam } }, async (req) => ({ items: await svc.refreshCatalog(actorOf(req), req.params.id) }));
    s.get(
      '/api/cascade/alarms',
      { schema: { tags, summary: '下级上报的报警 Alarms received from lower levels', querystring: z.object({ lowerId: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(), response: { 200: z.object({ alarms: z.array(alarmListSchema) }) } } },
      async (req) => ({ alarms: await svc.alarms(actorOf(req), req.query) }),
    );
    s.get(
      '/api/cascade/channels/:channelId/records',
      { schema: { tags, summary: '下级录像检索 RecordInfo of a remote channel', params: z.object({ channelId: gbId }), querystring: z.object({ fromMs: z.coerce.number().int(), toMs: z.coerce.number().int() }).strict(), response: { 200: z.object({ records: z.array(recordSchema) }) } } },
      async (req) => ({ records: await svc.recordInfo(actorOf(req), req.params.channelId, req.query.fromMs, req.query.toMs) }),
    );
    s.post(
      '/api/cascade/channels/:channelId/ptz',
      { schema: { tags, summary: '云台控制（考试期间锁定） PTZ passthrough (locked in exam windows)', params: z.object({ channelId: gbId }), body: z.object({ ptzCmd: z.string().regex(/^[0-9A-Fa-f]{16}$/) }).strict(), response: { 200: z.object({ result: z.string() }) } } },
      async (req) => ({ result: await svc.ptz(actorOf(req), req.params.channelId, req.body.ptzCmd) }),
    );
  };
}
