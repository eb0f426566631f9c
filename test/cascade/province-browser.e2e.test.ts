// Issue 7 proof: live video from a site camera plays in Chromium at the province through two hops
// (province ← city ← site on loopback). The province has a camera row with source_kind 'gb28181'
// whose main stream is the site channel's GB id as the province sees it through the city; the
// province's recorder opens it through the cascade; the province's real HTTP server (buildServer)
// hands it to a headless Chromium over WebRTC, and the page decodes frames.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { addLower, CITY, PROVINCE, SITE, startLevel, stopLevels, until } from './helpers.ts';
import type { Level } from './helpers.ts';

interface PlayResult { status: number; error?: string; frames?: number; frames2?: number }

describe('province plays a site camera live in Chromium through the city', () => {
  let sim: Simulator;
  let province: Level;
  let city: Level;
  let site: Level;
  let server: FastifyInstance | undefined;
  let browser: BrowserSession | undefined;
  let baseUrl = '';
  let siteGb = '';
  let provinceCam = 0;

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }] });
    province = await startLevel(PROVINCE, undefined, { recorder: true });
    await province.cascade.start();
    await addLower(province, CITY.id, '南京市平台');
    city = await startLevel(CITY, province);
    await addLower(city, SITE.id, '南京市第一中学考点');
    await city.cascade.start();
    site = await startLevel(SITE, city, { recorder: true });
    const admin = await site.t.actor('admin');
    const room = (await site.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms![0];
    const c = await site.t.app.devices.createCamera(admin, { roomId: room.id, name: 'cam-a', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/a/main', subStream: '/none', host: '127.0.0.1', port: sim.port });
    siteGb = c.gbCode;
    await site.t.app.recorder.start();
    await site.cascade.start();
    await until('site camera records', () => site.t.app.recorder.status(c.id)?.recording === true);
    // The province's console: a camera in one of its rooms whose source is the site's channel, two hops down.
    const provAdmin = await province.t.actor('admin');
    const provRoom = (await province.t.app.org.tree(provAdmin)).find((n) => n.kind === 'site')!.rooms![0];
    provinceCam = (await province.t.app.devices.createCamera(provAdmin, { roomId: provRoom.id, name: '考点一前置(省)', position: 'front', sourceKind: 'gb28181', mainStream: siteGb, subStream: '' })).id;
    await until('province has the channel through the city', async () => (await province.cascade.calls?.owns(siteGb)) === true, 30_000);
    await province.t.app.recorder.start();
    await until('province camera online', () => province.t.app.recorder.status(provinceCam)?.state === 'online', 20_000);
    server = await buildServer(province.t.app, createLogger('silent'));
    await server.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    await browser.page.addInitScript('window.__name = (f) => f;'); // esbuild keepNames helper inside evaluated functions
    await browser.page.goto(baseUrl);
  }, 80_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await stopLevels([site, city, province]);
    await sim?.close();
  });

  it('R-FN-3, R-FN-1: a site camera relayed through the city plays over WebRTC in Chromium at the province and keeps decoding', async () => {
    const r = await browser!.page.evaluate(async ({ cameraId, password }): Promise<PlayResult> => {
      const login = await fetch('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-workstation': 'e2e' }, body: JSON.stringify({ username: 'admin', password }) });
      if (!login.ok) return { status: login.status, error: await login.text() };
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-csrf-token': csrfToken };
      const tr = await fetch('/api/live/token', { method: 'POST', headers, body: JSON.stringify({ cameraIds: [cameraId], stream: 'main' }) });
      if (!tr.ok) return { status: tr.status, error: await tr.text() };
      const tok = (await tr.json()) as { token: string };
      const pc = new RTCPeerConnection({ iceServers: [] });
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
      const r = await fetch('/api/live/webrtc', { method: 'POST', headers, body: JSON.stringify({ token: tok.token, cameraId, stream: 'main', sdp: pc.localDescription!.sdp }) });
      if (!r.ok) {
        pc.close();
        return { status: r.status, error: await r.text() };
      }
      const ans = (await r.json()) as { id: string; sdp: string };
      await pc.setRemoteDescription({ type: 'answer', sdp: ans.sdp });
      const deadline = performance.now() + 20_000;
      while (v.getVideoPlaybackQuality().totalVideoFrames === 0 && performance.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      const frames = v.getVideoPlaybackQuality().totalVideoFrames;
      await new Promise((res) => setTimeout(res, 2000));
      const frames2 = v.getVideoPlaybackQuality().totalVideoFrames;
      pc.close();
      await fetch(`/api/live/webrtc/${ans.id}/close`, { method: 'POST', headers, body: '{}' });
      return { status: r.status, frames, frames2 };
    }, { cameraId: provinceCam, password: ADMIN_PASSWORD });
    console.log(`province WebRTC: ${r.frames} frames at first, ${r.frames2} after 2 s`);
    expect(r, r.error).toMatchObject({ status: 200 });
    expect(r.frames).toBeGreaterThan(0);
    expect(r.frames2!).toBeGreaterThan(r.frames! + 25); // 2 s at 25 fps = 50
  }, 60_000);
});
