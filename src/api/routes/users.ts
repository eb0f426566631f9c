// Account administration.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { actorOf } from '../context.ts';
import { createUserBody, idParam, updateUserBody, userSchema } from '../schemas.ts';

export function userRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['users'];
    s.get('/api/users', { schema: { tags, summary: '用户列表 Users in scope', response: { 200: z.object({ users: z.array(userSchema) }) } } }, async (req) => ({ users: await app.users.list(actorOf(req)) }));
    s.post('/api/users', { schema: { tags, summary: '新建用户 Create user', body: createUserBody, response: { 200: userSchema } } }, (req) => app.users.create(actorOf(req), req.body));
    s.patch('/api/users/:id', { schema: { tags, summary: '修改用户 Update user', params: idParam, body: updateUserBody, response: { 200: userSchema } } }, (req) => app.users.update(actorOf(req), req.params.id, req.body));
  };
}
