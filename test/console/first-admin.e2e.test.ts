// Issue 14 items 13 and 15 in headless Chromium against the real `xuncha serve` (R-SEC-1): the first
// administrator, started without XUNCHA_ADMIN_PASSWORD, logs in with the generated password printed
// on the console and is forced to change it — the dialog has no close button, Esc and the mask do
// not close it, nothing of the console is shown behind it and the API refuses other calls until
// the change; after it the console opens, and the header and tab title name this node and its
// level (江苏省 · 省级). Screenshots in /tmp/shots-pages14.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ApiClient, startTestServer } from '../e2e/helpers/server.ts';
import type { TestServer } from '../e2e/helpers/server.ts';
import { ensureWebBuilt } from '../e2e/helpers/web-build.ts';

const SHOTS = '/tmp/shots-pages14';
const NEW_PASSWORD = 'Neues-Kennw0rt!2026'; // must not contain the user name
let server: TestServer | undefined;
let browser: BrowserSession | undefined;
let generated = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ensureWebBuilt();
  // Empty = not set: the first start generates a password and prints it once.
  // The 30 s start limit is tight on a loaded 2-core machine: a second try before giving up.
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await startTestServer({ env: { XUNCHA_ADMIN_PASSWORD: '' } });
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
  for (let i = 0; i < 50 && !generated; i++) {
    generated = /password: (\S+)/.exec(server!.logs.join('\n'))?.[1] ?? '';
    if (!generated) await new Promise((r) => setTimeout(r, 100));
  }
}, 600_000);
afterAll(async () => {
  await browser?.close();
  if (server) expect(await server.stop()).toBe(0);
});

describe('first administrator and node identity in Chromium (issue 14 items 13, 15)', () => {
  it('R-SEC-1: the generated password must be changed in a dialog that cannot be skipped', async () => {
    expect(generated.length).toBeGreaterThanOrEqual(10);
    const api = new ApiClient(server!.baseUrl);
    expect((await api.login('admin', generated)).status).toBe(200);
    // The server refuses everything but the change until it is made.
    expect((await api.request('GET', '/api/org/tree')).status).toBeGreaterThanOrEqual(400);

    browser = await launchBrowser();
    const p = browser.page;
    p.setDefaultTimeout(20_000);
    await p.goto(server!.baseUrl);
    await p.getByTestId('login-username').fill('admin');
    await p.getByTestId('login-password').fill(generated);
    await p.getByTestId('login-submit').click();
    await p.getByTestId('must-change-password').waitFor();
    const dialog = p.locator('.ant-modal:visible');
    expect(await dialog.locator('.ant-modal-close').count()).toBe(0);
    await p.keyboard.press('Escape');
    await p.mouse.click(10, 890);
    await p.waitForTimeout(500);
    expect(await p.getByTestId('must-change-password').isVisible()).toBe(true);
    // Nothing of the console behind it: no page content is rendered.
    expect(await p.locator('.xc-content').innerText()).toBe('');
    await p.screenshot({ path: path.join(SHOTS, 'first-admin-forced.png') });

    await dialog.locator('input#oldPassword').fill(generated);
    await dialog.locator('input#newPassword').fill(NEW_PASSWORD);
    await dialog.locator('input#confirm').fill(NEW_PASSWORD);
    await dialog.locator('.ant-modal-footer .ant-btn-primary').click();
    await p.getByTestId('must-change-password').waitFor({ state: 'detached', timeout: 30_000 });
    await p.getByTestId('header-user').waitFor();
    await p.getByTestId('menu-org').waitFor();
    const again = new ApiClient(server!.baseUrl);
    expect((await again.login('admin', generated)).status).toBe(401);
    expect((await again.login('admin', NEW_PASSWORD)).status).toBe(200);
    expect((await again.request('GET', '/api/org/tree')).status).toBe(200);
  }, 120_000);

  it('item 15: the header and the tab title name the node and its level', async () => {
    const p = browser!.page;
    expect(await p.getByTestId('header-node').innerText()).toBe('江苏省 · 省级');
    expect(await p.title()).toBe('江苏省（省级）· 巡查');
    await p.screenshot({ path: path.join(SHOTS, 'node-identity.png') });
  }, 60_000);
});
