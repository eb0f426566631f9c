// End-to-end: 培训记录 on the console's users page (R-PRE-1, R-ORG-2; issue 19 item 6). A training
// recorded over the API is shown on the user's row with its certificate validity; the administrator
// records a second one in the browser; it is stored (read back over the API) and audited.
// Screenshot: /tmp/xuncha-shots/training-users.png.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ApiClient, startTestServer } from './helpers/server.ts';
import type { TestServer } from './helpers/server.ts';
import { closeAll, launchBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const SHOTS = '/tmp/xuncha-shots';
interface Training { id: number; course: string; certificate: string; certifiedUntilMs: number | null; recordedBy: string; trainedOnMs: number }

describe('培训记录 on the users page (e2e)', () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: BrowserSession | undefined;
  let page: Page;
  let adminId = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    server = await startTestServer();
    api = new ApiClient(server.baseUrl);
    expect((await api.login('admin', server.adminPassword)).ok).toBe(true);
    adminId = (await api.json<{ users: Array<{ id: number; username: string }> }>('GET', '/api/users')).users.find((u) => u.username === 'admin')!.id;
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await closeAll(browser);
    await server?.stop();
  });

  it('R-PRE-1: the administrator\'s trainings are on the users page; an expired certificate says so; one added in the browser is stored and audited', async () => {
    await api.json('POST', `/api/users/${adminId}/training`, { course: '标准化考点系统管理员培训', trainedOnMs: Date.UTC(2020, 4, 1), certificate: 'JS-2020-007', certifiedUntilMs: Date.UTC(2022, 4, 1) });
    await page.goto(server.baseUrl);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(server.adminPassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('header-user').waitFor();
    await page.getByTestId('menu-users').click();
    await page.getByTestId('user-training-admin').click();
    const table = page.getByTestId('training-table');
    await expect.poll(() => table.innerText()).toContain('JS-2020-007');
    const text = await table.innerText();
    expect(text).toContain('标准化考点系统管理员培训');
    expect(text).toContain('2022-05-01');
    expect(text).toContain('已过期');
    await page.getByTestId('training-course').fill('视频巡查平台运维认证');
    await page.getByTestId('training-date').fill('2026-03-02');
    await page.getByTestId('training-certificate').fill('YW-2026-015');
    await page.getByTestId('training-until').fill('2099-03-01');
    await page.getByTestId('training-add').click();
    await expect.poll(() => table.innerText()).toContain('YW-2026-015');
    expect(await table.innerText()).toContain('有效');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'training-users.png') });
    const stored = (await api.json<{ records: Training[] }>('GET', `/api/users/${adminId}/training`)).records;
    // Beijing midnight of the dates typed in the browser.
    expect(stored.find((r) => r.certificate === 'YW-2026-015')).toMatchObject({ course: '视频巡查平台运维认证', trainedOnMs: Date.UTC(2026, 2, 1, 16), certifiedUntilMs: Date.UTC(2099, 1, 28, 16), recordedBy: 'admin' });
    const audit = await api.json<{ records: Array<{ action: string }> }>('GET', '/api/audit?action=training.create');
    expect(audit.records.filter((r) => r.action === 'training.create').length).toBeGreaterThanOrEqual(2);
  });
});
