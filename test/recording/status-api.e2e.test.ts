// What GET /api/cameras/status tells a person about the recorder (R-REC-4, R-RET-1; issue 12
// items 3 and 7): a camera refusing our password is in error 'auth' with the next try minutes away
// (retryAtMs, retryInMs), not retried every second; a camera online but held off recording says
// why (recordingHeld: disk-pressure outside required windows), and recording resumes when lifted.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import type { CameraStatusEvent } from '../../src/events/bus.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const AUTH_BACKOFF_MIN_MS = 120_000;

describe('camera status API: retry time and recording hold (R-REC-4, R-RET-1)', () => {
  let t: TestApp;
  let sim: Simulator;
  let server: FastifyInstance;
  let cookie = '';
  const ids: Record<string, number> = {};
  const statuses = async () => {
    const res = await server.inject({ method: 'GET', url: '/api/cameras/status', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    return new Map((res.json() as { cameras: CameraStatusEvent[] }).cameras.map((c) => [c.cameraId, c]));
  };

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'ok', audio: 'none' }, { id: 'locked', audio: 'none' }], auth: { username: 'admin', password: 'Cam-Pass-1', scheme: 'digest' } });
    sim.fault('locked', { type: 'password', password: 'changed-by-someone' });
    t = await createTestApp('sqlite', { realClock: true, app: { recording: { supervisor: { authBackoffMinMs: AUTH_BACKOFF_MIN_MS, authBackoffMaxMs: 300_000 } } } });
    const admin = await t.actor('admin');
    const room = (await t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    for (const id of ['ok', 'locked']) {
      ids[id] = (await t.app.devices.createCamera(admin, { roomId: room.id, name: id, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${id}/main`, subStream: '/none', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'Cam-Pass-1' })).id;
    }
    server = await buildServer(t.app, pino({ level: 'silent' }));
    const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    cookie = login.headers['set-cookie']!.toString().split(';')[0];
    await t.app.recorder.start();
  });
  afterAll(async () => {
    await t?.app.recorder.stop();
    await server?.close();
    await sim?.close();
    await t?.close();
  });

  it('a refused password: error auth, next try in minutes; held-off recording says disk-pressure, then records again', { timeout: 30_000 }, async () => {
    await expect.poll(async () => (await statuses()).get(ids.locked)?.reason, { timeout: 15_000 }).toBe('auth');
    const locked = (await statuses()).get(ids.locked)!;
    expect(locked).toMatchObject({ state: 'error', recording: false });
    expect(locked.retryInMs).toBeGreaterThan(AUTH_BACKOFF_MIN_MS - 15_000);
    expect(locked.retryInMs).toBeLessThanOrEqual(AUTH_BACKOFF_MIN_MS);
    expect(Math.abs(locked.retryAtMs! - (Date.now() + locked.retryInMs!))).toBeLessThan(2000);
    expect(sim.stats('locked')!.streams.main.authRefusals).toBeLessThanOrEqual(2);

    await expect.poll(async () => (await statuses()).get(ids.ok)?.recording, { timeout: 15_000 }).toBe(true);
    const ok = (await statuses()).get(ids.ok)!;
    expect(ok.recordingHeld).toBeUndefined();
    expect(ok.retryAtMs).toBeUndefined();

    t.app.recorder.setUnscheduledVeto('disk-pressure');
    await expect.poll(async () => (await statuses()).get(ids.ok), { timeout: 5000 }).toMatchObject({ state: 'online', recording: false, recordingHeld: 'disk-pressure' });
    t.app.recorder.setUnscheduledVeto(undefined);
    await expect.poll(async () => (await statuses()).get(ids.ok)?.recording, { timeout: 10_000 }).toBe(true);
    expect((await statuses()).get(ids.ok)?.recordingHeld).toBeUndefined();
    // The banner's disk alarms answer through the same stack (contents: test/retention/retention.db.test.ts).
    const disk = await server.inject({ method: 'GET', url: '/api/retention/alarms/open', headers: { cookie } });
    expect(disk.statusCode).toBe(200);
    expect(disk.json()).toEqual({ alarms: [] });
  });
});
