// Response headers against framing, MIME sniffing, referrer leaks and injected scripts (issue 13,
// Low). The CSP fits the console: scripts only from this origin (Vite builds no inline script);
// inline styles allowed (antd writes <style> elements); media and images from blob:/data: (MSE
// players, snapshots); WebSockets to this origin. Swagger UI (/api/docs) keeps its own page and
// gets no CSP here, only the other headers.
import type { FastifyInstance } from 'fastify';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function addSecurityHeaders(server: FastifyInstance): void {
  server.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (!req.url.startsWith('/api/docs')) reply.header('content-security-policy', CONSOLE_CSP);
    return payload;
  });
}

/** A URL as logged: media and session tokens in the query replaced (issue 13, Low). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|access_token|csrf)=)[^&#]*/gi, '$1[redacted]');
}
