// PTZ control and approved presets (R-DIS-2, docs/design/duty.md "PTZ lock"). Thin: parse, call
// PtzService (permission, scope, lock, audit and alarm live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { ptzForwarderOf } from '../../duty/index.ts';
import { PtzService } from '../../duty/ptz-service.ts';
import { actorOf } from '../context.ts';
import { idParam } from '../schemas.ts';

const speed = z.number().int().min(0).max(255).default(128);
const command = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ptz'), pan: z.enum(['left', 'right']).optional(), tilt: z.enum(['up', 'down']).optional(), zoom: z.enum(['in', 'out']).optional(), panSpeed: speed, tiltSpeed: speed, zoomSpeed: z.number().int().min(0).max(15).default(8) }).strict(),
  z.object({ kind: z.literal('stop') }).strict(),
  z.object({ kind: z.literal('preset'), action: z.enum(['call', 'set', 'delete']).default('call'), preset: z.number().int().min(1).max(255) }).strict(),
]);
const preset = z.object({ presetNo: z.number(), label: z.string(), approvedBy: z.string(), approvedAtMs: z.number() });

export function dutyPtzRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['duty'];
    const svc = new PtzService({ store: app.store, audit: app.audit, clock: app.clock, alarms: app.exams.alarms, box: app.box, forwarder: ptzForwarderOf(app) });
    s.get(
      '/api/cameras/:id/ptz',
      { schema: { tags, summary: '云台状态 Whether PTZ is locked now (exam/custody window) and the approved presets', params: idParam, response: { 200: z.object({ cameraId: z.number(), locked: z.boolean(), lockedUntilMs: z.number().nullable(), windows: z.array(z.string()), reason: z.string().nullable(), presets: z.array(preset) }) } } },
      (req) => svc.state(actorOf(req), req.params.id),
    );
    s.post(
      '/api/cameras/:id/ptz',
      { schema: { tags, summary: '云台控制 PTZ command; in exam/custody windows only approved presets (refused ones audited and alarmed, never sent); allowed ones go to the camera (ONVIF or GB/T 28181 PTZCmd): forwarded says whether it took it', params: idParam, body: command, response: { 200: z.object({ allowed: z.literal(true), forwarded: z.boolean(), via: z.enum(['onvif', 'gb28181']).nullable(), error: z.string().optional() }) } } },
      (req) => svc.command(actorOf(req), req.params.id, req.body),
    );
    s.get('/api/cameras/:id/ptz-presets', { schema: { tags, summary: '已批准预置位 Presets approved for exam windows', params: idParam, response: { 200: z.object({ presets: z.array(preset) }) } } }, async (req) => ({ presets: await svc.presets(actorOf(req), req.params.id) }));
    s.post(
      '/api/cameras/:id/ptz-presets',
      { schema: { tags, summary: '批准预置位 Approve a preset for exam windows (admin; audited)', params: idParam, body: z.object({ presetNo: z.number().int().min(1).max(255), label: z.string().trim().min(1).max(64) }).strict(), response: { 200: z.object({ presets: z.array(preset) }) } } },
      async (req) => ({ presets: await svc.approvePreset(actorOf(req), req.params.id, req.body.presetNo, req.body.label) }),
    );
    s.post(
      '/api/cameras/:id/ptz-presets/store',
      { schema: { tags, summary: '存为预置位 Store the camera\'s current position as a named preset and approve it for windows (admin; outside exam/custody windows only; ONVIF SetPreset or GB PTZCmd; audited)', params: idParam, body: z.object({ presetNo: z.number().int().min(1).max(255), label: z.string().trim().min(1).max(64) }).strict(), response: { 200: z.object({ presets: z.array(preset), via: z.enum(['onvif', 'gb28181']).nullable() }) } } },
      (req) => svc.storePreset(actorOf(req), req.params.id, req.body.presetNo, req.body.label),
    );
  };
}
