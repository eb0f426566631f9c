// The node-to-node channel (docs/design/uplink.md): the batch endpoint lower levels POST to
// (signed, no session), and the items and peers views for the console. Rules live in src/uplink.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UplinkModule } from '../../uplink/index.ts';
import { BATCH_PATH, MAX_BATCH_BYTES, topicSchema } from '../../uplink/wire.ts';
import { actorOf } from '../context.ts';

const itemSchema = z.object({ originCode: z.string(), topic: z.string(), key: z.string(), body: z.unknown(), updatedAtMs: z.number(), receivedAtMs: z.number(), scopePath: z.string(), stale: z.boolean() });
const peerSchema = z.object({ code: z.string(), name: z.string(), lowerId: z.number().nullable(), viaCode: z.string().nullable(), lastReceivedAtMs: z.number().nullable(), backlog: z.number().nullable(), itemsReceived: z.number().nullable(), stale: z.boolean() });

export function uplinkRoutes(m: UplinkModule) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['uplink'];
    s.get(
      '/api/uplink/items',
      {
        schema: {
          tags, summary: '下级上报条目 Items of a topic from this node and every level below, in scope',
          querystring: z.object({ topic: topicSchema, originCode: z.string().regex(/^\d{20}$/).optional(), updatedSinceMs: z.coerce.number().int().nonnegative().optional() }).strict(),
          response: { 200: z.object({ items: z.array(itemSchema) }) },
        },
      },
      async (req) => ({ items: await m.service.list(actorOf(req), req.query) }),
    );
    s.get(
      '/api/uplink/peers',
      { schema: { tags, summary: '下级通道状态 Channel freshness of each lower level (direct and below)', response: { 200: z.object({ peers: z.array(peerSchema), sender: z.unknown().optional() }) } } },
      async (req) => ({ peers: await m.service.peers(actorOf(req)), ...m.status() }),
    );

    // Lower levels' audit logs as judged from their checkpoints (issue 13; src/audit/checkpoint-watch.ts).
    const checkpointPeer = z.object({
      originCode: z.string(), scopePath: z.string(), nodeName: z.string().nullable(), lastSeq: z.number(), lastAtMs: z.number(), receivedAtMs: z.number(), accepted: z.number(),
      problem: z.enum(['rollback', 'rebuilt', 'unlinked', 'invalid']).nullable(), problemText: z.string().nullable(), problemDetail: z.record(z.string(), z.unknown()).nullable(), problemAtMs: z.number().nullable(),
    });
    s.get(
      '/api/audit/checkpoints',
      { schema: { tags: ['audit'], summary: '下级审计检查点 Lower levels\' audit checkpoints: last accepted, rollback or rebuild found', response: { 200: z.object({ peers: z.array(checkpointPeer) }) } } },
      async (req) => ({ peers: await m.checkpointWatch.list(actorOf(req)) }),
    );
    s.post(
      '/api/audit/checkpoints/:originCode/ack',
      {
        schema: {
          tags: ['audit'], summary: '确认下级审计检查点告警 Acknowledge a lower\'s audit checkpoint problem',
          params: z.object({ originCode: z.string().regex(/^\d{20}$/) }), body: z.object({ note: z.string().trim().min(1).max(500) }).strict(), response: { 200: checkpointPeer },
        },
      },
      async (req) => m.checkpointWatch.acknowledge(actorOf(req), req.params.originCode, req.body.note),
    );

    // Signed by the lower (HMAC of the raw body): the body is read as bytes and parsed after the check.
    server.register((inner: FastifyInstance, _opts, done) => {
      inner.removeAllContentTypeParsers();
      inner.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BATCH_BYTES }, (_req, body, next) => next(null, body));
      inner.post(BATCH_PATH, { schema: { hide: true } }, async (req, reply) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const header = (name: string) => {
          const v = req.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const r = await m.receiver.receive({ ip: req.ip, header, body });
        if (r.status === 200) return { ackSeq: r.ackSeq, stored: r.stored, downEpoch: r.downEpoch, down: r.down };
        if (r.realm) void reply.header('x-uplink-realm', r.realm);
        return reply.code(r.status).send({ error: r.status === 400 ? 'invalid_input' : r.status === 401 ? 'unauthorized' : 'forbidden', reason: r.reason, message: r.message, ...(r.realm ? { realm: r.realm } : {}) });
      });
      done();
    });
  };
}
