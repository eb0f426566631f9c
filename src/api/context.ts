// Request context helpers shared by routes: who is calling, from where.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.ts';
import type { AuthenticatedSession, Client } from '../auth/auth-service.ts';
import { AppError } from '../util/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    session?: AuthenticatedSession;
  }
}

export const SESSION_COOKIE = 'xuncha_session';

export function clientOf(req: FastifyRequest): Client {
  const ws = req.headers['x-workstation'];
  const workstation = typeof ws === 'string' && ws.length > 0 ? ws.slice(0, 128) : String(req.headers['user-agent'] ?? 'unknown').slice(0, 128);
  return { ip: req.ip, workstation };
}

/** The calling user's actor; 401 when not logged in. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.session) throw new AppError('unauthorized', '请先登录 (log in first)');
  return req.session.actor;
}

export function sessionOf(req: FastifyRequest): AuthenticatedSession {
  if (!req.session) throw new AppError('unauthorized', '请先登录 (log in first)');
  return req.session;
}

/** Secure when the request came over TLS: directly, or through a trusted proxy saying X-Forwarded-Proto: https. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeS: number): void {
  void reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: maxAgeS, secure: req.protocol === 'https' });
}
