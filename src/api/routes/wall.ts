// The video wall kept on the server (issue 14 item 1): the caller's current wall, and named wall
// layouts. Thin: parse, call WallService (scope, permissions, audit live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WallService } from '../../wall/wall-service.ts';
import { wallLayoutBody, wallLayoutSchema, wallStateAnswer, wallStateBody, wallStateSchema } from '../../wall/schemas.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

export function wallRoutes(wall: WallService) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['wall'];
    s.get('/api/wall/state', { schema: { tags, summary: '我的视频墙 My current wall (null before the first)', response: { 200: wallStateAnswer } } }, async (req) => ({ state: await wall.state(actorOf(req)) }));
    s.put('/api/wall/state', { schema: { tags, summary: '保存我的视频墙 Keep my current wall (cameras out of my scope become empty tiles)', body: wallStateBody, response: { 200: wallStateSchema } } }, (req) => wall.saveState(actorOf(req), req.body));
    s.get('/api/wall/layouts', { schema: { tags, summary: '画面布局 Wall layouts I may see (mine and shared in scope)', response: { 200: z.object({ layouts: z.array(wallLayoutSchema) }) } } }, async (req) => ({ layouts: await wall.layouts(actorOf(req)) }));
    s.post('/api/wall/layouts', { schema: { tags, summary: '保存画面布局 Save a named wall layout (audited)', body: wallLayoutBody, response: { 200: wallLayoutSchema } } }, (req) => wall.create(actorOf(req), req.body));
    s.put('/api/wall/layouts/:id', { schema: { tags, summary: '修改画面布局 Replace a layout (owner, or an administrator for a shared one; audited)', params: idParam, body: wallLayoutBody, response: { 200: wallLayoutSchema } } }, (req) =>
      wall.update(actorOf(req), req.params.id, req.body),
    );
    s.delete('/api/wall/layouts/:id', { schema: { tags, summary: '删除画面布局 Delete a layout (audited)', params: idParam, response: { 200: z.object({ ok: z.boolean() }) } } }, async (req) => {
      await wall.delete(actorOf(req), req.params.id);
      return { ok: true };
    });
  };
}
