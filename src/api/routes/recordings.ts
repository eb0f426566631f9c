// Camera status, recorded spans and gaps, recording mode and schedules.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

const statusSchema = z.object({
  cameraId: z.number(),
  state: z.enum(['connecting', 'online', 'error', 'stopped']),
  recording: z.boolean(),
  reason: z.string().optional(),
  detail: z.string().optional(),
  atMs: z.number(),
  retryAtMs: z.number().optional().describe('In error: next connection attempt (ms since epoch)'),
  retryInMs: z.number().optional().describe('In error: ms until the next attempt, when the status was taken'),
  recordingHeld: z.string().optional().describe('Online but not recording: schedule | disk-pressure | disk-full | write-error | keyframe'),
  recordingHeldDetail: z.string().optional(),
  recordingMode: z.enum(['continuous', 'scheduled']),
});
const gapSchema = z.object({ startMs: z.number(), endMs: z.number(), durationMs: z.number(), reason: z.string(), detail: z.string().optional() });
const timelineSchema = z.object({ cameraId: z.number(), spans: z.array(z.object({ startMs: z.number(), endMs: z.number(), runId: z.number() })), gaps: z.array(gapSchema), recordedMs: z.number() });

export function recordingRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['recording'];
    s.get('/api/cameras/status', { schema: { tags, summary: '摄像机状态 Camera status in scope', response: { 200: z.object({ cameras: z.array(statusSchema) }) } } }, async (req) => ({ cameras: await app.recordings.statuses(actorOf(req)) }));
    s.get(
      '/api/recordings',
      {
        schema: {
          tags,
          summary: '录像时间轴：录像段与中断 Recorded spans and gaps',
          querystring: z.object({ cameraIds: z.string().regex(/^\d+(,\d+){0,49}$/, 'comma-separated camera ids (at most 50)'), fromMs: z.coerce.number().int(), toMs: z.coerce.number().int() }).strict(),
          response: { 200: z.object({ cameras: z.array(timelineSchema) }) },
        },
      },
      async (req) => ({ cameras: await app.recordings.timelines(actorOf(req), req.query.cameraIds.split(',').map(Number), req.query.fromMs, req.query.toMs) }),
    );
    s.put('/api/cameras/:id/recording-mode', { schema: { tags, summary: '录像模式 Set recording mode', params: idParam, body: z.object({ mode: z.enum(['continuous', 'scheduled']) }).strict() } }, async (req) => {
      await app.recordings.setMode(actorOf(req), req.params.id, req.body.mode);
      return { ok: true };
    });
    s.get('/api/cameras/:id/schedules', { schema: { tags, summary: '录像计划 Recording schedules', params: idParam } }, async (req) => ({ schedules: await app.recordings.schedules(actorOf(req), req.params.id) }));
    s.post(
      '/api/cameras/:id/schedules',
      { schema: { tags, summary: '新增录像计划 Add a recording window', params: idParam, body: z.object({ startMs: z.number().int(), endMs: z.number().int(), reason: z.string().min(1).max(128) }).strict() } },
      async (req) => ({ id: await app.recordings.addSchedule(actorOf(req), { cameraId: req.params.id, ...req.body }) }),
    );
    s.delete('/api/cameras/:id/schedules/:scheduleId', { schema: { tags, summary: '删除录像计划 Delete a recording window', params: z.object({ id: z.coerce.number().int().positive(), scheduleId: z.coerce.number().int().positive() }) } }, async (req) => {
      await app.recordings.deleteSchedule(actorOf(req), req.params.id, req.params.scheduleId);
      return { ok: true };
    });
  };
}
