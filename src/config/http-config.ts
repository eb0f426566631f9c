// Settings of the HTTP front (issue 13, docs/design/security.md): TLS directly or behind a trusted
// reverse proxy, bounds on open connections and slow clients, and bounds on heavy work (file
// exports, recording export jobs). Kept apart from config.ts so that each stays small.
import { isIP } from 'node:net';
import { z } from 'zod';

/** An IPv4/IPv6 address or CIDR range (e.g. 10.0.0.5, 10.0.0.0/8, ::1), or a proxy-addr name (loopback, linklocal, uniquelocal). */
const proxyAddress = z.string().refine((s) => {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(s)) return true;
  const [ip, bits, more] = s.split('/');
  if (more !== undefined || isIP(ip) === 0) return false;
  if (bits === undefined) return true;
  const max = isIP(ip) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}, 'must be an IP address, a CIDR range (10.0.0.0/8) or loopback/linklocal/uniquelocal');

export const httpSettingsSchema = {
  /**
   * Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (env XUNCHA_TRUSTED_PROXIES,
   * comma-separated). Empty (default): forwarded headers are ignored, the peer address is the client.
   */
  trustedProxies: z.array(proxyAddress).default([]),
  /** TLS served directly (PEM files; env XUNCHA_TLS_CERT_FILE / XUNCHA_TLS_KEY_FILE). Unset: plain HTTP. */
  tls: z
    .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
    .strict()
    .optional(),
  /** Bounds on connections (issue 13, Low): totals, per client address, and time allowed to slow clients. */
  http: z
    .object({
      /** Open connections in total; more are closed at once. */
      maxConnections: z.coerce.number().int().min(1).max(100_000).default(2000),
      /** Open connections per client address (trusted proxies are not counted); more are closed at once. */
      maxConnectionsPerIp: z.coerce.number().int().min(1).max(100_000).default(128),
      /** Seconds a connection may take to send a request's headers (also how long a silent new connection is kept). */
      headersTimeoutS: z.coerce.number().int().min(1).max(600).default(15),
      /** Seconds a request (headers and body) may take to arrive. */
      requestTimeoutS: z.coerce.number().int().min(1).max(3600).default(120),
      /** Seconds an idle keep-alive connection is kept between requests. */
      keepAliveTimeoutS: z.coerce.number().int().min(1).max(600).default(5),
    })
    .strict()
    .default({ maxConnections: 2000, maxConnectionsPerIp: 128, headersTimeoutS: 15, requestTimeoutS: 120, keepAliveTimeoutS: 5 }),
  /** Recording export jobs not yet finished (queued or running), per user and in total; more → 429 (issue 13 item 9). */
  exports: z
    .object({
      maxPerUser: z.coerce.number().int().min(1).max(100).default(2),
      maxTotal: z.coerce.number().int().min(1).max(1000).default(8),
    })
    .strict()
    .default({ maxPerUser: 2, maxTotal: 8 }),
};

/** XUNCHA_TRUSTED_PROXIES and XUNCHA_TLS_* overlaid on the file's values. */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv, fromFile: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.XUNCHA_TRUSTED_PROXIES) out.trustedProxies = env.XUNCHA_TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.XUNCHA_TLS_CERT_FILE || env.XUNCHA_TLS_KEY_FILE) {
    const tls = fromFile.tls !== null && typeof fromFile.tls === 'object' ? (fromFile.tls as Record<string, unknown>) : {};
    out.tls = { ...tls, ...(env.XUNCHA_TLS_CERT_FILE ? { certFile: env.XUNCHA_TLS_CERT_FILE } : {}), ...(env.XUNCHA_TLS_KEY_FILE ? { keyFile: env.XUNCHA_TLS_KEY_FILE } : {}) };
  }
  return out;
}
