// Playback (token + WebSocket), timeline with bands, thumbnails, and exports with downloads.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { PlaybackModule } from '../../playback/index.ts';
import type { PlaybackSocket } from '../../playback/session.ts';
import { tarStream } from '../../playback/tar.ts';
import { ZipTooLarge, zipStream } from '../../playback/zip.ts';
import { actorOf, clientOf, sessionOf } from '../context.ts';

const ids = z.string().regex(/^\d+(,\d+){0,49}$/, 'comma-separated camera ids (at most 50)');
const exportBody = z
  .object({
    cameraIds: z.array(z.number().int().positive()).min(1).max(16),
    fromMs: z.number().int(),
    toMs: z.number().int(),
    purpose: z.string().max(500).optional(),
    watermark: z.boolean().optional(),
  })
  .strict();
const exportId = z.object({ id: z.string().uuid() });

export function playbackRoutes(_app: App, module: PlaybackModule) {
  return async (server: FastifyInstance): Promise<void> => {
    // Registered once for the whole server in buildServer; on its own only when not already there.
    if (!server.hasDecorator('websocketServer')) await server.register(websocket, { options: { maxPayload: 64 * 1024 } });
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['playback'];
    const { playback, exports } = module;

    s.post(
      '/api/playback/token',
      { schema: { tags, summary: '录像回放令牌 Playback token (then open the WebSocket)', body: z.object({ cameraIds: z.array(z.number().int().positive()).min(1).max(16), fromMs: z.number().int() }).strict() } },
      async (req) => playback.issueToken(actorOf(req), sessionOf(req).sessionId, req.body.cameraIds, req.body.fromMs),
    );

    s.get('/api/playback/ws', { websocket: true, schema: { tags, summary: '录像回放流 Playback stream (WebSocket, ?token=)' } }, (socket, req) => {
      const token = (req.query as { token?: unknown }).token;
      const client = clientOf(req);
      void playback.open(socket as unknown as PlaybackSocket, typeof token === 'string' ? token : '', { ...client, ip: client.ip || '-' }).catch((err: unknown) => {
        req.log.error({ err }, 'playback open failed');
        socket.close(1011, 'playback failed');
      });
    });

    s.get(
      '/api/playback/timeline',
      { schema: { tags, summary: '回放时间轴：录像段、中断、考试时段 Spans, gaps and bands', querystring: z.object({ cameraIds: ids, fromMs: z.coerce.number().int(), toMs: z.coerce.number().int() }).strict() } },
      async (req) => playback.timeline(actorOf(req), req.query.cameraIds.split(',').map(Number), req.query.fromMs, req.query.toMs),
    );

    s.get(
      '/api/recordings/thumbnail',
      { schema: { tags, summary: '录像缩略图 Keyframe thumbnail (JPEG)', querystring: z.object({ cameraId: z.coerce.number().int().positive(), atMs: z.coerce.number().int() }).strict() } },
      async (req, reply) => {
        const jpeg = await playback.thumbnail(actorOf(req), req.query.cameraId, req.query.atMs);
        if (!jpeg) return reply.code(404).send({ error: 'not_found', message: '该时刻没有录像 (nothing recorded at this instant)' });
        return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(jpeg);
      },
    );

    s.post('/api/exports', { schema: { tags, summary: '导出录像 Create an export job (purpose required)', body: exportBody } }, async (req, reply) => reply.code(202).send(await exports.create(actorOf(req), req.body)));
    s.get('/api/exports', { schema: { tags, summary: '导出任务列表 Export jobs' } }, async (req) => ({ exports: await exports.list(actorOf(req)) }));
    s.get('/api/exports/:id', { schema: { tags, summary: '导出任务 Export job', params: exportId } }, async (req) => exports.get(actorOf(req), req.params.id));
    s.post('/api/exports/:id/cancel', { schema: { tags, summary: '取消导出 Cancel an export', params: exportId } }, async (req) => exports.cancel(actorOf(req), req.params.id));
    s.post('/api/exports/:id/token', { schema: { tags, summary: '下载令牌 Download token', params: exportId } }, async (req) => {
      const t = await exports.downloadToken(actorOf(req), sessionOf(req).sessionId, req.params.id);
      return { ...t, url: `/api/exports/${req.params.id}/download?token=${encodeURIComponent(t.token)}` };
    });
    s.get(
      '/api/exports/:id/download',
      { schema: { tags, summary: '下载导出文件 Download (tar or, with format=zip, a stored zip of the folder; or ?file=)', params: exportId, querystring: z.object({ token: z.string().max(4096), file: z.string().max(200).optional(), format: z.enum(['tar', 'zip']).optional() }).strict() } },
      async (req, reply) => {
        const format = req.query.format ?? 'tar';
        const { dir, names } = await exports.download(req.query.token, clientOf(req), req.params.id, req.query.file, format);
        if (req.query.file) {
          const name = names[0];
          return reply
            .type(name.endsWith('.mp4') ? 'video/mp4' : name.endsWith('.json') ? 'application/json' : 'text/plain')
            .header('content-disposition', `attachment; filename="${name}"`)
            .send(createReadStream(path.join(dir, name)));
        }
        if (format === 'zip') {
          try {
            const zip = await zipStream(dir, names, `export-${req.params.id}`);
            return reply.type('application/zip').header('content-disposition', `attachment; filename="export-${req.params.id}.zip"`).send(zip);
          } catch (err) {
            if (err instanceof ZipTooLarge) return reply.code(413).send({ error: 'too_large', message: err.message });
            throw err;
          }
        }
        return reply.type('application/x-tar').header('content-disposition', `attachment; filename="export-${req.params.id}.tar"`).send(tarStream(dir, names, `export-${req.params.id}`));
      },
    );
  };
}
