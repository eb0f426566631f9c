// The live socket against the real server and simulated cameras (R-FN-1 live monitoring,
// R-CITY-2/R-SEC-4 scope, R-ACC-1 every viewing audited): a token is required, an out-of-scope
// camera is refused and audited, frames arrive as fMP4 that ffprobe reads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe } from '../helpers/ffprobe.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from './helpers/live-server.ts';
import type { LiveServer } from './helpers/live-server.ts';
import { connectLive } from './helpers/ws-client.ts';

let server: LiveServer;
let admin: ApiClient;
let cameraIds: number[] = [];
const tmp = mkdtempSync(path.join(tmpdir(), 'xuncha-live-ws-'));

interface OrgNodeView { id: number; kind: string; name: string; rooms?: Array<{ cameras: Array<{ id: number }> }> }

beforeAll(async () => {
  server = await startLiveServer({ XUNCHA_SIM_ROOMS: '8', XUNCHA_SIM_PORT: String(await freePort()) });
  admin = new ApiClient(server.baseUrl);
  expect((await admin.login('admin', ADMIN_PASSWORD)).ok).toBe(true);
  const { nodes } = await admin.json<{ nodes: OrgNodeView[] }>('GET', '/api/org/tree');
  cameraIds = nodes.flatMap((n) => (n.rooms ?? []).flatMap((r) => r.cameras.map((c) => c.id)));
});

afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('live socket (R-FN-1, R-ACC-1)', () => {
  it('has 16 cameras on 8 simulated rooms', () => {
    expect(cameraIds).toHaveLength(16);
  });

  it('requires a valid token', async () => {
    await expect(connectLive(server.baseUrl, undefined)).rejects.toThrow(/400/);
    const c = await connectLive(server.baseUrl, 'forged.token');
    expect((await c.closed).code).toBe(4401);
    expect(c.messages.some((m) => m.text?.code === 'unauthorized')).toBe(true);
    const anon = new ApiClient(server.baseUrl);
    expect((await anon.request('POST', '/api/live/token', { cameraIds: [cameraIds[0]] })).status).toBe(401);
  });

  it('streams fMP4 that ffprobe reads (init + fragments), then audits start and end with duration', async () => {
    const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: [cameraIds[2]], stream: 'sub' });
    const c = await connectLive(server.baseUrl, token);
    await c.waitFor((m) => m.text?.ev === 'hello');
    c.send({ op: 'sub', ch: 7, cameraId: cameraIds[2], stream: 'sub' });
    const init = await c.waitFor((m) => m.type === 1 && m.ch === 7, 15_000);
    const t0 = init.atMs;
    await new Promise((r) => setTimeout(r, 3000));
    c.send({ op: 'unsub', ch: 7 });
    await c.waitFor((m) => m.text?.ev === 'unsub');
    c.close();
    await c.closed;
    const media = c.messages.filter((m) => m.type === 2 && m.ch === 7);
    expect(media.length).toBeGreaterThan(50); // 3 s at 25 fps, plus the GOP sent at once
    expect(media[0].keyframe).toBe(true);
    // The GOP arrives at once: the first keyframe is there within a moment of the init.
    expect(media[0].atMs - t0).toBeLessThan(500);
    const file = path.join(tmp, 'live.mp4');
    writeFileSync(file, Buffer.concat([init.payload!, ...media.map((m) => m.payload!)]));
    const probe = ffprobe(file);
    expect(probe).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(probe.frames).toBe(media.length);
    const meta = c.messages.find((m) => m.text?.ev === 'meta' && m.text.codec);
    expect(String(meta?.text?.codec)).toMatch(/^avc1\./);

    await new Promise((r) => setTimeout(r, 500));
    const audit = await admin.json<{ records: Array<{ action: string; objectId: unknown; detail: Record<string, unknown> | null }> }>('GET', '/api/audit?action=video.live.end&limit=10');
    const end = audit.records.find((r) => Number(r.objectId) === cameraIds[2]);
    expect(end?.detail).toMatchObject({ stream: 'sub', transport: 'mse' });
    expect(Number(end?.detail?.durationMs)).toBeGreaterThanOrEqual(2500);
  });

  it('refuses a camera outside the user scope and audits the refusal (R-CITY-2)', async () => {
    const { nodes } = await admin.json<{ nodes: OrgNodeView[] }>('GET', '/api/org/tree');
    const otherDistrict = nodes.find((n) => n.kind === 'district' && n.name === '玄武区')!;
    const pw = 'Patrol-Passw0rd!';
    await admin.json('POST', '/api/users', { username: 'xw-patrol', displayName: '玄武巡查员', role: 'operator', orgNodeId: otherDistrict.id, password: pw });
    const op = new ApiClient(server.baseUrl);
    expect((await op.login('xw-patrol', pw)).ok).toBe(true);
    expect((await op.request('POST', '/api/live/token', { cameraIds: [cameraIds[0]], stream: 'sub' })).status).toBe(404);
    // A token for nothing usable: subscribing with the admin's camera id through a forged claim is impossible,
    // and a token of this user's own (empty-scope) request cannot name the camera either.
    const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: [cameraIds[1]], stream: 'sub' });
    const c = await connectLive(server.baseUrl, token);
    await c.waitFor((m) => m.text?.ev === 'hello');
    c.send({ op: 'sub', ch: 1, cameraId: cameraIds[5], stream: 'sub' }); // not in the token
    await c.waitFor((m) => m.text?.ev === 'error' && m.text.ch === 1);
    c.close();
    const denied = await admin.json<{ records: Array<{ username: string; objectId: unknown; outcome: string }> }>('GET', '/api/audit?action=video.live.start&outcome=denied&limit=20');
    expect(denied.records.some((r) => r.username === 'xw-patrol' && Number(r.objectId) === cameraIds[0])).toBe(true);
    expect(denied.records.some((r) => r.username === 'admin' && Number(r.objectId) === cameraIds[5])).toBe(true);
  });

  it('ends the socket when the login session ends', async () => {
    const u = new ApiClient(server.baseUrl);
    await u.login('admin', ADMIN_PASSWORD);
    const { token } = await u.json<{ token: string }>('POST', '/api/live/token', { cameraIds: [cameraIds[3]], stream: 'sub' });
    await u.json('POST', '/api/auth/logout', {});
    const c = await connectLive(server.baseUrl, token);
    expect((await c.closed).code).toBe(4401);
  });
});
