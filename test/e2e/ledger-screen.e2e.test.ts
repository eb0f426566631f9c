// The ledger's dashboard, big screen and device card in Chromium (issue 19 items 2 and 5; R-FN-3,
// R-SEC-2, R-FLT-1, R-ORG-2). A real `xuncha serve` sampling health every 5 s: a camera that
// does not answer is sampled offline, so its card shows an offline span and the roll-up a site with
// 0 % online. The drill-down goes province → city → district → site, every figure says how fresh
// it is, and the 指挥中心大屏 refreshes by itself. Screenshots in /tmp/shots-ledger19/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, pageApi, settled, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { startTestServer } from './helpers/server.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const SHOTS = '/tmp/shots-ledger19';
const TAG = Date.now().toString(36).slice(-5);
const byId = (page: Page, id: string) => page.getByTestId(id);

const api = pageApi;

describe('ledger dashboard, big screen and device card (e2e)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'xuncha-e2e-ledger-'));
    writeFileSync(path.join(dataDir, 'xuncha.yaml'), 'ledger:\n  healthIntervalS: 5\n');
    [server, b] = await startWithBrowser(() => startTestServer({ dataDir }));
  }, 400_000); // the console build alone takes minutes on a loaded machine
  afterAll(async () => {
    await closeAll(b);
    await server?.stop();
  });

  it('R-FN-3 / R-SEC-2: drill-down with freshness, the big screen refreshing itself, a card with its health history', async () => {
    const { page } = b!;
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 1600, height: 900 });
    // The page's clock runs as the real one, and is moved on instead of waiting out the big screen's 30 s refresh.
    await page.clock.install();
    await page.goto(server.baseUrl);
    await byId(page, 'login-username').fill('admin');
    await byId(page, 'login-password').fill(server.adminPassword);
    await byId(page, 'login-submit').click();
    await byId(page, 'header-user').waitFor();
    const me = await api<{ user: { orgNodeId: number } }>(page, 'GET', '/api/auth/me');
    const city = await api<{ id: number }>(page, 'POST', '/api/org/nodes', { parentId: me.user.orgNodeId, kind: 'city', name: `大屏市${TAG}` });
    const district = await api<{ id: number }>(page, 'POST', '/api/org/nodes', { parentId: city.id, kind: 'district', name: `大屏区${TAG}` });
    const site = await api<{ id: number }>(page, 'POST', '/api/org/nodes', { parentId: district.id, kind: 'site', name: `大屏考点${TAG}` });
    const room = await api<{ id: number }>(page, 'POST', '/api/rooms', { siteId: site.id, kind: 'exam', name: '第01考场', seats: 30 });
    // Nothing listens on 127.0.0.1:9: the camera stays offline.
    await api(page, 'POST', '/api/cameras', { roomId: room.id, name: `前端${TAG}`, position: 'front', sourceKind: 'rtsp', mainStream: '/main', subStream: '/sub', host: '127.0.0.1', port: 9 });

    await page.goto(`${server.baseUrl}/#ledger`);
    await page.getByRole('tab', { name: '运行概况' }).click();
    // The site's summary is published on the next sample; the roll-up shows it 0 % online.
    await expect.poll(async () => {
      await page.reload(); // the page loads its figures once; the big screen is the one that refreshes
      await page.getByRole('tab', { name: '运行概况' }).click();
      return byId(page, 'drilldown').innerText();
    }, { timeout: 60_000, interval: 4000 }).toMatch(/数据时间 \d{2}-\d{2}/);
    // Province (the root) → city → district → site.
    await byId(page, 'drill-children').locator('a').first().click();
    await byId(page, `drill-大屏市${TAG}`).click();
    await byId(page, `drill-大屏区${TAG}`).click();
    const drill = await byId(page, 'drilldown').innerText();
    expect(drill).toContain(`大屏考点${TAG}`);
    expect(drill).toMatch(/数据时间 \d{2}-\d{2} \d{2}:\d{2}:\d{2}（\d+ 秒前）/);
    expect(drill).toContain('0.0%');
    await byId(page, 'chart-drill').locator('canvas').waitFor();
    await settled(page);
    await byId(page, 'drilldown').screenshot({ path: path.join(SHOTS, 'drilldown.png') });
    await page.screenshot({ path: path.join(SHOTS, 'overview.png'), fullPage: true });

    // 指挥中心大屏: full-screen overlay; the refresh stamp changes by itself.
    await byId(page, 'open-screen').click();
    await byId(page, 'big-screen').waitFor();
    await expect.poll(() => byId(page, 'tile-cameras').innerText()).toMatch(/摄像机总数\s*\d+/);
    expect(await byId(page, 'tile-online').innerText()).toMatch(/数据时间/);
    const first = await byId(page, 'screen-refreshed').innerText();
    await byId(page, 'screen-chart-levels').locator('canvas').waitFor();
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, 'big-screen.png') });
    await page.clock.fastForward('00:31');
    await expect.poll(() => byId(page, 'screen-refreshed').innerText(), { timeout: 45_000, interval: 2000 }).not.toBe(first);
    await byId(page, 'exit-screen').click();
    await byId(page, 'big-screen').waitFor({ state: 'detached' });

    // The camera's card: the health history has an offline span, the charts draw, the PDF is a PDF.
    await page.getByRole('tab', { name: '设备台账' }).click();
    await page.locator('tr', { hasText: `前端${TAG}` }).first().click();
    await expect.poll(() => byId(page, 'card-health').innerText(), { timeout: 30_000 }).toContain('离线');
    await byId(page, 'chart-card-stream').locator('canvas').waitFor();
    expect(await byId(page, 'card-spans').innerText()).toContain('离线');
    const href = await byId(page, 'card-pdf').getAttribute('href');
    const head = await page.evaluate(async (u) => new TextDecoder().decode((await (await fetch(u!)).arrayBuffer()).slice(0, 5)), href);
    expect(head).toBe('%PDF-');
    await settled(page);
    await page.screenshot({ path: path.join(SHOTS, 'device-card.png') });
  }, 240_000);
});
