// Login, logout, current user, own password, TOTP enrolment.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { userView } from '../../auth/user-service.ts';
import { nodeIdentity } from '../../org/node-identity.ts';
import { SESSION_COOKIE, clientOf, sessionOf, setSessionCookie } from '../context.ts';
import { errorSchema, loginBody, sessionAnswer } from '../schemas.ts';

export function authRoutes(app: App) {
  return (server: FastifyInstance): void => {
    const s = server.withTypeProvider<ZodTypeProvider>();
    const tags = ['auth'];
    s.post('/api/auth/login', { schema: { tags, summary: '登录 Log in', body: loginBody, response: { 200: sessionAnswer, 401: errorSchema, 429: errorSchema } } }, async (req, reply) => {
      const { token, user, csrfToken } = await app.auth.login(req.body.username, req.body.password, req.body.totp, clientOf(req));
      setSessionCookie(req, reply, token, app.config.session.absoluteTimeoutHours * 3600);
      return { user: userView(user), csrfToken, node: await nodeIdentity(app.store.db) };
    });
    s.post('/api/auth/logout', { schema: { tags, summary: '退出 Log out' } }, async (req, reply) => {
      if (req.session) await app.auth.logout(req.session);
      void reply.clearCookie(SESSION_COOKIE, { path: '/', secure: req.protocol === 'https' });
      return { ok: true };
    });
    s.get('/api/auth/me', { schema: { tags, summary: '当前用户 Current user', response: { 200: sessionAnswer, 401: errorSchema } } }, async (req) => {
      const session = sessionOf(req);
      return { user: userView(session.user), csrfToken: session.csrfToken, node: await nodeIdentity(app.store.db) };
    });
    s.post(
      '/api/auth/password',
      { schema: { tags, summary: '修改密码 Change own password', body: z.object({ oldPassword: z.string().max(256), newPassword: z.string().max(256) }).strict() } },
      async (req) => {
        const session = sessionOf(req);
        await app.users.changeOwnPassword(session.actor, req.body.oldPassword, req.body.newPassword, session.sessionId);
        return { ok: true };
      },
    );
    s.post(
      '/api/auth/totp/setup',
      {
        schema: {
          tags,
          summary: '生成动态口令密钥 Start TOTP enrolment (password and current code required when TOTP is on)',
          body: z.object({ password: z.string().max(256).optional(), code: z.string().regex(/^\d{6}$/).optional() }).strict().optional(),
        },
      },
      (req) => app.auth.totpSetup(sessionOf(req), req.body ?? {}),
    );
    s.post('/api/auth/totp/enable', { schema: { tags, summary: '启用动态口令 Enable TOTP', body: z.object({ code: z.string().regex(/^\d{6}$/) }).strict() } }, async (req) => {
      await app.auth.totpEnable(sessionOf(req), req.body.code);
      return { ok: true };
    });
  };
}
