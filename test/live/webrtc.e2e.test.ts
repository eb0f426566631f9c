// The WebRTC option (docs/design/live.md, src/live/webrtc.ts) in headless Chromium against the
// real server and simulated cameras: the page makes an RTCPeerConnection, posts its offer to
// POST /api/live/webrtc, plays the remote track and decodes frames; a camera outside the token
// (and the user's scope) is refused; only the session's own user may close it (R-ACC-1).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from './helpers/live-server.ts';
import type { LiveServer } from './helpers/live-server.ts';

let server: LiveServer;
let admin: ApiClient;
let browser: BrowserSession;
let page: Page;
let cameraIds: number[] = [];

interface RtcResult { status: number; id?: string; answerMs?: number; iceMs?: number; connectMs?: number; frames?: number; frames2?: number; error?: string }

/** In the page: token, offer, answer, play; frames decoded after connection and 2 s later. */
function watchOverWebRtc(p: Page, args: { tokenFor: number; cameraId: number }): Promise<RtcResult> {
  return p.evaluate(async ({ tokenFor, cameraId }) => {
    const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
    const headers = { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken };
    const tok = (await (await fetch('/api/live/token', { method: 'POST', headers, body: JSON.stringify({ cameraIds: [tokenFor], stream: 'sub' }) })).json()) as { token: string };
    const t0 = performance.now();
    const pc = new RTCPeerConnection({ iceServers: [] });
    let iceMs = -1;
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') iceMs = Math.round(performance.now() - t0);
    };
    pc.addTransceiver('video', { direction: 'recvonly' });
    const v = document.createElement('video');
    v.muted = true;
    v.autoplay = true;
    document.body.appendChild(v);
    pc.ontrack = (e) => {
      v.srcObject = new MediaStream([e.track]);
      void v.play().catch(() => undefined);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((res) => {
      if (pc.iceGatheringState === 'complete') return res();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && res();
      setTimeout(res, 1000);
    });
    const r = await fetch('/api/live/webrtc', { method: 'POST', headers, body: JSON.stringify({ token: tok.token, cameraId, stream: 'sub', sdp: pc.localDescription!.sdp }) });
    if (!r.ok) {
      pc.close();
      return { status: r.status };
    }
    const ans = (await r.json()) as { id: string; sdp: string };
    const answerMs = Math.round(performance.now() - t0);
    await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
    const deadline = performance.now() + 20_000;
    while (v.getVideoPlaybackQuality().totalVideoFrames === 0 && performance.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const connectMs = Math.round(performance.now() - t0);
    const frames = v.getVideoPlaybackQuality().totalVideoFrames;
    await new Promise((res) => setTimeout(res, 2000));
    const frames2 = v.getVideoPlaybackQuality().totalVideoFrames;
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = [...((window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []), pc];
    return { status: r.status, id: ans.id, answerMs, iceMs, connectMs, frames, frames2 };
  }, args);
}

beforeAll(async () => {
  server = await startLiveServer({ XUNCHA_SIM_ROOMS: '2', XUNCHA_SIM_PORT: String(await freePort()) });
  admin = new ApiClient(server.baseUrl);
  expect((await admin.login('admin', ADMIN_PASSWORD)).ok).toBe(true);
  const { nodes } = await admin.json<{ nodes: Array<{ kind: string; name: string; id: number; rooms?: Array<{ cameras: Array<{ id: number }> }> }> }>('GET', '/api/org/tree');
  cameraIds = nodes.flatMap((n) => (n.rooms ?? []).flatMap((r) => r.cameras.map((c) => c.id)));
  const xw = nodes.find((n) => n.kind === 'district' && n.name === '玄武区')!;
  await admin.json('POST', '/api/users', { username: 'xw-rtc', displayName: '玄武巡查员', role: 'operator', orgNodeId: xw.id, password: 'Patrol-Passw0rd!' });
  browser = await launchBrowser();
  page = browser.page;
  await page.addInitScript('window.__name = (f) => f;'); // esbuild keepNames helper inside evaluated functions
  await page.goto(server.baseUrl);
  await page.getByTestId('login-username').fill('admin');
  await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('header-user').waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('WebRTC in Chromium (R-FN-1)', () => {
  let sessionId = '';

  it('plays a camera over an RTCPeerConnection within a few seconds and keeps decoding', async () => {
    const r = await watchOverWebRtc(page, { tokenFor: cameraIds[0], cameraId: cameraIds[0] });
    console.log(`WebRTC: answer ${r.answerMs} ms, connected ${r.iceMs} ms, first frame ${r.connectMs} ms`);
    expect(r.status).toBe(200);
    expect(r.frames).toBeGreaterThan(0);
    expect(r.connectMs).toBeLessThan(4000); // was ~5.5 s while werift waited for Google STUN
    expect(r.frames2!).toBeGreaterThan(r.frames! + 25); // 2 s at 25 fps = 50
    sessionId = r.id!;
    expect((await admin.json<{ webrtc: number }>('GET', '/api/live/stats')).webrtc).toBe(1);
  }, 60_000);

  it('refuses a camera the token does not name (and so any camera outside the scope it was issued for)', async () => {
    const r = await watchOverWebRtc(page, { tokenFor: cameraIds[0], cameraId: cameraIds[3] });
    expect(r.status).toBe(404);
    const denied = await admin.json<{ records: Array<{ objectId: unknown }> }>('GET', '/api/audit?action=video.live.start&outcome=denied&limit=20');
    expect(denied.records.some((x) => Number(x.objectId) === cameraIds[3])).toBe(true);
  }, 60_000);

  it('lets only the session\'s own user close it', async () => {
    const other = new ApiClient(server.baseUrl);
    expect((await other.login('xw-rtc', 'Patrol-Passw0rd!')).ok).toBe(true);
    expect((await other.request('POST', `/api/live/webrtc/${sessionId}/close`, {})).status).toBe(404);
    expect((await admin.json<{ webrtc: number }>('GET', '/api/live/stats')).webrtc).toBe(1);
    expect((await admin.request('POST', `/api/live/webrtc/${sessionId}/close`, {})).status).toBe(200);
    expect((await admin.json<{ webrtc: number }>('GET', '/api/live/stats')).webrtc).toBe(0);
    await expect.poll(async () => {
      const end = await admin.json<{ records: Array<{ objectId: unknown; detail: Record<string, unknown> | null }> }>('GET', '/api/audit?action=video.live.end&limit=10');
      return end.records.find((x) => Number(x.objectId) === cameraIds[0])?.detail?.transport;
    }).toBe('webrtc');
  }, 30_000);
});
