// 按 ONVIF 添加摄像机: a camera added by address + user + password alone (issue 17). Thin: parse,
// call addCameraByOnvif (permission, scope, discovery, creation and audit live there).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { addCameraByOnvif, discoverOnvif } from '../../org/onvif-add.ts';
import { actorOf } from '../context.ts';
import { cameraSchema, name, positionSchema } from '../schemas.ts';

const body = z
  .object({
    roomId: z.number().int().positive(),
    name,
    position: positionSchema,
    address: z.string().trim().min(1).max(255),
    username: z.string().min(1).max(64),
    password: z.string().max(128),
  })
  .strict();
const profile = z.object({ token: z.string(), name: z.string(), encoding: z.string(), width: z.number(), height: z.number(), fps: z.number().optional(), bitrateKbps: z.number().optional(), streamUri: z.string() });
const discovered = z.object({ deviceUrl: z.string(), manufacturer: z.string().optional(), model: z.string().optional(), profiles: z.array(profile) });
const answer = z.object({ camera: cameraSchema, discovered });
const discoverBody = body.pick({ roomId: true, address: true, username: true, password: true }).strict();

export function onvifCameraRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    s.post(
      '/api/cameras/onvif',
      { schema: { tags: ['org'], summary: '按 ONVIF 添加摄像机 Add a camera by address + user + password: profiles and stream URIs found over ONVIF (audited as camera.create)', body, response: { 200: answer } } },
      (req) => addCameraByOnvif({ store: app.store, audit: app.audit, devices: app.devices }, actorOf(req), req.body),
    );
    s.post(
      '/api/cameras/onvif/discover',
      { schema: { tags: ['org'], summary: 'ONVIF 发现 What the device offers (maker, profiles, stream URIs) before adding it; creates nothing', body: discoverBody, response: { 200: discovered } } },
      (req) => discoverOnvif({ store: app.store, audit: app.audit, devices: app.devices }, actorOf(req), req.body),
    );
  };
}
