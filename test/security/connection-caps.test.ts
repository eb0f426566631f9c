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

  it('silent connections are closed after headersTimeoutS (2 s here), not held for a minute', async () => {
    const started = performance.now();
    // Closed 2 s after connecting; the bound is generous for a loaded CI machine (Node's default
    // would hold them 60–90 s). The poll names the ones still open if it fails.
    const stillOpen = () => conns.filter((c) => !c.closed).map((c) => `${c.socket.localAddress}:${c.socket.localPort}`);
    while (stillOpen().length > 0 && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
    // One more look once pending socket events have run: a worker starved by the loaded CI machine
    // runs the server's overdue close timers and this loop's deadline in the same turn, before the
    // sockets' close events (failed once that way; sockets really left open stay open here too).
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 200));
    expect(stillOpen()).toEqual([]);
    expect(performance.now() - started).toBeLessThan(21_000);
    expect((await request(port, 'GET', '/api/health', undefined, { from: '127.0.1.2' })).status).toBe(200);
  });
});
