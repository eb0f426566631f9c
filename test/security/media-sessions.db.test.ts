// Media paths end with the login (issue 13 item 5) and WebRTC sessions are bounded (item 6):
// live and playback WebSockets and WebRTC sessions close at once after logout or when the account
// is disabled; WebRTC has per-user and global caps, a timeout for offers that never connect, 4xx
// for offers it cannot answer, one offer per live token, and file descriptors return to their
// baseline (R-SEC-4, R-SEC-5, R-ACC-1). Real server on a random port, real sockets, both databases.
import { readdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { listen, login, request } from './http.ts';
import type { Caller } from './http.ts';

const PW = 'Media-Session-Pw4';
/** "At once": well inside the periodic re-check (10 s) that still covers other processes. */
const AT_ONCE_MS = 5000;

/**
 * An offer as a browser sends it, made once per codec and reused: werift's gathering waits ~5 s
 * for its fallback STUN server (no Internet here), and the server answers each POST with a peer
 * connection of its own whatever the offer's ICE credentials.
 */
const offers = new Map<string, Promise<string>>();
function offer(mime = 'video/H264'): Promise<string> {
  let o = offers.get(mime);
  if (!o) offers.set(mime, (o = makeOffer(mime)));
  return o;
}

async function makeOffer(mime: string): Promise<string> {
  const pc = new RTCPeerConnection({ codecs: { video: [new RTCRtpCodecParameters({ mimeType: mime, clockRate: 90000, parameters: mime === 'video/H264' ? 'packetization-mode=1;profile-level-id=42e01f' : undefined })] } });
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  const sdp = pc.localDescription!.sdp;
  await pc.close();
  return sdp;
}

function openSocket(port: number, path: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; atMs: number }>; first: Promise<string> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  const closed = new Promise<{ code: number; atMs: number }>((res) => ws.on('close', (code) => res({ code, atMs: Date.now() })));
  const first = new Promise<string>((res) => ws.once('message', (d: Buffer) => res(d.toString('utf8'))));
  return new Promise((res, rej) => {
    ws.once('open', () => res({ ws, closed, first }));
    ws.once('error', rej);
  });
}

const openFds = () => readdirSync('/proc/self/fd').length;

describe.each(DIALECTS)('media sessions end with the login on %s', (dialect) => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;
  let admin: Caller;
  let cameraId = 0;
  let n = 0;

  async function viewer(): Promise<{ id: number; caller: Caller }> {
    const adminActor = await t.actor('admin');
    const site = (await t.app.org.tree(adminActor)).find((x) => x.kind === 'site')!;
    const username = `viewer_${n++}`;
    const u = await t.app.users.create(adminActor, { username, displayName: '巡查员', role: 'operator', orgNodeId: site.id, password: PW });
    return { id: u.id, caller: await login(port, username, PW) };
  }
  const liveToken = async (c: Caller) => (await request(port, 'POST', '/api/live/token', { cameraIds: [cameraId], stream: 'main' }, c)).body.token as string;
  const rtcCount = async () => (await request(port, 'GET', '/api/live/stats', undefined, admin)).body.webrtc as number;
  const postOffer = async (c: Caller, sdp?: string, token?: string) => request(port, 'POST', '/api/live/webrtc', { token: token ?? (await liveToken(c)), cameraId, stream: 'main', sdp: sdp ?? (await offer()) }, c);

  beforeAll(async () => {
    t = await createTestApp(dialect, { realClock: true });
    t.app.config.webrtc = { maxPerUser: 3, maxTotal: 5, connectTimeoutS: 600 };
    ({ server, port } = await listen(t));
    admin = await login(port, 'admin', ADMIN_PASSWORD);
    const site = (await t.app.org.tree(await t.actor('admin'))).find((x) => x.kind === 'site')!;
    const cam = await t.app.devices.createCamera(await t.actor('admin'), { roomId: site.rooms![0].id, name: '测试摄像机', position: 'front', sourceKind: 'rtsp', mainStream: '/main', subStream: '/sub', host: '127.0.0.1', port: 9 });
    cameraId = cam.id;
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('a live WebSocket closes at once on logout (R-SEC-4)', async () => {
    const v = await viewer();
    const s = await openSocket(port, `/api/live/ws?token=${encodeURIComponent(await liveToken(v.caller))}`);
    expect(await s.first).toContain('hello');
    const loggedOut = Date.now();
    expect((await request(port, 'POST', '/api/auth/logout', {}, v.caller)).status).toBe(200);
    const c = await s.closed;
    expect(c.code).toBe(4401);
    expect(c.atMs - loggedOut).toBeLessThan(AT_ONCE_MS);
  });

  it('a playback WebSocket closes at once when the account is disabled (R-SEC-4)', async () => {
    const v = await viewer();
    const tok = await request(port, 'POST', '/api/playback/token', { cameraIds: [cameraId], fromMs: Date.now() - 60_000 }, v.caller);
    expect(tok.status).toBe(200);
    const s = await openSocket(port, tok.body.wsPath as string);
    await s.first;
    const disabled = Date.now();
    expect((await request(port, 'PATCH', `/api/users/${v.id}`, { disabled: true }, admin)).status).toBe(200);
    const c = await s.closed;
    expect(c.code).toBe(4401);
    expect(c.atMs - disabled).toBeLessThan(AT_ONCE_MS);
  });

  it('a WebRTC session ends at once on logout and when the account is disabled (R-SEC-4)', async () => {
    const before = await rtcCount();
    const a = await viewer();
    expect((await postOffer(a.caller)).status).toBe(200);
    expect(await rtcCount()).toBe(before + 1);
    await request(port, 'POST', '/api/auth/logout', {}, a.caller);
    expect(await rtcCount()).toBe(before);
    const b = await viewer();
    expect((await postOffer(b.caller)).status).toBe(200);
    expect(await rtcCount()).toBe(before + 1);
    await request(port, 'PATCH', `/api/users/${b.id}`, { disabled: true }, admin);
    expect(await rtcCount()).toBe(before);
  }, 120_000);

  // Offer and session caps live in memory, not in the database: checked once, on SQLite (the
  // session-revocation cases above run on both databases).
  const memoryOnly = dialect === 'sqlite' ? it : it.skip;

  memoryOnly('WebRTC: one offer per live token, 4xx for an offer without H.264 (no session left), caps per user and in total', async () => {
    const v = await viewer();
    const token = await liveToken(v.caller);
    expect((await postOffer(v.caller, undefined, token)).status).toBe(200);
    expect((await postOffer(v.caller, undefined, token)).status).toBe(401);
    const base = await rtcCount();
    for (const bad of [await offer('video/VP8'), 'v=0\r\nnot an offer']) {
      const r = await postOffer(v.caller, bad);
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/无法协商视频/);
    }
    expect(await rtcCount()).toBe(base);
    // Per user: 3 (this one holds 1 already).
    expect((await postOffer(v.caller)).status).toBe(200);
    expect((await postOffer(v.caller)).status).toBe(200);
    const capped = await postOffer(v.caller);
    expect(capped.status).toBe(429);
    expect(capped.body.message).toMatch(/每个用户最多/);
    // In total: 5.
    const w = await viewer();
    expect((await postOffer(w.caller)).status).toBe(200);
    expect((await postOffer(w.caller)).status).toBe(200);
    const full = await postOffer(w.caller);
    expect(full.status).toBe(429);
    expect(full.body.message).toMatch(/已达上限/);
    await request(port, 'POST', '/api/auth/logout', {}, v.caller);
    await request(port, 'POST', '/api/auth/logout', {}, w.caller);
    expect(await rtcCount()).toBe(0);
  }, 240_000);

  memoryOnly('WebRTC offers that never connect are closed after the timeout; file descriptors return to the baseline', async () => {
    t.app.config.webrtc = { maxPerUser: 100, maxTotal: 100, connectTimeoutS: 1 };
    // The limits are read when the routes are registered: a server of its own for this case.
    const own = await listen(t);
    try {
      const me = await login(own.port, 'admin', ADMIN_PASSWORD);
      const sdp = await offer();
      await new Promise((r) => setTimeout(r, 200));
      const baseline = openFds();
      let peak = baseline;
      for (let i = 0; i < 20; i++) {
        const tok = (await request(own.port, 'POST', '/api/live/token', { cameraIds: [cameraId], stream: 'main' }, me)).body.token as string;
        expect((await request(own.port, 'POST', '/api/live/webrtc', { token: tok, cameraId, stream: 'main', sdp }, me)).status).toBe(200);
        peak = Math.max(peak, openFds());
      }
      // Each offer held sockets (before the fix they stayed open for good: 68 → 188 for 60 offers).
      expect(peak).toBeGreaterThan(baseline);
      await expect.poll(async () => (await request(own.port, 'GET', '/api/live/stats', undefined, me)).body.webrtc, { timeout: 20_000 }).toBe(0);
      await expect.poll(openFds, { timeout: 20_000 }).toBeLessThanOrEqual(baseline + 2);
    } finally {
      await own.server.close();
    }
  }, 240_000);
});
