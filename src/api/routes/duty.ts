// Duty and discipline (issue 18, docs/design/duty.md): workstation enrollment (sets the httpOnly
// workstation cookie), check-in/out, duty status, remote-viewing requests and decisions. Thin:
// parse, call the services (scope, permissions, audit live there).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { WORKSTATION_COOKIE, WORKSTATION_COOKIE_MAX_AGE_S } from '../../duty/credential.ts';
import { dutyOf, grantsOf, remoteGrantsOf } from '../../duty/index.ts';
import type { DutyStatusView } from '../../duty/duty-service.ts';
import { actorOf } from '../context.ts';
import { idParam, name } from '../schemas.ts';

const ok = z.object({ ok: z.boolean() });
const grantSchema = z.object({ id: z.number(), requester: z.string(), cameraIds: z.array(z.number()), roomIds: z.array(z.number()), reason: z.string(), fromMs: z.number(), toMs: z.number(), state: z.string(), decidedBy: z.string().nullable(), decidedAtMs: z.number().nullable(), note: z.string().nullable(), activeNow: z.boolean(), cancelledAtMs: z.number().nullable(), mine: z.boolean() });
const received = z.object({
  originCode: z.string(), key: z.string(), scopePath: z.string(), stale: z.boolean(), id: z.number(), requester: z.string(), requesterUsername: z.string().nullable(),
  cameras: z.array(z.object({ id: z.number(), name: z.string() })), rooms: z.array(z.object({ id: z.number(), name: z.string() })), reason: z.string(), fromMs: z.number(), toMs: z.number(), createdAtMs: z.number(),
  state: z.string(), decidedBy: z.string().nullable(), decidedAtMs: z.number().nullable(), note: z.string().nullable(), cancelledAtMs: z.number().nullable().optional(),
  decisionSent: z.object({ approve: z.boolean(), decidedBy: z.string(), atMs: z.number() }).nullable(),
});
const statusSchema = z.object({
  workstation: z.object({ id: z.number(), name: z.string(), roomId: z.number(), roomName: z.string() }).nullable(),
  rooms: z.array(z.object({ roomId: z.number(), roomName: z.string(), onDuty: z.array(z.object({ checkinId: z.number(), name: z.string(), sinceMs: z.number(), lastPresentAtMs: z.number(), confirmDueAtMs: z.number().nullable() })), meetsTwoPerson: z.boolean() })),
  /** 确认在岗 period (ms), how long before it is due the console prompts (ms), and the server's now (the countdown's base; the browser's clock may be off). */
  presenceEveryMs: z.number(), promptLeadMs: z.number(), nowMs: z.number(),
});

export function dutyRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['duty'];
    const duty = dutyOf(app);
    const grants = grantsOf(app);
    const remote = remoteGrantsOf(app);
    const workstationOf = (req: FastifyRequest) => duty.workstationOf(actorOf(req), req.cookies[WORKSTATION_COOKIE]);

    s.post(
      '/api/duty/workstations',
      { schema: { tags, summary: '登记值班终端 Enroll this browser as a workstation of a monitoring room (admin; sets an httpOnly cookie; audited)', body: z.object({ roomId: z.number().int().positive(), name }).strict(), response: { 200: z.object({ id: z.number() }) } } },
      async (req, reply) => {
        const r = await duty.enroll(actorOf(req), req.body.roomId, req.body.name);
        void reply.setCookie(WORKSTATION_COOKIE, r.credential, { httpOnly: true, sameSite: 'strict', path: '/api', maxAge: WORKSTATION_COOKIE_MAX_AGE_S, secure: req.protocol === 'https' });
        return { id: r.id };
      },
    );
    s.get(
      '/api/duty/workstations/claim',
      { schema: { tags, summary: '登记链接 Enroll this browser with a one-time link (admin logged in; sets the httpOnly cookie; audited), then open the duty page', querystring: z.object({ code: z.string().min(1).max(128) }).strict() } },
      async (req, reply) => {
        const r = await duty.claim(actorOf(req), req.query.code);
        void reply.setCookie(WORKSTATION_COOKIE, r.credential, { httpOnly: true, sameSite: 'strict', path: '/api', maxAge: WORKSTATION_COOKIE_MAX_AGE_S, secure: req.protocol === 'https' });
        return reply.redirect('/#/duty');
      },
    );
    s.delete('/api/duty/workstations/:id', { schema: { tags, summary: '注销值班终端 Revoke a workstation (admin; audited)', params: idParam, response: { 200: ok } } }, async (req) => {
      await duty.revoke(actorOf(req), req.params.id);
      return { ok: true };
    });
    s.get('/api/duty/status', { schema: { tags, summary: '值班状态 Who is checked in per monitoring room; this browser\'s workstation', response: { 200: statusSchema } } }, async (req) => {
      const ws = await workstationOf(req);
      const view: DutyStatusView = { workstation: ws ? { id: ws.id, name: ws.name, roomId: ws.room_id, roomName: ws.room_name } : null, ...(await duty.status(actorOf(req))) };
      return view;
    });
    s.post(
      '/api/duty/checkins',
      { schema: { tags, summary: '值班签到 Check in at this enrolled workstation (password, + TOTP when enrolled; audited)', body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256), totp: z.string().regex(/^\d{6}$/).optional() }).strict(), response: { 200: z.object({ id: z.number(), name: z.string(), sinceMs: z.number() }) } } },
      async (req) => {
        const c = await duty.checkIn(actorOf(req), req.cookies[WORKSTATION_COOKIE], req.body);
        return { id: c.id, name: c.user_name, sinceMs: c.checked_in_at_ms };
      },
    );
    s.post('/api/duty/checkins/:id/checkout', { schema: { tags, summary: '值班签退 Check out (audited; published upward)', params: idParam, response: { 200: ok } } }, async (req) => {
      await duty.checkOut(actorOf(req), req.params.id, 'manual');
      return { ok: true };
    });
    s.post(
      '/api/duty/checkins/:id/confirm',
      { schema: { tags, summary: '确认在岗 The checked-in person re-enters their password (+ TOTP) at the workstation where they checked in; keeps them from idle check-out (audited)', params: idParam, body: z.object({ password: z.string().min(1).max(256), totp: z.string().regex(/^\d{6}$/).optional() }).strict(), response: { 200: z.object({ id: z.number(), name: z.string(), lastPresentAtMs: z.number() }) } } },
      async (req) => {
        const c = await duty.confirmPresence(actorOf(req), req.cookies[WORKSTATION_COOKIE], req.params.id, req.body);
        return { id: c.id, name: c.user_name, lastPresentAtMs: c.last_present_at_ms ?? c.checked_in_at_ms };
      },
    );
    s.get('/api/duty/grants', { schema: { tags, summary: '远程调看申请 Remote-viewing requests in scope', response: { 200: z.object({ grants: z.array(grantSchema) }) } } }, async (req) => ({ grants: await grants.list(actorOf(req)) }));
    s.post(
      '/api/duty/grants',
      { schema: { tags, summary: '申请远程调看 Ask the authority above to approve viewing from this computer (audited)', body: z.object({ cameraIds: z.array(z.number().int().positive()).max(64).default([]), roomIds: z.array(z.number().int().positive()).max(64).default([]), reason: z.string().trim().min(2).max(512), fromMs: z.number().int(), toMs: z.number().int() }).strict(), response: { 200: grantSchema } } },
      (req) => grants.request(actorOf(req), req.body),
    );
    s.post(
      '/api/duty/grants/:id/decision',
      { schema: { tags, summary: '审批远程调看 Approve or refuse (authority above only; audited)', params: idParam, body: z.object({ approve: z.boolean(), note: z.string().trim().max(512).optional() }).strict(), response: { 200: grantSchema } } },
      (req) => grants.decide(actorOf(req), req.params.id, req.body.approve, req.body.note ?? null),
    );
    s.post('/api/duty/grants/:id/cancel', { schema: { tags, summary: '撤回远程调看申请 The requester withdraws a pending or granted request; a grant ends at once (audited; the state goes up to the approver)', params: idParam, response: { 200: grantSchema } } }, (req) =>
      grants.cancel(actorOf(req), req.params.id),
    );
    // Requests from the levels below, decided here and sent down over the node-to-node channel.
    s.get('/api/duty/grants/received', { schema: { tags, summary: '下级远程调看申请 Remote-viewing requests received from the levels below, in scope', response: { 200: z.object({ requests: z.array(received) }) } } }, async (req) => ({ requests: await remote.listReceived(actorOf(req)) }));
    s.post(
      '/api/duty/grants/received/:originCode/:key/decision',
      {
        schema: {
          tags, summary: '审批下级远程调看 Approve or refuse a lower level\'s request (authority above only; sent down signed; audited here and there)',
          params: z.object({ originCode: z.string().regex(/^\d{20}$/), key: z.string().regex(/^\d{1,12}$/) }), body: z.object({ approve: z.boolean(), note: z.string().trim().max(512).optional() }).strict(), response: { 200: received },
        },
      },
      (req) => remote.decideReceived(actorOf(req), req.params.originCode, req.params.key, req.body.approve, req.body.note ?? null),
    );
  };
}
