// Reconnect policy and failure reasons (R-REC-4; issue 12 items 6 and 7), against the real RTSP
// client and the camera simulator:
// - after a stall longer than the stall timeout, video is back as soon as the camera answers again
//   (before: a ~10 s wait for the open attempt sent during the stall to time out);
// - a refused password backs off exponentially (before: ~60 tries a minute, forever), the status
//   says 'auth' and when the next try is, and the failure is logged at info once, not per retry;
// - a "camera" that answers random bytes is a protocol error, not a timeout.
import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtspCameraOpener } from '../../src/ingest/rtsp-opener.ts';
import { CameraSupervisor } from '../../src/ingest/supervisor.ts';
import type { SessionEnd } from '../../src/ingest/source.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { systemClock } from '../../src/util/clock.ts';

const AUTH = { username: 'admin', password: 'Cam-Pass-1', scheme: 'digest' as const };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function collectingLogger() {
  const lines: Array<{ level: number; msg: string; reason?: string }> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as { level: number; msg: string; reason?: string }) });
  return { log, lines };
}

describe('camera reconnect policy (R-REC-4)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 's', audio: 'none' }, { id: 'p', audio: 'none' }], auth: AUTH });
  });
  afterAll(() => sim.close());

  const spec = (id: string, password = AUTH.password) => ({ cameraId: 1, stream: 'main' as const, url: `rtsp://127.0.0.1:${sim.port}/cam/${id}/main`, username: AUTH.username, password });

  it.each([true, false])('after a 3.5 s stall (stall timeout 2 s) video is back within 1.5 s of the camera answering again (requests held: %s)', { timeout: 30_000 }, async (holdRequests) => {
    const { log, lines } = collectingLogger();
    const sup = new CameraSupervisor(spec('s'), new RtspCameraOpener(), systemClock, { stallTimeoutMs: 2000, log });
    const ends: SessionEnd[] = [];
    let lastFrameAt = 0;
    sup.on('frame', () => (lastFrameAt = Date.now()));
    sup.on('session-end', (e) => ends.push(e));
    sup.start();
    try {
      await expect.poll(() => sup.status.state, { timeout: 10_000 }).toBe('online');
      await sleep(500);
      sim.fault('s', { type: 'stall', durationMs: 3500, holdRequests });
      const stallEnd = Date.now() + 3500;
      await expect.poll(() => ends.length, { timeout: 10_000 }).toBe(1);
      expect(ends[0].code).toBe('stall');
      await expect.poll(() => lastFrameAt > stallEnd, { timeout: 10_000 }).toBe(true);
      // Held requests are answered at once; discarded ones need the next hedged attempt (≤ 1 s).
      expect(lastFrameAt - stallEnd).toBeLessThan(1500);
      expect(sup.status.state).toBe('online');
      const info = lines.filter((l) => l.level === 30).map((l) => l.msg);
      expect(info).toContain('camera session ended, reconnecting');
      expect(info.filter((m) => m.startsWith('camera connected'))).toHaveLength(2);
    } finally {
      await sup.stop();
    }
  });

  it('a refused password backs off exponentially, says auth with the next try, and logs it once at info', { timeout: 30_000 }, async () => {
    const { log, lines } = collectingLogger();
    const sup = new CameraSupervisor(spec('p', 'wrong'), new RtspCameraOpener(), systemClock, { authBackoffMinMs: 400, authBackoffMaxMs: 60_000, log });
    sup.start();
    try {
      await sleep(5000);
      // 0, 0.4, 1.2, 2.8 s → 4 tries in 5 s (2 refused DESCRIBEs each); a fixed 100 ms–1 s backoff made ≥ 8.
      const refusals = sim.stats('p')!.streams.main.authRefusals;
      expect(refusals).toBeGreaterThanOrEqual(6);
      expect(refusals).toBeLessThanOrEqual(10);
      expect(sup.status).toMatchObject({ state: 'error', reason: 'auth' });
      expect(sup.status.retryAtMs! - Date.now()).toBeGreaterThan(0);
      const infos = lines.filter((l) => l.level === 30 && l.msg === 'camera connection failed');
      expect(infos).toHaveLength(1);
      expect(infos[0].reason).toBe('auth');
    } finally {
      await sup.stop();
    }
  });
});

describe('a "camera" that answers random bytes (R-REC-4)', () => {
  it('is a protocol error, not a timeout', { timeout: 30_000 }, async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      sockets.add(s);
      s.on('data', () => s.write(Buffer.from(Array.from({ length: 2000 }, () => Math.floor(Math.random() * 256)).map((b) => (b === 0x24 ? 0 : b)))));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const opener = new RtspCameraOpener({ timeoutMs: 1500 });
      const err = await opener.open({ cameraId: 1, stream: 'main', url: `rtsp://127.0.0.1:${port}/x` }).then(
        () => undefined,
        (e: unknown) => e as SessionEnd,
      );
      expect(err?.code).toBe('protocol');
      expect(err?.message).toMatch(/not RTSP or RTP/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
