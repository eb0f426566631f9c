// End-to-end: the web console in a real browser against the real server (R-ORG-1, R-ACC-1, R-SEC-4).
// Admin (Chinese UI) creates a site under a district, an exam room with 30 seats and a camera, sees
// them in the tree, reveals the camera's network config, finds all of it in the audit log (hash chain
// verified), creates a district-scoped user; that user then sees only their own district's site.
// Screenshots go to /tmp/xuncha-shots/*.png for a visual check.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestServer } from './helpers/server.ts';
import { closeAll, launchBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const SHOTS = '/tmp/xuncha-shots';
const TAG = Date.now().toString(36).slice(-5);
const NAMES = {
  city: `测试市${TAG}`,
  districtA: `甲区${TAG}`,
  districtB: `乙区${TAG}`,
  siteA: `第一中学考点${TAG}`,
  siteB: `外区考点${TAG}`,
  room: '第01考场',
  camera: '前端摄像机',
  user: `xq_${TAG}`,
  userPassword: 'Xuncha-e2e-2026!',
};

/** Screenshot after antd's open/close animations (~0.3 s) have settled. */
async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}
const byId = (page: Page, id: string) => page.getByTestId(id);

async function login(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await byId(page, 'login-username').fill(username);
  await byId(page, 'login-password').fill(password);
  await byId(page, 'login-submit').click();
  await byId(page, 'header-user').waitFor();
}

/** JSON call from inside the logged-in page (same cookies), with the CSRF header for writes. */
async function apiCall<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, url, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const data: unknown = await res.json();
      if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${JSON.stringify(data)}`);
      return data;
    },
    { method, url, body },
  ) as Promise<T>;
}

interface NodeLite { id: number; parentId: number | null; kind: string; name: string }

/** Fills a form modal's fields and presses its OK button, then waits for the modal to close. */
async function submitModal(page: Page, testId: string): Promise<void> {
  await byId(page, `${testId}-ok`).click();
  await byId(page, testId).waitFor({ state: 'detached' });
}

/** Picks an option of the antd Select whose wrapper carries `data-testid`. */
async function pickSelect(page: Page, testId: string, optionText: string): Promise<void> {
  await byId(page, testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: optionText }).first().click();
}

describe('web console (e2e)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let admin: BrowserSession | undefined;
  let districtUser: BrowserSession | undefined;
  const ids: { districtA?: number; districtB?: number; siteB?: number } = {};
  let afterCsp: () => string[] = () => [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    server = await startTestServer();
  }, 180_000);

  afterAll(async () => {
    await closeAll(admin, districtUser);
    await server?.stop();
  });

  it('admin builds a site with a room and a camera, sees it in the tree and in the audit log', async () => {
    admin = await launchBrowser();
    const { page } = admin;
    page.setDefaultTimeout(15_000);
    // The console under its Content-Security-Policy (issue 13): nothing it needs may be blocked.
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    afterCsp = () => cspViolations;

    await page.goto(server.baseUrl);
    await byId(page, 'login-submit').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await shot(page, '01-login');
    await login(page, server.baseUrl, 'admin', server.adminPassword);
    await expect.poll(() => byId(page, 'header-role').innerText()).toBe('系统管理员');
    await expect.poll(() => byId(page, 'beijing-clock').innerText()).toMatch(/北京时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

    // Setup through the API: a city with two districts under the admin's own node.
    const me = await apiCall<{ user: { orgNodeId: number } }>(page, 'GET', '/api/auth/me');
    const city = await apiCall<NodeLite>(page, 'POST', '/api/org/nodes', { parentId: me.user.orgNodeId, kind: 'city', name: NAMES.city });
    const dA = await apiCall<NodeLite>(page, 'POST', '/api/org/nodes', { parentId: city.id, kind: 'district', name: NAMES.districtA });
    const dB = await apiCall<NodeLite>(page, 'POST', '/api/org/nodes', { parentId: city.id, kind: 'district', name: NAMES.districtB });
    const sB = await apiCall<NodeLite>(page, 'POST', '/api/org/nodes', { parentId: dB.id, kind: 'site', name: NAMES.siteB });
    Object.assign(ids, { districtA: dA.id, districtB: dB.id, siteB: sB.id });
    await page.reload();

    // R-ORG-1: create the site under district A through the UI.
    await byId(page, `tree-node-${dA.id}`).click();
    await expect.poll(() => byId(page, 'detail-title').innerText()).toBe(NAMES.districtA);
    await byId(page, 'btn-add-site').click();
    await byId(page, 'node-name').fill(NAMES.siteA);
    await shot(page, '02-add-site-modal');
    await submitModal(page, 'node-form');
    await expect.poll(() => byId(page, 'detail-title').innerText()).toBe(NAMES.siteA);

    // Exam room, 30 seats.
    await byId(page, 'btn-add-room').click();
    await byId(page, 'room-name').fill(NAMES.room);
    await pickSelect(page, 'room-kind', '考场');
    await byId(page, 'room-seats').fill('30');
    await submitModal(page, 'room-form');
    await expect.poll(() => byId(page, 'detail-title').innerText()).toBe(NAMES.room);
    await expect.poll(() => byId(page, 'detail-seats').innerText()).toBe('30');
    await expect.poll(() => byId(page, 'org-detail').innerText()).toContain('考场');

    // Camera with network credentials (stored write-only).
    await byId(page, 'btn-add-camera').click();
    await byId(page, 'camera-name').fill(NAMES.camera);
    await byId(page, 'camera-main').fill('rtsp://192.0.2.10:554/Streaming/Channels/101');
    await byId(page, 'camera-sub').fill('rtsp://192.0.2.10:554/Streaming/Channels/102');
    await byId(page, 'camera-host').fill('192.0.2.10');
    await byId(page, 'camera-port').fill('554');
    await byId(page, 'camera-username').fill('viewer');
    await byId(page, 'camera-password').fill('Cam-Secret-9');
    await shot(page, '03-add-camera-modal');
    await submitModal(page, 'camera-form');
    await expect.poll(() => byId(page, 'detail-title').innerText()).toBe(NAMES.camera);
    await expect.poll(() => byId(page, 'detail-gbcode').innerText()).toMatch(/^\d{20}$/);

    // All three are in the tree, nested site > room > camera.
    const tree = byId(page, 'org-tree');
    await expect.poll(() => tree.innerText()).toContain(NAMES.siteA);
    const treeText = await tree.innerText();
    expect(treeText).toContain(NAMES.room);
    expect(treeText).toContain(NAMES.camera);
    expect(treeText.indexOf(NAMES.siteA)).toBeLessThan(treeText.indexOf(NAMES.room));
    expect(treeText.indexOf(NAMES.room)).toBeLessThan(treeText.indexOf(NAMES.camera));
    await shot(page, '04-org-camera');

    // R-SEC-4: revealing the camera's network configuration (audited).
    await byId(page, 'btn-reveal').click();
    await expect.poll(() => byId(page, 'reveal-data').innerText()).toContain('192.0.2.10');
    expect(await byId(page, 'reveal-data').innerText()).toContain('Cam-Secret-9');
    await shot(page, '05-reveal');
    await page.keyboard.press('Escape');
    await byId(page, 'reveal-data').waitFor({ state: 'detached' });

    // R-ACC-1: the audit log shows the creations (newest first) and the reveal; chain verifies.
    await byId(page, 'menu-audit').click();
    const table = byId(page, 'audit-table');
    await expect.poll(() => table.innerText()).toContain('查看摄像机网络配置');
    const auditText = await table.innerText();
    for (const s of ['新增机构', '新增房间', '新增摄像机', NAMES.siteA, NAMES.room, NAMES.camera]) expect(auditText).toContain(s);
    expect(auditText).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    await byId(page, 'btn-verify').click();
    await expect.poll(() => byId(page, 'verify-result').innerText()).toContain('哈希链校验通过');
    await shot(page, '06-audit');

    // A district user (巡查员) scoped to district A, created through the users page.
    await byId(page, 'menu-users').click();
    await byId(page, 'btn-create-user').click();
    await byId(page, 'user-username').fill(NAMES.user);
    await byId(page, 'user-displayname').fill('区县巡查员');
    await pickSelect(page, 'user-role', '巡查员');
    await byId(page, 'user-org').click();
    await page.keyboard.type(NAMES.districtA);
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: NAMES.districtA }).first().click();
    await byId(page, 'user-password').fill(NAMES.userPassword);
    await shot(page, '07-create-user');
    await submitModal(page, 'user-form');
    await expect.poll(() => byId(page, 'users-table').innerText()).toContain(NAMES.user);
    await shot(page, '08-users');
    expect(afterCsp()).toEqual([]);
  }, 180_000);

  it('a district user sees only their own district', async () => {
    expect(ids.districtA).toBeDefined();
    districtUser = await launchBrowser();
    const { page } = districtUser;
    page.setDefaultTimeout(15_000);
    await login(page, server.baseUrl, NAMES.user, NAMES.userPassword);
    await expect.poll(() => byId(page, 'header-role').innerText()).toBe('巡查员');
    await expect.poll(() => byId(page, 'header-org').innerText()).toBe(NAMES.districtA);

    const tree = byId(page, 'org-tree');
    await byId(page, `tree-node-${ids.districtA}`).waitFor();
    await byId(page, 'tree-expand-all').click();
    await expect.poll(() => tree.innerText()).toContain(NAMES.camera);
    const text = await tree.innerText();
    expect(text).toContain(NAMES.siteA);
    expect(text).not.toContain(NAMES.siteB);
    expect(text).not.toContain(NAMES.districtB);
    expect(await byId(page, `tree-node-${ids.siteB}`).count()).toBe(0);
    // Operators read but do not write: no admin-only menus or buttons.
    expect(await byId(page, 'menu-users').count()).toBe(0);
    expect(await byId(page, 'btn-import').count()).toBe(0);
    await shot(page, '09-district-user');

    // The API agrees with the UI: the other district's site is out of scope.
    const tree2 = await apiCall<{ nodes: NodeLite[] }>(page, 'GET', '/api/org/tree');
    expect(tree2.nodes.some((n) => n.id === ids.siteB)).toBe(false);
  }, 120_000);
});
