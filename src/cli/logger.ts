// Structured logs (pino). Pretty when a person is watching a terminal, JSON otherwise.
import pino from 'pino';
import type { Logger } from 'pino';
import { redactUrl } from '../api/security-headers.ts';

export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.XUNCHA_LOG_FORMAT !== 'json';
  return pino({
    level,
    base: { app: 'xuncha' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Fastify logs each request through this serializer: tokens in query strings never reach the log.
    serializers: { req: (r: { method?: string; url?: string; ip?: string }) => ({ method: r.method, url: redactUrl(r.url ?? ''), remoteAddress: r.ip }) },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', 'password'], censor: '[redacted]' },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname,app' } } : undefined,
  });
}
