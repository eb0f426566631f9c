// Live patrol: media tokens, the multiplexed fMP4 WebSocket, WebRTC offers, hub statistics.
// Thin: the rules are in src/live/ (docs/design/live.md).
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { requirePermission } from '../../auth/guard.ts';
import { AppError } from '../../util/errors.ts';
import { WORKSTATION_COOKIE } from '../../duty/credential.ts';
import { dutyOf } from '../../duty/index.ts';
import { EXAM_PRIORITY_CODE, ExamPriorityError } from '../../exams/priority.ts';
import { LiveAccessError, actorOfToken, cameraForViewing, issueLiveToken, recordSnapshot } from '../../live/access.ts';
import { examStatusOfCameras } from '../../exams/room-status.ts';
import type { LiveModule } from '../../live/index.ts';
import { TalkRefusal } from '../../live/talk.ts';
import { WebRtcRefusal } from '../../live/webrtc.ts';
import { LiveSocketSession } from '../../live/ws-session.ts';
import type { LiveSocket } from '../../live/ws-session.ts';
import { actorOf, clientOf, sessionOf } from '../context.ts';

const stream = z.enum(['main', 'sub']);

/** The part of a `ws` WebSocket used here (the package ships no types in this tree). */
interface WsSocket extends LiveSocket {
  binaryType: string;
  on(event: 'close', cb: () => void): void;
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): void;
}

function toAppError(err: unknown): never {
  if (err instanceof LiveAccessError) throw err.code === 'exam_priority' ? new ExamPriorityError([]) : new AppError(err.code, err.message);
  throw err;
}

/** R-FN-4 refusals answer 409 with `error: 'exam_priority'` (the generic handler would say `conflict`). */
const examPriorityBody = z.object({ error: z.literal(EXAM_PRIORITY_CODE), message: z.string(), details: z.unknown() });
/** 409s of the audio and talk routes: the exam window, or a camera that cannot (no audio, no speaker, busy). */
const conflictBody = z.union([examPriorityBody, z.object({ error: z.literal('conflict'), message: z.string(), details: z.unknown().optional() })]);
function examPriorityReply(err: unknown): { status: 409; body: z.infer<typeof examPriorityBody> } {
  if (err instanceof ExamPriorityError) return { status: 409, body: { error: EXAM_PRIORITY_CODE, message: err.message, details: err.details } };
  throw err;
}

export function liveRoutes(app: App, live: LiveModule) {
  return async (server: FastifyInstance): Promise<void> => {
    // One @fastify/websocket per server: skip if another module registered it already.
    if (!server.hasDecorator('websocketServer')) await server.register(websocket, { options: { maxPayload: 64 * 1024 } });
    server.addHook('onClose', async () => live.close());
    const rtc = app.config.webrtc;
    live.webrtc.limits = { maxPerUser: rtc.maxPerUser, maxTotal: rtc.maxTotal, connectTimeoutMs: rtc.connectTimeoutS * 1000 };
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['live'];

    s.post(
      '/api/live/token',
      {
        schema: {
          tags,
          summary: '实时视频令牌 Live media token (checks video.live and scope)',
          body: z
            .object({
              cameraIds: z.array(z.number().int().positive()).min(1).max(64),
              stream: stream.default('sub'),
              /** R-FN-4: an administrator's reason to view non-exam cameras during a national exam window (audited). */
              examOverrideReason: z.string().trim().min(2).max(200).optional(),
            })
            .strict(),
          response: { 200: z.object({ token: z.string(), expiresAtMs: z.number(), cameras: z.array(z.object({ id: z.number(), name: z.string(), roomId: z.number() })) }), 409: examPriorityBody },
        },
      },
      async (req, reply) => {
        const session = sessionOf(req);
        let r;
        try {
          const actor = actorOf(req);
          // R-DIS-3: the monitoring-room workstation this browser was enrolled as, if any (httpOnly cookie).
          const workstation = await dutyOf(app).workstationOf(actor, req.cookies[WORKSTATION_COOKIE]);
          r = await issueLiveToken(app, actor, session.sessionId, [...new Set(req.body.cameraIds)], { examOverrideReason: req.body.examOverrideReason, workstation });
        } catch (err) {
          const refusal = examPriorityReply(err);
          return reply.code(refusal.status).send(refusal.body);
        }
        return { token: r.token, expiresAtMs: r.expiresAtMs, cameras: r.cameras.map((c) => ({ id: c.id, name: c.name, roomId: c.room_id })) };
      },
    );

    s.get('/api/live/ws', { websocket: true, schema: { querystring: z.object({ token: z.string().max(4096) }) } }, (raw, req) => {
      const socket = raw as unknown as WsSocket;
      socket.binaryType = 'nodebuffer';
      let session: LiveSocketSession | undefined;
      const early: string[] = [];
      let closed = false;
      let unwatch: (() => void) | undefined;
      socket.on('close', () => {
        closed = true;
        unwatch?.();
        if (session) {
          live.sockets.delete(session);
          void session.close();
        }
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        const text = data.toString('utf8');
        if (session) void session.onMessage(text);
        else if (early.length < 200) early.push(text);
      });
      const token = (req.query as { token: string }).token;
      actorOfToken(app, token, clientOf(req)).then(
        async ({ actor, claims }) => {
          if (closed) return;
          session = new LiveSocketSession(socket, { app, acquire: (cam, st) => live.acquire(cam, st), acquireH264: (cam, st) => live.acquireH264(cam, st), log: app.log }, actor, claims);
          live.sockets.add(session);
          // Logout, disable, password change: the socket closes at once (issue 13 item 5).
          unwatch = app.sessions.watch(claims.s, () => socket.close(4401, 'session ended'));
          socket.send(JSON.stringify({ ev: 'hello', user: actor.username }));
          for (const m of early.splice(0)) await session.onMessage(m);
        },
        (err: unknown) => {
          socket.send(JSON.stringify({ ev: 'error', code: err instanceof LiveAccessError ? err.code : 'internal' }));
          socket.close(4401, 'unauthorized');
        },
      );
    });

    s.post(
      '/api/live/webrtc',
      {
        schema: {
          tags,
          summary: 'WebRTC 实时视频 Answer a WebRTC offer (H.264 pass-through)',
          body: z.object({ token: z.string().max(4096), cameraId: z.number().int().positive(), stream: stream.default('main'), sdp: z.string().max(20_000) }).strict(),
          response: { 200: z.object({ id: z.string(), sdp: z.string() }), 409: examPriorityBody },
        },
      },
      async (req, reply) => {
        try {
          const { actor, claims } = await actorOfToken(app, req.body.token, clientOf(req));
          const cam = await cameraForViewing(app, actor, claims, req.body.cameraId);
          return await live.webrtc.answer(actor, cam, req.body.stream, req.body.sdp, { sessionId: claims.s, token: req.body.token, tokenExpMs: claims.exp });
        } catch (err) {
          if (err instanceof WebRtcRefusal) throw new AppError(err.code === 'too_many' ? 'too_many_requests' : err.code === 'token_used' ? 'unauthorized' : 'invalid_input', err.message);
          if (!(err instanceof LiveAccessError && err.code === 'exam_priority')) return toAppError(err);
          const refusal = examPriorityReply(new ExamPriorityError([req.body.cameraId]));
          return reply.code(refusal.status).send(refusal.body);
        }
      },
    );
    s.post(
      '/api/live/audio',
      {
        schema: {
          tags,
          summary: '实时声音 Answer an audio-only WebRTC offer: the camera main stream audio as G.711 (AAC transcoded while listened to)',
          body: z.object({ token: z.string().max(4096), cameraId: z.number().int().positive(), sdp: z.string().max(20_000) }).strict(),
          response: { 200: z.object({ id: z.string(), sdp: z.string(), codec: z.string() }), 409: conflictBody },
        },
      },
      async (req, reply) => {
        try {
          const { actor, claims } = await actorOfToken(app, req.body.token, clientOf(req));
          const cam = await cameraForViewing(app, actor, claims, req.body.cameraId);
          return await live.webrtc.answerAudio(actor, cam, req.body.sdp, { sessionId: claims.s, token: req.body.token, tokenExpMs: claims.exp });
        } catch (err) {
          if (err instanceof WebRtcRefusal) throw new AppError(err.code === 'too_many' ? 'too_many_requests' : err.code === 'token_used' ? 'unauthorized' : err.code === 'no_audio' ? 'conflict' : 'invalid_input', err.message);
          if (!(err instanceof LiveAccessError && err.code === 'exam_priority')) return toAppError(err);
          const refusal = examPriorityReply(new ExamPriorityError([req.body.cameraId]));
          return reply.code(refusal.status).send(refusal.body);
        }
      },
    );
    s.post('/api/live/webrtc/:id/close', { schema: { tags, summary: '结束 WebRTC 会话 Close a WebRTC session', params: z.object({ id: z.string().uuid() }) } }, async (req) => {
      // Only the user the session's media token named may end it (another user gets 404, as for
      // an unknown id: session ids are not disclosed).
      if (!live.webrtc.ownedBy(req.params.id, actorOf(req).userId)) throw new AppError('not_found', 'no such WebRTC session');
      await live.webrtc.close(req.params.id);
      return { ok: true };
    });

    s.post(
      '/api/live/talk',
      {
        schema: {
          tags,
          summary: '喊话 Answer a WebRTC offer carrying the operator microphone (G.711) and send it to the camera speaker (ONVIF back channel)',
          body: z.object({ token: z.string().max(4096), cameraId: z.number().int().positive(), sdp: z.string().max(20_000) }).strict(),
          response: { 200: z.object({ id: z.string(), sdp: z.string(), codec: z.string() }), 409: conflictBody },
        },
      },
      async (req, reply) => {
        try {
          const { actor, claims } = await actorOfToken(app, req.body.token, clientOf(req));
          await requirePermission(app.audit, actor, 'video.live', 'video.talk', 'camera', req.body.cameraId);
          const cam = await cameraForViewing(app, actor, claims, req.body.cameraId);
          return await live.talks.answer(actor, cam, req.body.sdp, { sessionId: claims.s }, app.config.webrtc.connectTimeoutS * 1000);
        } catch (err) {
          if (err instanceof TalkRefusal) throw new AppError(err.code === 'too_many' ? 'too_many_requests' : err.code === 'bad_offer' ? 'invalid_input' : 'conflict', err.message);
          if (!(err instanceof LiveAccessError && err.code === 'exam_priority')) return toAppError(err);
          const refusal = examPriorityReply(new ExamPriorityError([req.body.cameraId]));
          return reply.code(refusal.status).send(refusal.body);
        }
      },
    );
    s.post('/api/live/talk/:id/close', { schema: { tags, summary: '结束喊话 Stop a talk', params: z.object({ id: z.string().uuid() }) } }, async (req) => {
      if (!live.talks.ownedBy(req.params.id, actorOf(req).userId)) throw new AppError('not_found', 'no such talk');
      await live.talks.close(req.params.id, 'stopped by the operator');
      return { ok: true };
    });

    s.post(
      '/api/live/snapshot',
      { schema: { tags, summary: '抓图（审计）Record a snapshot taken from a wall tile (the picture stays in the browser)', body: z.object({ cameraId: z.number().int().positive() }).strict() } },
      async (req) => recordSnapshot(app, actorOf(req), req.body.cameraId, app.clock.nowMs()),
    );
    s.get(
      '/api/live/exam-status',
      {
        schema: {
          tags,
          summary: '画面考试状态 考试中 / 已封门 / 空闲 of each camera room (wall tiles)',
          querystring: z.object({ cameraIds: z.string().regex(/^\d+(,\d+){0,63}$/, 'comma-separated camera ids (at most 64)') }).strict(),
        },
      },
      async (req) => ({ statuses: await examStatusOfCameras(app, actorOf(req), [...new Set(req.query.cameraIds.split(',').map(Number))], app.clock.nowMs()) }),
    );

    s.get('/api/live/stats', { schema: { tags, summary: '实时视频统计 Live hubs and viewers' } }, async (req) => {
      await requirePermission(app.audit, actorOf(req), 'recording.manage', 'live.stats', 'live', '*');
      return live.stats();
    });
  };
}
