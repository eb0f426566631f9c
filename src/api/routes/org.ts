// Organisation tree, rooms, cameras, import/export. Thin: parse, call a service.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { AppError } from '../../util/errors.ts';
import { actorOf } from '../context.ts';
import { cameraSchema, createCameraBody, createNodeBody, createRoomBody, idParam, nodeSchema, revealAnswer, roomSchema, updateCameraBody, updateNodeBody, updateRoomBody } from '../schemas.ts';

export function orgRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['org'];
    s.get('/api/org/tree', { schema: { tags, summary: '组织机构树 Organisation tree in scope', response: { 200: z.object({ nodes: z.array(nodeSchema) }) } } }, async (req) => ({ nodes: await app.org.tree(actorOf(req)) }));
    s.post('/api/org/nodes', { schema: { tags, summary: '新建机构 Create node', body: createNodeBody, response: { 200: nodeSchema } } }, (req) => app.org.createNode(actorOf(req), req.body));
    s.patch('/api/org/nodes/:id', { schema: { tags, summary: '修改/移动机构 Rename or move node', params: idParam, body: updateNodeBody, response: { 200: nodeSchema } } }, (req) => app.org.updateNode(actorOf(req), req.params.id, req.body));
    s.delete('/api/org/nodes/:id', { schema: { tags, summary: '删除机构 Delete node', params: idParam } }, async (req) => {
      await app.org.deleteNode(actorOf(req), req.params.id);
      return { ok: true };
    });

    s.post('/api/rooms', { schema: { tags, summary: '新建房间 Create room', body: createRoomBody, response: { 200: roomSchema } } }, (req) => app.devices.createRoom(actorOf(req), req.body));
    s.patch('/api/rooms/:id', { schema: { tags, summary: '修改房间 Update room', params: idParam, body: updateRoomBody, response: { 200: roomSchema } } }, (req) => app.devices.updateRoom(actorOf(req), req.params.id, req.body));
    s.delete('/api/rooms/:id', { schema: { tags, summary: '删除房间 Delete room', params: idParam } }, async (req) => {
      await app.devices.deleteRoom(actorOf(req), req.params.id);
      return { ok: true };
    });

    s.post('/api/cameras', { schema: { tags, summary: '新建摄像机 Create camera', body: createCameraBody, response: { 200: cameraSchema } } }, (req) => app.devices.createCamera(actorOf(req), req.body));
    s.patch('/api/cameras/:id', { schema: { tags, summary: '修改摄像机 Update camera', params: idParam, body: updateCameraBody, response: { 200: cameraSchema } } }, (req) => app.devices.updateCamera(actorOf(req), req.params.id, req.body));
    s.delete('/api/cameras/:id', { schema: { tags, summary: '删除摄像机 Delete camera', params: idParam } }, async (req) => {
      await app.devices.deleteCamera(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.post('/api/cameras/:id/reveal', { schema: { tags, summary: '查看网络配置（审计） Reveal network config (audited)', params: idParam, response: { 200: revealAnswer } } }, (req) =>
      app.devices.revealNetwork(actorOf(req), req.params.id),
    );

    s.get('/api/org/export', { schema: { tags, summary: '导出 Export tree (CSV/Excel)', querystring: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }).strict() } }, async (req, reply) => {
      const data = await app.transfer.export(actorOf(req), req.query.format);
      const type = req.query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      return reply.type(type).header('content-disposition', `attachment; filename="xuncha-org.${req.query.format}"`).send(data);
    });
    s.post(
      '/api/org/import',
      { bodyLimit: 8 * 1024 * 1024, schema: { tags, summary: '导入 Import tree (CSV/Excel, all or nothing)', body: z.object({ format: z.enum(['csv', 'xlsx']), dataBase64: z.string().max(7_500_000) }).strict() } },
      async (req) => {
        const data = Buffer.from(req.body.dataBase64, 'base64');
        if (data.length === 0) throw new AppError('invalid_input', '文件为空 (empty file)');
        return app.transfer.import(actorOf(req), req.body.format, data);
      },
    );
  };
}
