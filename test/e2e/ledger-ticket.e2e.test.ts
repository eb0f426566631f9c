// A fault ticket's life in Chromium at one node (issue 19 item 4; R-FLT-1: a fault ticketed by the
// system, handled by a person, closed only when the system measures the device healthy; R-ORG-2).
// A real `xuncha serve` sampling health every 5 s; the device is a switch whose reachability probe
// is a real TCP listener in this process. Closed, the switch is ticketed automatically after the
// set time (10 s); the switch and its probe target are entered in the console's device form; the administrator acknowledges, starts and finishes the repair in 故障工单; the
// switch replaced meanwhile (a new serial in the form), the ticket says it waits for the conformance
// A UPS down for a moment is ticketed and, nobody acting, closed by the system once healthy for the set time (R-FLT-1).
// check (R-CITY-4); the listener reopened, the system records the check passed and verifies the ticket by itself. Screenshot in /tmp/shots-ledger19/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, pageApi, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { startTestServer } from './helpers/server.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const SHOTS = '/tmp/shots-ledger19';
const TAG = Date.now().toString(36).slice(-5);
const byId = (page: Page, id: string) => page.getByTestId(id);
const listen = (port = 0): Promise<Server> =>
  new Promise((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });

const api = pageApi;

describe('a fault ticket\'s life in the console (e2e)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;
  let sw: Server;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    sw = await listen();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'xuncha-e2e-ticket-'));
    writeFileSync(path.join(dataDir, 'xuncha.yaml'), 'ledger:\n  healthIntervalS: 5\n  offlineAfterS: 10\n  verifyHealthyS: 1\n  selfClearMin: 0.25\n');
    [server, b] = await startWithBrowser(() => startTestServer({ dataDir }));
  }, 400_000); // the console build alone takes minutes on a loaded machine
  afterAll(async () => {
    await closeAll(b);
    await server?.stop();
    if (sw?.listening) await new Promise((r) => sw.close(r));
  });

  it('R-FLT-1: opened by the system, acknowledged, repairing, repaired by a person, verified by the system', async () => {
    const { page } = b!;
    page.setDefaultTimeout(20_000);
    await page.goto(server.baseUrl);
    await byId(page, 'login-username').fill('admin');
    await byId(page, 'login-password').fill(server.adminPassword);
    await byId(page, 'login-submit').click();
    await byId(page, 'header-user').waitFor();
    const port = (sw.address() as { port: number }).port;
    // The switch is entered in the console's device form with its reachability target (R-SEC-1).
    await page.goto(`${server.baseUrl}/#ledger`);
    await byId(page, 'device-add').click();
    await byId(page, 'device-code').fill(`SW-${TAG}`);
    await byId(page, 'device-name').fill(`交换机${TAG}`);
    await byId(page, 'device-responsible').fill('赵老师');
    await byId(page, 'device-serial').fill(`SN-A-${TAG}`);
    await byId(page, 'device-probe-host').fill('127.0.0.1');
    await byId(page, 'device-probe-port').fill('70000');
    await byId(page, 'device-form-ok').click();
    await page.getByText('端口须为 1–65535 的整数').waitFor(); // refused in the form, nothing sent
    await byId(page, 'device-probe-port').fill(String(port));
    await byId(page, 'device-form-ok').click();
    await byId(page, 'device-form').waitFor({ state: 'detached' });
    const deviceRow = page.locator('tr', { hasText: `SW-${TAG}` });
    await expect.poll(() => deviceRow.innerText()).toContain(`127.0.0.1:${port}`);
    // Opened again for editing, the form shows what was stored.
    await byId(page, `device-SW-${TAG}-edit`).click();
    expect(await byId(page, 'device-probe-port').inputValue()).toBe(String(port));
    expect(await byId(page, 'device-probe-host').inputValue()).toBe('127.0.0.1');
    await page.getByRole('button', { name: /取\s*消/ }).click();
    await page.screenshot({ path: path.join(SHOTS, 'device-form.png') });
    await new Promise((r) => sw.close(r)); // the switch goes away
    // A second device, a UPS, whose fault clears by itself before anyone acts (ticket closed by the system after 15 s healthy: selfClearMin 0.25).
    const ups = await listen();
    const upsPort = (ups.address() as { port: number }).port;
    const site = (await api<{ nodes: Array<{ id: number; kind: string }> }>(page, 'GET', '/api/org/tree')).nodes.find((n) => n.kind === 'site')!;
    await api(page, 'POST', '/api/ledger/devices', { orgNodeId: site.id, deviceClass: 'ups', code: `UPS-${TAG}`, name: `UPS${TAG}`, probeHost: '127.0.0.1', probeTcpPort: upsPort });
    await new Promise((r) => ups.close(r));
    const upsTicket = async () => (await api<{ tickets: Array<{ id: number; deviceName: string; state: string }> }>(page, 'GET', '/api/faults/tickets')).tickets.find((t) => t.deviceName === `UPS${TAG}`);
    await expect.poll(upsTicket, { timeout: 40_000, interval: 1000 }).toBeDefined();
    const upsBack = await listen(upsPort); // cleared by itself: nobody touches the ticket

    // The page loads its lists once: each look reloads it and opens the tab.
    const look = async (all = false) => {
      await page.reload();
      await page.getByRole('tab', { name: /故障工单/ }).click();
      if (all) await page.getByText('全部', { exact: true }).click();
    };
    const row = page.locator('[data-testid="ticket-table"] tr', { hasText: `交换机${TAG}` });
    // Ticketed by the system once unreachable past 10 s (samples every 5 s).
    await expect.poll(async () => {
      await look();
      return row.count();
    }, { timeout: 40_000, interval: 2500 }).toBe(1);
    expect(await row.innerText()).toContain('待确认');
    expect(await row.innerText()).toContain('设备不可达');
    const id = (await api<{ tickets: Array<{ id: number; deviceName: string }> }>(page, 'GET', '/api/faults/tickets')).tickets.find((t) => t.deviceName === `交换机${TAG}`)!.id;
    await byId(page, `ticket-${id}-acknowledge`).click();
    await expect.poll(() => row.innerText()).toContain('已确认');
    await byId(page, `ticket-${id}-start_repair`).click();
    await expect.poll(() => row.innerText()).toContain('维修中');

    // R-CITY-4: the switch is replaced — a new serial entered in the device form. The ticket now
    // waits for the new switch to answer on its probe target, and says so.
    await page.getByRole('tab', { name: /设备台账/ }).first().click();
    await byId(page, `device-SW-${TAG}-edit`).click();
    await page.getByText('序列号改变即视为更换设备').waitFor();
    await byId(page, 'device-serial').fill(`SN-B-${TAG}`);
    await byId(page, 'device-form-ok').click();
    await byId(page, 'device-form').waitFor({ state: 'detached' });
    await look();
    await expect.poll(() => byId(page, `ticket-${id}-conformance`).innerText()).toContain(`等待探测地址 127.0.0.1:${port} 可达`);
    expect(await row.innerText()).toContain('待符合性检查');
    await page.screenshot({ path: path.join(SHOTS, 'ticket-awaits-conformance.png'), fullPage: true });

    sw = await listen(port); // the new switch is installed and answers; then the technician says "repaired"
    await byId(page, `ticket-${id}-mark_repaired`).click();
    await expect.poll(() => row.innerText()).toMatch(/已修复待验证|已验证恢复/);
    expect(await byId(page, `ticket-${id}-verify`).count()).toBe(0); // no button closes it by hand
    await expect.poll(async () => {
      await look(true);
      return row.innerText();
    }, { timeout: 45_000, interval: 2500 }).toContain('已验证恢复');
    const events = (await api<{ events: Array<{ action: string }> }>(page, 'GET', `/api/faults/tickets/${id}`)).events.map((e) => e.action);
    expect(events).toEqual(expect.arrayContaining(['device_replaced', 'conformance_pass', 'verify']));
    expect(events.indexOf('conformance_pass')).toBeLessThan(events.indexOf('verify'));
    await page.screenshot({ path: path.join(SHOTS, 'ticket-verified.png') });

    // The UPS's ticket: closed by the system after 15 s healthy, and still in the default (未验证) list, saying so.
    const upsId = (await upsTicket())!.id;
    await expect.poll(async () => (await upsTicket())!.state, { timeout: 120_000, interval: 2500 }).toBe('verified');
    await look();
    const upsRow = page.locator('[data-testid="ticket-table"] tr', { hasText: `UPS${TAG}` });
    await expect.poll(() => upsRow.innerText()).toContain('已自行恢复（未经维修）');
    expect(await byId(page, `ticket-${upsId}-self-cleared`).innerText()).toBe('系统关闭·无人处理');
    const upsEvents = (await api<{ events: Array<{ action: string; note: string }> }>(page, 'GET', `/api/faults/tickets/${upsId}`)).events;
    expect(upsEvents.at(-1)).toMatchObject({ action: 'self_cleared', note: expect.stringContaining('故障已自行恢复') });
    await page.screenshot({ path: path.join(SHOTS, 'ticket-self-cleared.png'), fullPage: true });
    await new Promise((r) => upsBack.close(r));
  }, 300_000);
});
