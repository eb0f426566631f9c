// The console's 平台级联 page in Chromium (R-FN-3, R-FLT-1, R-PRE-2, R-ACC-1). A city node (the
// two-level demo's startDemoCity: real HTTP server and console) and a site with simulated cameras
// registering to it over GB/T 28181 on loopback. An admin at the city opens 级联, sees the site
// online with its channels ON, watches a channel live and lists its recordings; adds a second
// lower through the form, which then registers with the password typed there; a site camera
// dropped by the simulator shows OFF in the tree and as an alarm. An inspector is refused the page
// and the API (audited); an operator sees the page without the write controls.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { CascadeModule } from '../../src/cascade/index.ts';
import { DEMO_CITY_SIP, DEMO_SITE_SIP, startDemoCity } from '../../src/cascade/demo-city.ts';
import type { DemoCity } from '../../src/cascade/demo-city.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ApiClient } from '../e2e/helpers/server.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { settings, until } from './helpers.ts';
import { ensureWebBuilt } from '../e2e/helpers/web-build.ts';

const SHOTS = '/tmp/xuncha-shots';
const SITE2 = { id: '32010700002000000001', domain: '3201070000' };
/** helpers.settings() registers with this password; the admin types it into the form. */
const SITE2_PASSWORD = 'Lower-Pass-1234';
const USERS = { inspector: { username: 'jj_cascade', password: 'Jijian-Passw0rd-7' }, operator: { username: 'xc_cascade', password: 'Xuncha-Op-Passw0rd-7' } };

const byId = (page: Page, id: string) => page.getByTestId(id);
/** expect.poll waits 1 s by default: too short for a page refreshing every 5 s on a busy machine. */
const POLL = { timeout: 15_000 };

async function login(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(baseUrl);
  await byId(page, 'login-username').fill(username);
  await byId(page, 'login-password').fill(password);
  await byId(page, 'login-submit').click();
  await byId(page, 'header-user').waitFor();
}

describe('平台级联 console page: city ← site in Chromium', () => {
  let sim: Simulator;
  let city: DemoCity;
  let site: TestApp;
  let siteCascade: CascadeModule;
  let siteServer: FastifyInstance | undefined;
  let site2: TestApp | undefined;
  let site2Cascade: CascadeModule | undefined;
  let admin: BrowserSession | undefined;
  let other: BrowserSession | undefined;
  let baseUrl = '';
  let cityApi: ApiClient;
  const gb: Record<'a' | 'b', string> = { a: '', b: '' };
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-cascade-page-'));

  beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
  }, 300_000); // vite build: about 2 min on a busy 2-core machine
  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }, { id: 'b', audio: 'none' }] });
    const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir: path.join(dir, 'data'), port: 0, host: '127.0.0.1', logLevel: 'silent', adminPassword: ADMIN_PASSWORD } });
    city = await startDemoCity(config, pino({ level: 'silent' }));
    baseUrl = `http://127.0.0.1:${city.port}`;
    site = await createTestApp('sqlite', { realClock: true, app: { recording: { supervisor: { backoffMinMs: 50, backoffMaxMs: 200, stallTimeoutMs: 2000 } } } });
    const siteAdmin = await site.actor('admin');
    const rooms = (await site.app.org.tree(siteAdmin)).find((n) => n.kind === 'site')!.rooms!;
    const siteCams: number[] = [];
    for (const [i, name] of (['a', 'b'] as const).entries()) {
      const c = await site.app.devices.createCamera(siteAdmin, { roomId: rooms[i].id, name: `cam-${name}`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${name}/main`, subStream: '/none', host: '127.0.0.1', port: sim.port });
      gb[name] = c.gbCode;
      siteCams.push(c.id);
    }
    // Recorder then cascade at once, as `xuncha serve` does: the cameras come online after the
    // site registered, and their ON reaches the city as catalog changes.
    await site.app.recorder.start();
    siteCascade = createCascadeModule(site.app, { settings: city.siteSettings });
    await siteCascade.start();
    await until('both site cameras record', () => siteCams.every((id) => site.app.recorder.status(id)?.recording === true), 30_000);
    await until('site registered at the city', () => siteCascade.link?.registered === true);
    cityApi = new ApiClient(baseUrl);
    expect((await cityApi.login('admin', ADMIN_PASSWORD)).ok).toBe(true);
    const root = (await cityApi.json<{ nodes: Array<{ id: number }> }>('GET', '/api/org/tree')).nodes[0];
    for (const [role, u] of Object.entries(USERS)) {
      await cityApi.json('POST', '/api/users', { username: u.username, displayName: role, role, orgNodeId: root.id, password: u.password });
    }
    admin = await launchBrowser();
    await login(admin.page, baseUrl, 'admin', ADMIN_PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await admin?.close();
    await other?.close();
    await siteServer?.close();
    await site2Cascade?.stop();
    await site2?.close();
    await siteCascade?.stop();
    await site?.app.recorder.stop();
    await site?.close();
    await city?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('R-FN-3, R-PRE-2: the admin opens 级联 and sees the site online with its two cameras ON, watches one live and lists its recordings', async () => {
    const page = admin!.page;
    await byId(page, 'menu-cascade').click();
    await byId(page, 'cascade-page').waitFor();
    await expect.poll(() => byId(page, 'node-sip-id').textContent(), POLL).toContain(DEMO_CITY_SIP.id);
    await page.getByText('本节点未配置上级平台').waitFor(); // the city is the top of this demo
    const row = byId(page, `lower-${DEMO_SITE_SIP.id}`);
    await row.getByText('在线', { exact: true }).waitFor({ timeout: 20_000 });
    await row.getByText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 起$/).waitFor(); // online since, Beijing time
    await expect.poll(() => row.getByTestId('lower-channel-count').textContent(), { timeout: 20_000 }).toBe('2');
    await expect.poll(() => row.getByTestId('lower-channels-on').textContent(), { timeout: 30_000 }).toBe('2');

    await row.locator('.ant-table-row-expand-icon').click();
    const tree = byId(page, `channels-${DEMO_SITE_SIP.id}`);
    for (const id of [gb.a, gb.b]) await tree.locator(`tr[data-row-key="${id}"]`).getByText('ON · 在线').waitFor();
    await tree.locator('tr', { hasText: 'cam-a' }).first().waitFor(); // names from the site's catalog, under their rooms
    // The catalog <Info> the site sent (issue 15): a camera without ONVIF in an exam room reads 固定枪机 · 室内, every field in the tooltip.
    const info = byId(page, `info-${gb.a}`);
    await expect.poll(() => info.textContent(), POLL).toMatch(/^固定枪机 · 室内/);
    await info.hover();
    await page.getByRole('tooltip').getByText('下载倍速: 1/2/4/8').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'cascade-channel-info.png') });
    await page.mouse.move(0, 0);

    // The demo city pulls each site channel as a camera of its own: the channel can be watched.
    const watch = byId(page, `watch-${gb.a}`);
    await expect.poll(() => watch.isEnabled(), { timeout: 20_000 }).toBe(true);
    await watch.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="watch-modal"] [data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, 'cascade-watch.png') });
    await page.keyboard.press('Escape');
    await byId(page, 'watch-modal').waitFor({ state: 'detached' });

    // RecordInfo through the site: today so far holds the run recording now.
    await byId(page, `records-${gb.a}`).click();
    await expect.poll(() => byId(page, 'records-total').textContent(), { timeout: 20_000 }).toMatch(/^共 [1-9]\d* 段，合计 /);
    await page.keyboard.press('Escape');
    await byId(page, 'records-modal').waitFor({ state: 'detached' });
  }, 120_000);

  it("R-FN-3: the site's own console shows its upper link: registered, address, last registration and keepalive, clock offset", async () => {
    siteServer = await buildServer(site.app, pino({ level: 'silent' }));
    await siteServer.listen({ port: 0, host: '127.0.0.1' });
    // Its own browser: cookies ignore the port, a login here would end the city session.
    const session = await launchBrowser();
    const page = session.page;
    try {
      await login(page, `http://127.0.0.1:${(siteServer.server.address() as AddressInfo).port}`, 'admin', ADMIN_PASSWORD);
      await byId(page, 'menu-cascade').click();
      const link = byId(page, 'upper-link');
      await expect.poll(() => link.getByTestId('upper-state').textContent(), POLL).toBe('已注册');
      const text = (await link.textContent()) ?? '';
      expect(text).toContain(DEMO_CITY_SIP.id);
      expect(text).toContain(`127.0.0.1:${city.siteSettings.upper!.port} / UDP`);
      expect(await byId(page, 'upper-registered-at').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      // Keepalives every 10 s in the demo: the first answered one shows within a refresh or two.
      await expect.poll(() => byId(page, 'upper-keepalive-at').textContent(), { timeout: 30_000 }).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(await byId(page, 'upper-clock-offset').textContent()).toMatch(/^上级[快慢] \d+ 毫秒$/);
      expect(await link.getByTestId('upper-last-error').count()).toBe(0); // no error while registered
      await page.screenshot({ path: path.join(SHOTS, 'cascade-site-upper.png') });
    } finally {
      await session.close();
    }
  }, 90_000);

  it('R-FN-3, R-ACC-1: the admin adds a lower through the form; it registers with the password typed there, which is never shown again', async () => {
    const page = admin!.page;
    await byId(page, 'add-lower').click();
    await byId(page, 'lower-sip-id').fill('1234');
    await byId(page, 'lower-name').fill('第二中学考点');
    await byId(page, 'lower-form-ok').click();
    await page.getByText('国标编号必须是 20 位数字').waitFor(); // checked before anything is sent
    await byId(page, 'lower-sip-id').fill(SITE2.id);
    await byId(page, 'lower-password').fill(SITE2_PASSWORD);
    await byId(page, 'lower-form-ok').click();
    await byId(page, 'lower-form').waitFor({ state: 'detached' });
    const row = byId(page, `lower-${SITE2.id}`);
    await row.getByText('从未注册').waitFor();

    // A second site configured with that password registers and turns the row online.
    const cityUdp = createCascadeModule(city.app).node!.transport.udpPort!;
    site2 = await createTestApp('sqlite', { realClock: true });
    site2Cascade = createCascadeModule(site2.app, { settings: settings(SITE2, { id: DEMO_CITY_SIP.id, port: cityUdp }) });
    await site2Cascade.start();
    await row.getByText('在线', { exact: true }).waitFor({ timeout: 20_000 });

    // Audited by name, without the password; the API never returns it nor its digest.
    const audit = await cityApi.json<{ records: Array<{ username: string; action: string; outcome: string; detail: unknown }> }>('GET', '/api/audit?action=cascade.lower.create&limit=10');
    const created = audit.records.find((r) => JSON.stringify(r.detail).includes(SITE2.id));
    expect(created).toMatchObject({ username: 'admin', outcome: 'ok' });
    const lowersText = await (await cityApi.request('GET', '/api/cascade/lowers')).text();
    expect(JSON.stringify(audit)).not.toContain(SITE2_PASSWORD);
    expect(lowersText).not.toContain(SITE2_PASSWORD);
    expect(lowersText).not.toMatch(/ha1|password/i);
    await byId(page, `edit-${SITE2.id}`).click();
    await expect.poll(() => byId(page, 'lower-password').inputValue(), POLL).toBe('');
    await page.keyboard.press('Escape');
    await byId(page, 'lower-form').waitFor({ state: 'detached' });
  }, 120_000);

  it('R-FLT-1: a site camera dropped by the simulator shows OFF in the tree and arrives as a video-loss alarm', async () => {
    const page = admin!.page;
    sim.fault('b', { type: 'drop', durationMs: 120_000 });
    const tree = byId(page, `channels-${DEMO_SITE_SIP.id}`);
    await tree.locator(`tr[data-row-key="${gb.b}"]`).getByText('OFF · 离线').waitFor({ timeout: 30_000 });
    await tree.locator(`tr[data-row-key="${gb.a}"]`).getByText('ON · 在线').waitFor();
    await expect.poll(() => byId(page, `lower-${DEMO_SITE_SIP.id}`).getByTestId('lower-channels-off').textContent(), { timeout: 15_000 }).toBe('1');
    const alarms = byId(page, 'alarms-card');
    const lossRow = alarms.locator('tr', { hasText: 'cam-b' }).filter({ hasText: '视频丢失' }).first();
    await lossRow.waitFor({ timeout: 15_000 });
    expect(await lossRow.textContent()).toContain(gb.b);
    expect(await lossRow.textContent()).toContain('南京市第一中学考点');
    expect(await lossRow.textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

    // Filter by kind: only video-loss rows remain (the recording-gap alarm of the same drop is hidden).
    await alarms.getByText('录像中断').first().waitFor({ timeout: 15_000 });
    await byId(page, 'alarm-type-filter').click();
    await page.locator('.ant-select-item-option', { hasText: '视频丢失' }).click();
    await expect.poll(async () => new Set(await alarms.getByTestId('alarm-category').allTextContents()), POLL).toEqual(new Set(['视频丢失']));
    await page.screenshot({ path: path.join(SHOTS, 'cascade-fault.png'), fullPage: true }); // for a visual check
    await byId(page, 'alarm-search').locator('input').fill('cam-a');
    await alarms.getByText('暂无告警').waitFor();
  }, 120_000);

  it('R-ACC-1: an inspector is refused the page and the API (audited); an operator sees it without the write controls', async () => {
    other = await launchBrowser();
    const page = other.page;
    await login(page, baseUrl, USERS.inspector.username, USERS.inspector.password);
    expect(await byId(page, 'menu-cascade').count()).toBe(0);
    await page.goto(`${baseUrl}/#/cascade`);
    await byId(page, 'header-user').waitFor();
    expect(await byId(page, 'cascade-page').count()).toBe(0);
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/cascade/lowers');
      return { status: res.status, body: await res.text() };
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('无权执行此操作');
    expect(refused.body).not.toContain(DEMO_SITE_SIP.id);
    const denied = await cityApi.json<{ records: Array<{ username: string; outcome: string }> }>('GET', `/api/audit?action=cascade.read&outcome=denied&username=${USERS.inspector.username}`);
    expect(denied.records.length).toBeGreaterThan(0);
    await other.close();

    other = await launchBrowser();
    await login(other.page, baseUrl, USERS.operator.username, USERS.operator.password);
    await byId(other.page, 'menu-cascade').click();
    await byId(other.page, `lower-${DEMO_SITE_SIP.id}`).getByText('在线', { exact: true }).waitFor({ timeout: 15_000 });
    await other.page.getByText('仅系统管理员可以登记、修改下级平台').waitFor();
    expect(await byId(other.page, 'add-lower').count()).toBe(0);
    expect(await byId(other.page, `delete-${DEMO_SITE_SIP.id}`).count()).toBe(0);
    const write = await other.page.evaluate(async (sipId) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch('/api/cascade/lowers', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ sipId, name: 'x', password: 'Lower-Pass-1234' }) });
      return res.status;
    }, '32011500002000000001');
    expect(write).toBe(403);
  }, 120_000);
});
