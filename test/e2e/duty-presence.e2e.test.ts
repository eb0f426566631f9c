// 确认在岗 on the wall in Chromium (R-DIS-3, issue 18; docs/design/duty.md "Periodic presence
// confirmation"). A real `xuncha serve` with the demo (its exam's first session has its windows open
// now; the administrator and 值班员 zhiban on the monitoring room's roster) and xuncha.yaml setting
// the confirmation period to 2 min (the prompt then shows 1 min before it is due). The browser,
// logged in as admin, becomes the workstation by the demo's one-time link; both people check in.
// The wall shows each person's countdown, then the prompt; the administrator confirms with their
// password in the prompt (their countdown restarts); zhiban does not, and the server checks zhiban
// out as absent: the wall shows the room below two people, and the check-out is audited as unconfirmed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/pg-proxy.ts';
import { closeAll, pageApi, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { ADMIN_PASSWORD, startTestServer } from './helpers/server.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const byId = (page: Page, id: string) => page.getByTestId(id);

describe('确认在岗 prompt on the wall (e2e, R-DIS-3)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'xuncha-e2e-presence-'));

  beforeAll(async () => {
    ensureWebBuilt();
    writeFileSync(path.join(dataDir, 'xuncha.yaml'), 'duty:\n  presenceConfirmMin: 1\n');
    // One simulated room: the demo (exam with an open window, roster, workstation link) is seeded with the simulated cameras.
    const simPort = String(await freePort());
    [server, b] = await startWithBrowser(() => startTestServer({ dataDir, startTimeoutMs: 120_000, env: { XUNCHA_SIM_ROOMS: '1', XUNCHA_SIM_PORT: simPort } }));
  }, 400_000); // the console build alone takes minutes on a loaded machine
  afterAll(async () => {
    await closeAll(b);
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('R-DIS-3: each person checked in sees a countdown, then the prompt; who confirms with their password stays, who does not is checked out as absent and the wall shows fewer than two', async () => {
    const { page } = b!;
    const out = server.logs.join('\n');
    const zhibanPassword = /second person "zhiban", password: (\S+)/.exec(out)?.[1];
    const enrollPath = /(\/api\/duty\/workstations\/claim\?code=[A-Za-z0-9_-]+)/.exec(out)?.[1];
    expect(zhibanPassword, 'the demo prints the second person\'s password').toBeTruthy();
    expect(enrollPath).toBeTruthy();
    await page.goto(server.baseUrl);
    await byId(page, 'login-username').fill('admin');
    await byId(page, 'login-password').fill(ADMIN_PASSWORD);
    await byId(page, 'login-submit').click();
    await byId(page, 'header-user').waitFor();
    await page.goto(`${server.baseUrl}${enrollPath}`);
    await byId(page, 'duty-page').waitFor({ timeout: 30_000 });
    await pageApi(page, 'POST', '/api/duty/checkins', { username: 'admin', password: ADMIN_PASSWORD });
    await pageApi(page, 'POST', '/api/duty/checkins', { username: 'zhiban', password: zhibanPassword });

    await page.goto(`${server.baseUrl}/#/wall`);
    const countdowns = byId(page, 'duty-presence-countdown');
    const prompts = byId(page, 'duty-presence-prompt');
    // Each person has a countdown (or, on a slow load past the half minute, already the prompt).
    await expect.poll(async () => (await countdowns.count()) + (await prompts.count()), { timeout: 30_000 }).toBe(2);
    if (await countdowns.count()) expect(await countdowns.first().innerText()).toMatch(/确认在岗倒计时 0[01]:\d\d/);
    await page.screenshot({ path: '/tmp/duty-presence-countdown.png' });

    // Half the period (30 s) before it is due, the countdown becomes the prompt, for both.
    await expect.poll(() => prompts.count(), { timeout: 90_000, interval: 1000 }).toBe(2);
    const adminPrompt = prompts.filter({ hasText: '系统管理员' });
    expect(await adminPrompt.innerText()).toMatch(/请 系统管理员 确认在岗：剩余 0[01]:\d\d（考试\/保密时段每 1 分钟确认一次/);
    await page.screenshot({ path: '/tmp/duty-presence-prompt.png' });

    // The administrator confirms with their password in the prompt: their countdown restarts.
    await adminPrompt.getByRole('button').click();
    await byId(page, 'duty-presence-password').fill(ADMIN_PASSWORD);
    await byId(page, 'duty-presence-form-ok').click();
    await byId(page, 'duty-presence-form').waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(() => countdowns.filter({ hasText: '系统管理员' }).count(), { timeout: 15_000 }).toBe(1);

    // zhiban did not confirm: checked out as absent by the server (sweep every 10 s); the wall shows the room below two.
    const status = () => pageApi<{ rooms: Array<{ roomName: string; meetsTwoPerson: boolean; onDuty: Array<{ name: string }> }> }>(page, 'GET', '/api/duty/status');
    await expect.poll(async () => (await status()).rooms[0].onDuty.length, { timeout: 120_000, interval: 2000 }).toBe(1);
    const room = (await status()).rooms[0];
    expect(room.onDuty.map((p) => p.name)).toEqual(['系统管理员']);
    await expect.poll(() => byId(page, 'wall-duty').innerText(), { timeout: 15_000 }).toContain('1 人在岗');
    expect(await prompts.filter({ hasText: '值班员' }).count()).toBe(0);
    const audit = await pageApi<{ records: Array<{ username: string; detail: Record<string, unknown> | string | null }> }>(page, 'GET', '/api/audit?action=duty.checkout&limit=5');
    expect(audit.records.some((r) => r.username === 'system:duty-sweep' && JSON.stringify(r.detail).includes('unconfirmed'))).toBe(true);
    await page.screenshot({ path: '/tmp/duty-presence-absent.png' });
  }, 300_000);
});
