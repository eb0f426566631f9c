import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { VERSION } from '../../version.ts';

export function healthRoutes(server: FastifyInstance): void {
  server.withTypeProvider<ZodTypeProvider>().get(
    '/api/health',
    { schema: { tags: ['system'], summary: '健康检查 Health check', response: { 200: z.object({ status: z.literal('ok'), version: z.string() }) } } },
    () => ({ status: 'ok' as const, version: VERSION }),
  );
}
