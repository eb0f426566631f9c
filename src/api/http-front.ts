// The listening socket of the API (issue 13, docs/design/security.md): plain HTTP or TLS from the
// configured certificate, bounds on open connections (in total and per client address; trusted
// proxies are not counted per address, they carry many clients) and on slow or silent clients.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { BlockList } from 'node:net';
import type { Socket } from 'node:net';
import type { FastifyServerFactory } from 'fastify';
import type { Config } from '../config/config.ts';

export class TlsFileError extends Error {}

/** Reads the certificate and key; a clear message when either cannot be read. */
function tlsOptions(tls: NonNullable<Config['tls']>): { cert: Buffer; key: Buffer } {
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new TlsFileError(`tls.${what} ${file} cannot be read: ${(err as Error).message}`);
    }
  };
  return { cert: read('certFile', tls.certFile), key: read('keyFile', tls.keyFile) };
}

/** A Fastify server factory applying `config.tls` and `config.http`; `exempt(ip)` says whether an address is a trusted proxy. */
export function httpServerFactory(config: Pick<Config, 'tls' | 'http'>, exempt: (ip: string) => boolean): FastifyServerFactory {
  const limits = config.http;
  const tls = config.tls ? tlsOptions(config.tls) : undefined;
  return (handler) => {
    const opts: http.ServerOptions = {
      headersTimeout: limits.headersTimeoutS * 1000,
      requestTimeout: limits.requestTimeoutS * 1000,
      keepAliveTimeout: limits.keepAliveTimeoutS * 1000,
      // How often the two timeouts above are checked (Node's default, 30 s, kept silent sockets 60–90 s).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutS * 500),
    };
    const silentMs = limits.headersTimeoutS * 1000;
    const server = tls ? https.createServer({ ...opts, ...tls, handshakeTimeout: silentMs }, handler) : http.createServer(opts, handler);
    server.maxConnections = limits.maxConnections;
    // Node's headersTimeout starts with the first byte: a connection that sends nothing at all is
    // closed here after the same time, unless a request (or WebSocket upgrade) arrived on it.
    const silent = new WeakMap<Socket, NodeJS.Timeout>();
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      const timer = setTimeout(() => socket.destroy(), silentMs);
      timer.unref();
      silent.set(socket, timer);
      socket.once('close', () => clearTimeout(timer));
    });
    const spoke = (req: http.IncomingMessage) => {
      clearTimeout(silent.get(req.socket));
      silent.delete(req.socket);
    };
    server.on('request', spoke);
    server.on('upgrade', spoke);
    const perIp = new Map<string, number>();
    // Counted on the TCP connection, before any TLS handshake work.
    server.on('connection', (socket: Socket) => {
      const ip = socket.remoteAddress ?? '';
      if (exempt(ip)) return;
      const n = (perIp.get(ip) ?? 0) + 1;
      if (n > limits.maxConnectionsPerIp) {
        socket.destroy();
        return;
      }
      perIp.set(ip, n);
      socket.once('close', () => {
        const left = (perIp.get(ip) ?? 1) - 1;
        if (left <= 0) perIp.delete(ip);
        else perIp.set(ip, left);
      });
    });
    return server;
  };
}

const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Whether a peer address is one of the trusted proxies (addresses, CIDR ranges, named ranges). */
export function proxyMatcher(trusted: string[]): (ip: string) => boolean {
  if (trusted.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of trusted.flatMap((t) => NAMED[t] ?? [t])) {
    const [ip, bits] = entry.split('/');
    const type = ip.includes(':') ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  return (ip) => {
    const plain = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
    return list.check(plain, plain.includes(':') ? 'ipv6' : 'ipv4');
  };
}
