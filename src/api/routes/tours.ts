// Patrol tours (轮巡): list, create, replace, delete, and the ordered cameras a tour shows the
// caller. Thin: parse, call TourService (scope, permissions, audit live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TourService } from '../../tours/tour-service.ts';
import { tourBody, tourCamerasAnswer, tourSchema } from '../../tours/schemas.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

export function tourRoutes(tours: TourService) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['tours'];
    s.get('/api/tours', { schema: { tags, summary: '轮巡方案 Patrol tours I may see (mine and shared in scope)', response: { 200: z.object({ tours: z.array(tourSchema) }) } } }, async (req) => ({ tours: await tours.list(actorOf(req)) }));
    s.post('/api/tours', { schema: { tags, summary: '新建轮巡方案 Create a tour (audited)', body: tourBody, response: { 200: tourSchema } } }, (req) => tours.create(actorOf(req), req.body));
    s.get('/api/tours/:id', { schema: { tags, summary: '轮巡方案 One tour', params: idParam, response: { 200: tourSchema } } }, (req) => tours.get(actorOf(req), req.params.id));
    s.put('/api/tours/:id', { schema: { tags, summary: '修改轮巡方案 Replace a tour (owner, or an administrator for a shared one; audited)', params: idParam, body: tourBody, response: { 200: tourSchema } } }, (req) =>
      tours.update(actorOf(req), req.params.id, req.body),
    );
    s.delete('/api/tours/:id', { schema: { tags, summary: '删除轮巡方案 Delete a tour (audited)', params: idParam, response: { 200: z.object({ ok: z.boolean() }) } } }, async (req) => {
      await tours.delete(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.get('/api/tours/:id/cameras', { schema: { tags, summary: '轮巡摄像机 The cameras this tour pages through for me, in order', params: idParam, response: { 200: tourCamerasAnswer } } }, (req) =>
      tours.cameras(actorOf(req), req.params.id),
    );
  };
}
