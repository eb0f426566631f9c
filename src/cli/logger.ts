// Structured logs (pino). Pretty when a person is watching a terminal, JSON otherwise.
import pino from 'pino';
import type { Logger } from 'pino';

export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.XUNCHA_LOG_FORMAT !== 'json';
  return pino({
    level,
    base: { app: 'xuncha' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', 'password'], censor: '[redacted]' },
    transport: pretty ? { target: 'pino-pretty', options: { translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname,app' } } : undefined,
  });
}
