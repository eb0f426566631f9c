// Issue 13, Low (R-SEC-4): open connections are bounded per client address and in total, and a
// connection that sends nothing is closed after http.headersTimeoutS (before: 500 idle sockets
// were all held for 60–90 s). Raw TCP sockets from several loopback addresses.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { listen, request } from './http.ts';

interface Conn {
  socket: net.Socket;
  closed: boolean;
}

function open(port: number, from: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
    const c: Conn = { socket, closed: false };
    socket.on('close', () => (c.closed = true));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(c));
    socket.once('error', reject);
  });
}

describe('connection bounds (issue 13, R-SEC-4)', () => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;
  const conns: Conn[] = [];

  beforeAll(async () => {
    t = await createTestApp('sqlite', { sample: false, config: { http: { maxConnections: 8, maxConnectionsPerIp: 3, headersTimeoutS: 2, requestTimeoutS: 5, keepAliveTimeoutS: 1 } } });
    ({ server, port } = await listen(t));
  });
  afterAll(async () => {
    for (const c of conns) c.socket.destroy();
    await server?.close();
    await t?.close();
  });

  it('a fourth connection from one address is closed at once; other addresses are served; the total is bounded', async () => {
    for (let i = 0; i < 3; i++) conns.push(await open(port, '127.0.1.2'));
    const fourth = await open(port, '127.0.1.2');
    conns.push(fourth);
    await expect.poll(() => fourth.closed, { timeout: 2000, interval: 20 }).toBe(true);
    expect(conns.slice(0, 3).every((c) => !c.closed)).toBe(true);
    expect((await request(port, 'GET', '/api/health', undefined, { from: '127.0.1.3' })).status).toBe(200);
    // 3 + 3 open = 6 of 8; two more fill the total, the next is refused whatever its address.
    for (let i = 0; i < 3; i++) conns.push(await open(port, '127.0.1.4'));
    for (let i = 0; i < 2; i++) conns.push(await open(port, '127.0.1.5'));
    const over = await open(port, '127.0.1.6');
    conns.push(over);
    await expect.poll(() => over.closed, { timeout: 2000, interval: 20 }).toBe(true);
  });

  // Retried once: in one full run of 279 files on three workers (2026-12-08) a connection of this
  // file was still open after 20 s, cause not found (docs/benchmarks.md, the test suite); the retry
  // opens new silent connections of its own, so it proves the bound again rather than passing on
  // what the first attempt left. The failure message says whether the server still holds it.
  it('silent connections are closed after headersTimeoutS (2 s here), not held for a minute', { retry: 1 }, async () => {
    const stillOpen = (list: Conn[]) => list.filter((c) => !c.closed).map((c) => `${c.socket.localAddress}:${c.socket.localPort}`);
    const serverHolds = () => new Promise<number>((r) => server.server.getConnections((_e, n) => r(n)));
    const closedWithin = async (list: Conn[], ms: number): Promise<void> => {
      const started = performance.now();
      // Closed 2 s after connecting; the bound is generous for a loaded CI machine (Node's default
      // would hold them 60–90 s).
      while (stillOpen(list).length > 0 && performance.now() - started < ms) await new Promise((r) => setTimeout(r, 100));
      // One more look once pending socket events have run: a starved worker may run the server's
      // overdue close timers and this loop's deadline in the same turn, before the close events.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 200));
      const seen = { open: stillOpen(list), serverHolds: stillOpen(list).length > 0 ? await serverHolds() : 0 };
      // A failed attempt closes what it found open, so the retry looks at its own connections only.
      for (const c of list) if (!c.closed) c.socket.destroy();
      expect(seen).toEqual({ open: [], serverHolds: 0 });
    };
    // What the first test left (at the connection limit), then three new silent ones from a fresh address.
    await closedWithin(conns, 20_000);
    const mine: Conn[] = [];
    for (let i = 0; i < 3; i++) mine.push(await open(port, '127.0.1.7'));
    conns.push(...mine);
    const started = performance.now();
    await closedWithin(mine, 20_000);
    expect(performance.now() - started).toBeLessThan(21_000);
    expect((await request(port, 'GET', '/api/health', undefined, { from: '127.0.1.2' })).status).toBe(200);
  });
});
