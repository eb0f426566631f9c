// The HTTP server: Fastify with zod schemas (validated bodies, OpenAPI at /api/openapi.json,
// browsable at /api/docs), session cookies, CSRF, and the web console's static files.
import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { App } from '../app.ts';
import { AppError } from '../util/errors.ts';
import { VERSION } from '../version.ts';
import { SESSION_COOKIE, clientOf } from './context.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { createCascadeModule } from '../cascade/index.ts';
import { createLiveModule } from '../live/index.ts';
import { createPlaybackModule } from '../playback/index.ts';
import type { PlaybackModule } from '../playback/index.ts';
import { examBandSource } from '../exams/timeline-bands.ts';
import { cascadeRoutes } from './routes/cascade.ts';
import { WORKSTATION_COOKIE } from '../duty/credential.ts';
import { dutyOf } from '../duty/index.ts';
import { dutyRoutes } from './routes/duty.ts';
import { onvifCameraRoutes } from './routes/onvif-cameras.ts';
import { dutyPtzRoutes } from './routes/duty-ptz.ts';
import { dutyCaseRoutes } from './routes/duty-cases.ts';
import { examRoutes } from './routes/exams.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { httpServerFactory, proxyMatcher } from './http-front.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoutes } from './routes/live.ts';
import { playbackRoutes } from './routes/playback.ts';
import { exportRequestRoutes } from './routes/export-requests.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { readinessRoutes } from './routes/readiness.ts';
import { retentionRoutes } from './routes/retention.ts';
import { tourRoutes } from './routes/tours.ts';
import { TourService } from '../tours/tour-service.ts';
import { wallRoutes } from './routes/wall.ts';
import { WallService } from '../wall/wall-service.ts';
import { cameraProbeRoutes } from './routes/camera-probe.ts';
import { orgRoutes } from './routes/org.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { userRoutes } from './routes/users.ts';
import { uplinkRoutes } from './routes/uplink.ts';
import { createUplinkModule } from '../uplink/index.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a user whose password must change may still call. */
const PASSWORD_CHANGE_ALLOWED = new Set(['POST /api/auth/password', 'POST /api/auth/logout', 'GET /api/auth/me', 'GET /api/health']);

export async function buildServer(app: App, logger: Logger, opts: { webDir?: string; playback?: PlaybackModule } = {}): Promise<FastifyInstance> {
  // Forwarded headers believed only from the configured proxies; TLS and connection bounds in http-front.ts (issue 13).
  const trusted = app.config.trustedProxies;
  const server: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    // Fastify's 10 s default killed a node starting on a starved machine (a site server busy
    // recording is where a restart happens): a slow start is better than no start.
    pluginTimeout: 60_000,
    trustProxy: trusted.length > 0 ? trusted : false,
    serverFactory: httpServerFactory(app.config, proxyMatcher(trusted)),
  });
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  await server.register(cookie);
  addSecurityHeaders(server);
  // Live and playback media go over WebSockets (one socket carries many tiles).
  await server.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await server.register(swagger, {
    openapi: { info: { title: 'xuncha 巡查 API', version: VERSION }, components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } } },
    transform: jsonSchemaTransform,
  });
  await server.register(swaggerUi, { routePrefix: '/api/docs' });

  server.setErrorHandler((err, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => `${v.instancePath || v.params?.issue?.path?.join('.') || '(body)'}: ${v.message}`);
      return reply.code(400).send({ error: 'invalid_input', message: `请求内容无效 (invalid request): ${issues.join('; ')}`, details: err.validation });
    }
    if (err instanceof AppError) return reply.code(err.status).send({ error: err.code, message: err.message, details: err.details });
    const e = err as { statusCode?: number; code?: string; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'too_large' : 'bad_request', message: e.message ?? 'bad request' });
    }
    // The data disk is full (recordings filled it before retention looked): free the database's
    // space reserve at once and say so; the client's retry a moment later commits (issue 12).
    if (e.code === 'SQLITE_FULL') {
      req.log.error({ err }, 'request failed: data disk full');
      app.retention.diskFull();
      return reply.code(503).header('retry-after', '1').send({ error: 'disk_full', message: '磁盘已满，正在释放空间，请稍后重试 (data disk full: space is being freed, retry in a moment)' });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: '服务器内部错误 (internal error)' });
  });

  // Resolve the session on every API request; check CSRF on every state-changing one.
  server.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token) req.session = await app.auth.authenticate(token, clientOf(req));
    if (!SAFE_METHODS.has(req.method) && req.session && req.headers['x-csrf-token'] !== req.session.csrfToken) {
      throw new AppError('csrf', '缺少或错误的CSRF令牌 (missing or wrong CSRF token)');
    }
    // R-DIS-3: a logged-in request from an enrolled duty workstation is activity there, and presence of
    // the session's user when checked in at it (per-person idle check-out, duty-sweep.ts).
    if (req.session && req.cookies[WORKSTATION_COOKIE]) await dutyOf(app).noteActivity(req.cookies[WORKSTATION_COOKIE], req.session.actor.userId);
    // A password that must change (generated first-start admin, reset by an administrator) allows
    // only changing it, reading oneself and logging out, whatever the client (issue 13, R-SEC-5).
    if (req.session?.user.must_change_password && !PASSWORD_CHANGE_ALLOWED.has(`${req.method} ${req.url.split('?')[0]}`)) {
      throw new AppError('password_change_required', '请先修改密码 (change your password first)');
    }
    // The browsable API documentation (issue 13): a setting, by default for logged-in users only.
    if (req.url.startsWith('/api/docs')) {
      if (app.config.apiDocs === 'off') throw new AppError('not_found', '接口文档未启用 (API docs are switched off)');
      if (app.config.apiDocs === 'users' && !req.session) throw new AppError('unauthorized', '请先登录 (log in to read the API docs)');
    }
  });

  server.get('/api/openapi.json', { schema: { hide: true } }, () => server.swagger());
  await server.register(healthRoutes);
  await server.register(authRoutes(app));
  await server.register(orgRoutes(app));
  await server.register(cameraProbeRoutes(app));
  await server.register(userRoutes(app));
  await server.register(auditRoutes(app));
  await server.register(recordingRoutes(app));
  await server.register(examRoutes(app.exams));
  await server.register(liveRoutes(app, createLiveModule(app)));
  await server.register(tourRoutes(new TourService(app.store, app.audit, app.clock)));
  const playback = opts.playback ?? createPlaybackModule(app);
  playback.playback.addBandSource(examBandSource(app.store, app.clock));
  server.addHook('onClose', () => playback.close());
  await server.register(playbackRoutes(app, playback));
  await server.register(exportRequestRoutes(playback.requests));
  await server.register(retentionRoutes(app, app.retention));
  await server.register(cascadeRoutes(app, createCascadeModule(app)));
  await server.register(uplinkRoutes(createUplinkModule(app)));
  await server.register(readinessRoutes(app.readiness));
  await server.register(ledgerRoutes(app.ledger));
  await server.register(dutyRoutes(app));
  await server.register(dutyPtzRoutes(app));
  await server.register(onvifCameraRoutes(app));
  await server.register(dutyCaseRoutes(app));
  await server.register(wallRoutes(new WallService(app.store, app.audit, app.clock)));

  const webDir = opts.webDir ?? path.resolve(import.meta.dirname, '../../web/dist');
  if (existsSync(path.join(webDir, 'index.html'))) {
    await server.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false });
    // Client-side routes fall back to index.html; unknown /api paths stay 404 JSON.
    server.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith('/api/') || req.method !== 'GET') return reply.code(404).send({ error: 'not_found', message: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` });
      return reply.sendFile('index.html');
    });
  } else {
    server.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `no such endpoint: ${req.method} ${req.url.split('?')[0]}` }));
    server.get('/', { schema: { hide: true } }, (_req, reply) => reply.type('text/html').send('<p>xuncha: web console not built; run <code>npm run build:web</code>. API docs at <a href="/api/docs">/api/docs</a>.</p>'));
  }
  return server;
}
