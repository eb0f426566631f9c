// The 视频墙 in headless Chromium against the real server and 16 simulated cameras (R-FN-1 live
// monitoring from every level; R-CITY-2 a district account sees its district only; R-ACC-1):
// every tile of a 16-tile wall decodes; a tour changes page; a camera fault shows and recovers;
// a user outside the cameras' scope is refused.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startWithBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { REPO_ROOT } from '../e2e/helpers/server.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from './helpers/live-server.ts';
import type { LiveServer } from './helpers/live-server.ts';

const SHOTS = path.join(REPO_ROOT, 'test-results/live');
let server: LiveServer;
let browser: BrowserSession;
let page: Page;
let rooms: Array<{ id: number; cameras: Array<{ id: number }> }> = [];
interface Tour { id: number; name: string; intervalS: number; shared: boolean; items: Array<{ kind: string; refId: number | null }> }

async function login(p: Page, username: string, password: string): Promise<void> {
  await p.goto(server.baseUrl);
  await p.getByTestId('login-username').fill(username);
  await p.getByTestId('login-password').fill(password);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('header-user').waitFor();
  await p.goto(`${server.baseUrl}/#/wall`);
  await p.getByTestId('wall-grid').waitFor();
}

/** totalVideoFrames of every tile's <video>, by tile index. */
function decoded(p: Page): Promise<number[]> {
  return p.$$eval('[data-testid^="wall-tile-"] video', (vs) => vs.map((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames));
}

async function fillWall(p: Page): Promise<void> {
  // Drag every room onto the wall: room i fills tiles 2i and 2i+1.
  for (let i = 0; i < rooms.length; i++) await p.getByTestId(`tree-room-${rooms[i].id}`).dragTo(p.getByTestId(`wall-tile-${i * 2}`));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // Chromium starts while the server does (both take seconds on a loaded 2-core machine).
  const simPort = String(await freePort());
  [server, browser] = await startWithBrowser(() => startLiveServer({ XUNCHA_SIM_ROOMS: '8', XUNCHA_SIM_PORT: simPort }));
  const admin = new ApiClient(server.baseUrl);
  await admin.login('admin', ADMIN_PASSWORD);
  const { nodes } = await admin.json<{ nodes: Array<{ kind: string; name: string; id: number; rooms?: typeof rooms }> }>('GET', '/api/org/tree');
  rooms = nodes.flatMap((n) => n.rooms ?? []).filter((r) => r.cameras.length > 0);
  const xw = nodes.find((n) => n.kind === 'district' && n.name === '玄武区')!;
  await admin.json('POST', '/api/users', { username: 'xw-op', displayName: '玄武巡查员', role: 'operator', orgNodeId: xw.id, password: 'Patrol-Passw0rd!' });
  page = browser.page;
  await login(page, 'admin', ADMIN_PASSWORD);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('video wall in Chromium (R-FN-1)', () => {
  it('shows 16 live tiles from dragged rooms and every tile decodes frames', async () => {
    expect(rooms).toHaveLength(8);
    await page.getByTestId('layout-16').click();
    await fillWall(page);
    await page.waitForFunction(() => document.querySelectorAll('[data-state="online"]').length === 16, undefined, { timeout: 30_000 });
    const a = await decoded(page);
    // Every tile decodes 40 more frames (1.6 s of video at 25 fps). 3 s is enough on a quiet
    // machine; a 2-core CI machine running two test files at once decoded 38 in 3 s once, so the
    // poll waits up to 10 s (a stalled tile still fails). A tile that the page could not keep up
    // with plays keyframes only and says 画面降帧 (issue 16, rateGovernor.ts; on this shared
    // machine other jobs can starve even 16 sub streams): it still decodes each keyframe.
    await expect.poll(async () => {
      const b = await decoded(page);
      const reduced = await page.$$eval('[data-testid^="wall-tile-"][data-degraded="true"]', (els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('wall-tile-'.length))));
      return b.length === 16 && b.every((n, i) => n > a[i] + (reduced.includes(i) ? 1 : 40)) ? 'all decoding' : b.map((n, i) => `tile ${i}: +${n - a[i]}${reduced.includes(i) ? ' (画面降帧)' : ''}`).join(', ');
    }, { timeout: 10_000, interval: 500 }).toBe('all decoding');
    await page.screenshot({ path: path.join(SHOTS, 'wall-16.png') });
  }, 90_000);

  it('shows a camera fault in its tile at once and recovers by itself', async () => {
    const tile = page.getByTestId('wall-tile-0');
    const camId = Number(await tile.getAttribute('data-camera-id'));
    expect(camId).toBe(rooms[0].cameras[0].id);
    // The patroller watches this tile (a click): on a starved page the others give way first
    // (rateGovernor.ts), and a tile that gave way comes back at once when clicked.
    await tile.click();
    // Room 1's front camera is demo-r001-front: stall it (socket open, no frames) for 8 s.
    await server.fault('demo-r001-front', { type: 'stall', durationMs: 8000 });
    const t0 = Date.now();
    // A stall (socket open, no frames) is declared after 5 s without media (supervisor); the tile
    // follows at once. Bound with margin for a loaded 2-core CI machine.
    await page.waitForFunction(() => document.querySelector('[data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'offline', undefined, { timeout: 15_000 });
    expect(Date.now() - t0).toBeLessThan(12_000);
    await page.screenshot({ path: path.join(SHOTS, 'wall-fault.png') });
    await server.fault('demo-r001-front', { type: 'clear' });
    await page.waitForFunction(() => document.querySelector('[data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 30_000 });
    await page.waitForTimeout(1000);
    const a = (await decoded(page))[0];
    // Decoding again: 40 more frames (1.6 s of video) — within 10 s, for a starved CI browser.
    await expect.poll(async () => (await decoded(page))[0], { timeout: 10_000, interval: 250 }).toBeGreaterThan(a + 40);
  }, 60_000);

  it('double-click opens the main stream full screen', async () => {
    await page.getByTestId('wall-tile-3').dblclick();
    const full = page.getByTestId('wall-full');
    await full.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="wall-tile-99"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 15_000 });
    const w = await page.$eval('[data-testid="wall-tile-99"] video', (v) => (v as HTMLVideoElement).videoWidth);
    expect(w).toBe(1280);
    await page.screenshot({ path: path.join(SHOTS, 'wall-full.png') });
    await full.dblclick();
    await full.waitFor({ state: 'detached' });
  }, 30_000);

  it('moves a tour an older console kept in localStorage to the server once, then clears it', async () => {
    await page.evaluate(() => {
      const tours = { admin: [{ id: 't1', name: '全部考场', intervalS: 5, targets: [{ kind: 'allExam' }] }] };
      localStorage.setItem('xuncha.tours.v1', JSON.stringify(tours));
    });
    await page.reload();
    await page.getByTestId('wall-grid').waitFor();
    const admin = new ApiClient(server.baseUrl);
    await admin.login('admin', ADMIN_PASSWORD);
    const named = async () => (await admin.json<{ tours: Tour[] }>('GET', '/api/tours')).tours.filter((x) => x.name === '全部考场');
    await expect.poll(async () => (await named()).length, { timeout: 10_000 }).toBe(1);
    expect((await named())[0]).toMatchObject({ intervalS: 5, shared: false, items: [{ kind: 'all-exam-rooms', refId: null }] });
    await expect.poll(() => page.evaluate(() => localStorage.getItem('xuncha.tours.v1'))).toBeNull();
    // A second visit imports nothing more.
    await page.reload();
    await page.getByTestId('wall-grid').waitFor();
    await page.waitForTimeout(1000);
    expect(await named()).toHaveLength(1);
  }, 60_000);

  it('a tour of every exam room pages through the wall; space pauses, arrows page', async () => {
    await page.getByTestId('tour-select').click();
    await page.getByText('全部考场（5s）').click();
    await page.getByTestId('layout-9').click();
    await expect.poll(() => page.getByTestId('tour-page').textContent()).toBe('第 1/2 页');
    const first = await page.getByTestId('wall-tile-0').getAttribute('data-camera-id');
    await expect.poll(() => page.getByTestId('tour-page').textContent(), { timeout: 8000, interval: 100 }).toBe('第 2/2 页');
    // Pause at once (space), so the wall stays on page 2 however long its tiles take to start.
    await page.getByTestId('tour-page').click(); // focus out of the select
    await page.keyboard.press(' ');
    expect(await page.getByTestId('tour-page').textContent()).toBe('第 2/2 页');
    expect(await page.getByTestId('wall-tile-0').getAttribute('data-camera-id')).not.toBe(first);
    await page.waitForFunction(() => document.querySelectorAll('[data-state="online"]').length === 7, undefined, { timeout: 15_000 });
    await page.screenshot({ path: path.join(SHOTS, 'wall-tour.png') });
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('tour-page').textContent()).toBe('第 1/2 页');
    await page.waitForTimeout(5500); // paused: stays
    expect(await page.getByTestId('tour-page').textContent()).toBe('第 1/2 页');
  }, 60_000);

  it('a tour saved in one browser is there in another browser of the same user, with its layout', async () => {
    await page.getByTestId('tour-new').click();
    await page.getByTestId('tour-name').fill('四画面轮巡');
    await page.getByTestId('tour-interval').fill('10');
    await page.getByTestId('tour-layout').click();
    await page.locator('.ant-select-item-option[title="4"]').click();
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.locator('.ant-modal-wrap').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('tour-page').textContent()).toBe('第 1/4 页');
    const other = await launchBrowser(); // another duty PC: its own profile and storage
    try {
      await login(other.page, 'admin', ADMIN_PASSWORD);
      // The wall itself follows the user (issue 14): the other PC may open on the running tour at
      // whatever page it has reached; clear it, then pick the tour from the list from the start.
      await expect.poll(() => other.page.getByTestId('tour-page').textContent()).toMatch(/^第 \d\/4 页$/);
      await other.page.getByTestId('wall-clear').click();
      await other.page.getByTestId('tour-select').click();
      await other.page.getByText('四画面轮巡（10s）').click();
      await expect.poll(() => other.page.getByTestId('tour-page').textContent()).toBe('第 1/4 页');
      expect(await other.page.locator('[data-testid^="wall-tile-"]').count()).toBe(4);
      expect(await other.page.getByTestId('wall-tile-0').getAttribute('data-camera-id')).toBe(String(rooms[0].cameras[0].id));
      expect(await other.page.evaluate(() => localStorage.getItem('xuncha.tours.v1'))).toBeNull();
    } finally {
      await other.close();
    }
  }, 90_000);

  it('refuses cameras outside the user scope (R-CITY-2) and the server audits it', async () => {
    // The admin's wall is not used from here on: its decoding tiles would only slow the next logins.
    await page.goto('about:blank');
    const other = await launchBrowser();
    try {
      await login(other.page, 'xw-op', 'Patrol-Passw0rd!');
      // The district account sees no camera of another district in its tree…
      expect(await other.page.locator('[data-testid^="tree-camera-"]').count()).toBe(0);
      // …and a token for one is refused even when asked directly.
      const status = await other.page.evaluate(async (id) => {
        const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
        const r = await fetch('/api/live/token', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ cameraIds: [id], stream: 'sub' }) });
        return r.status;
      }, rooms[0].cameras[0].id);
      expect(status).toBe(404);
    } finally {
      await other.close();
    }
    const admin = new ApiClient(server.baseUrl);
    await admin.login('admin', ADMIN_PASSWORD);
    const denied = await admin.json<{ records: Array<{ username: string }> }>('GET', '/api/audit?action=video.live.start&outcome=denied');
    expect(denied.records.some((r) => r.username === 'xw-op')).toBe(true);
  }, 60_000);
  it('a district account sees only the tours and cameras of its district (R-CITY-2)', async () => {
    const admin = new ApiClient(server.baseUrl);
    await admin.login('admin', ADMIN_PASSWORD);
    const { nodes } = await admin.json<{ nodes: Array<{ kind: string; name: string; id: number }> }>('GET', '/api/org/tree');
    const id = (name: string) => nodes.find((n) => n.name === name)!.id;
    // A camera in 玄武区 (fed by a simulated camera), next to the 16 of 鼓楼区.
    const site = await admin.json<{ id: number }>('POST', '/api/org/nodes', { parentId: id('玄武区'), kind: 'site', name: '玄武测试考点' });
    const room = await admin.json<{ id: number }>('POST', '/api/rooms', { siteId: site.id, kind: 'exam', name: '第01考场', seats: 30 });
    const xwCam = await admin.json<{ id: number }>('POST', '/api/cameras', {
      roomId: room.id, name: '前置摄像机', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/demo-r002-front/main', subStream: '/cam/demo-r002-front/sub', host: '127.0.0.1', port: server.simPort,
    });
    const every = [{ kind: 'all-exam-rooms' }];
    const shared = (name: string, node: string) => admin.json<Tour>('POST', '/api/tours', { name, intervalS: 30, layoutTiles: 4, orgNodeId: id(node), shared: true, items: every });
    await shared('玄武区考场', '玄武区');
    const gulou = await shared('鼓楼区考场', '鼓楼区');
    await shared('全市考场', '南京市');
    const other = await launchBrowser();
    try {
      await login(other.page, 'xw-op', 'Patrol-Passw0rd!');
      await other.page.getByTestId('tour-select').click();
      await other.page.getByText('玄武区考场（30s）').waitFor();
      const offered = await other.page.locator('[data-testid^="tour-option-"]').allTextContents();
      expect(offered).toEqual(['玄武区考场（30s）共享']);
      await other.page.getByText('玄武区考场（30s）').click();
      await expect.poll(() => other.page.getByTestId('tour-page').textContent()).toBe('第 1/1 页');
      // The page counter may show before the tour's cameras are placed (a slow machine): wait for them.
      await expect.poll(() => other.page.getByTestId('wall-tile-0').getAttribute('data-camera-id')).toBe(String(xwCam.id));
      expect(await other.page.locator('[data-testid^="wall-tile-"][data-camera-id]:not([data-camera-id=""])').count()).toBe(1);
      await other.page.waitForFunction(() => document.querySelector('[data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 30_000 });
      // The tree shows the district's camera only; another district's tour is refused even when asked directly.
      await expect.poll(() => other.page.locator('[data-testid^="tree-camera-"]').count()).toBe(1);
      expect(await other.page.getByTestId(`tree-camera-${xwCam.id}`).count()).toBe(1);
      const status = await other.page.evaluate(async (tourId) => (await fetch(`/api/tours/${tourId}/cameras`)).status, gulou.id);
      expect(status).toBe(404);
      await other.page.screenshot({ path: path.join(SHOTS, 'wall-tour-district.png') });
    } finally {
      await other.close();
    }
  }, 90_000);
});
