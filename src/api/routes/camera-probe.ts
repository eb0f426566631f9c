// 测试连接 (issue 14 item 10): connect to a camera stream before saving it. Thin: parse, call CameraProbe.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { CameraProbe } from '../../org/camera-probe.ts';
import { actorOf } from '../context.ts';

export const cameraProbeBody = z
  .object({
    roomId: z.number().int().positive().optional(),
    cameraId: z.number().int().positive().optional(),
    stream: z.string().trim().min(1).max(1000),
    host: z.string().max(255).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().max(128).optional(),
    password: z.string().max(128).optional(),
  })
  .strict()
  .refine((b) => (b.roomId === undefined) !== (b.cameraId === undefined), { message: 'roomId (new camera) or cameraId (edited camera), one of them' });

export const cameraProbeAnswer = z.object({
  ok: z.boolean(),
  url: z.string(),
  error: z.string().optional(),
  videoCodec: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  fps: z.number().optional(),
  audioCodec: z.string().optional(),
  audioSampleRate: z.number().optional(),
  snapshotJpeg: z.string().optional(),
  elapsedMs: z.number(),
});

export function cameraProbeRoutes(app: App) {
  const probe = new CameraProbe({ store: app.store, audit: app.audit, box: app.box, opener: app.opener, timeoutMs: Number(process.env.XUNCHA_CAMERA_TEST_TIMEOUT_MS ?? 8000) });
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    s.post(
      '/api/cameras/test-connect',
      { schema: { tags: ['org'], summary: '测试连接 Connect to a stream before saving: codec, resolution, fps, one snapshot (audited)', body: cameraProbeBody, response: { 200: cameraProbeAnswer } } },
      (req) => probe.test(actorOf(req), req.body),
    );
  };
}
