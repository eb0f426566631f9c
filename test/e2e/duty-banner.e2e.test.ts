// The console's top alarm banner shows the duty alarms of this level and below, with sound, and
// clears when they clear at their origin (R-DIS-3, issue 18; docs/design/duty.md). A real `xuncha
// serve` as a city (GB/T 28181 id and domain configured) with a lower platform registered; the
// site's node-to-node channel is played by this test, which POSTs batches signed with the site's
// registration password exactly as a site's sender does: a `duty.alarm` (one person left in the
// monitoring room during an exam window) and an overdue `duty.review` (保密室回看逾期). The banner in
// Chromium shows 不足两人值守 and 保密室回看逾期 with the site's message and beeps (WebAudio counted
// in the page); the site's clearing items (two back, review signed) remove both rows.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_PATH } from '../../src/uplink/wire.ts';
import { batchBody, item, signed } from '../uplink/signing.ts';
import { closeAll, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { startTestServer } from './helpers/server.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const CITY = { id: '32010000002000000001', domain: '3201000000' };
const SITE = { sipId: '32010600002000000001', realm: CITY.domain, password: 'Lower-Pass-1234' };
const SITE_ORIGIN = '32010600002160000099';
const byId = (page: Page, id: string) => page.getByTestId(id);

async function api<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(async ({ method, url, body }) => {
    const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken }, body: body === undefined ? undefined : JSON.stringify(body) });
    const data: unknown = await res.json();
    if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${JSON.stringify(data)}`);
    return data;
  }, { method, url, body }) as Promise<T>;
}

describe('duty alarms in the console alarm banner (e2e, R-DIS-3)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;
  let seq = 0;
  /** What the site's sender would POST: its items, signed with the channel key from its registration password. */
  const siteSends = async (items: Array<{ topic: string; key: string; body: unknown }>) => {
    const body = batchBody(items.map((i) => item(++seq, SITE_ORIGIN, i.key, i.body, { topic: i.topic, originSeq: seq })), { epoch: 'abcdefabcdef0123' });
    const req = signed(body, SITE);
    const res = await fetch(new URL(BATCH_PATH, server.baseUrl), { method: 'POST', headers: req.headers, body: new Uint8Array(req.body) });
    expect(res.status, await res.text()).toBe(200);
  };

  beforeAll(async () => {
    ensureWebBuilt();
    [server, b] = await startWithBrowser(() => startTestServer({ env: { XUNCHA_SIP_ID: CITY.id, XUNCHA_SIP_DOMAIN: CITY.domain, XUNCHA_SIP_UDP_PORT: '0', XUNCHA_SIP_TCP_PORT: '0', XUNCHA_SIP_HOST: '127.0.0.1' } }));
  }, 400_000); // the console build alone takes minutes on a loaded machine
  afterAll(async () => {
    await closeAll(b);
    await server?.stop();
  });

  it('R-DIS-3: 不足两人值守 and 保密室回看逾期 from the level below stand in the banner with sound, and clear when the site clears them', async () => {
    const { page } = b!;
    page.setDefaultTimeout(20_000);
    // Count the banner's beeps: each beep starts two oscillators.
    await page.addInitScript(() => {
      const w = window as unknown as { __oscillators: number };
      w.__oscillators = 0;
      const orig = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function (this: AudioContext) {
        w.__oscillators++;
        return orig.call(this);
      };
    });
    await page.goto(server.baseUrl);
    await byId(page, 'login-username').fill('admin');
    await byId(page, 'login-password').fill(server.adminPassword);
    await byId(page, 'login-submit').click();
    await byId(page, 'header-user').waitFor();
    await api(page, 'POST', '/api/cascade/lowers', { sipId: SITE.sipId, name: '南京市第一中学考点', kind: 'platform', password: SITE.password });
    await page.mouse.click(5, 400); // a user gesture: browsers allow audio only after one
    expect(await byId(page, 'alarm-banner').count()).toBe(0);

    const atMs = Date.now();
    await siteSends([
      { topic: 'duty.alarm', key: '7', body: { roomId: 7, roomName: '监控室', onDuty: 1, names: ['张三'], alone: true, windows: ['exam'], message: '监控室考试时段仅 1 人在岗，违反两人值守规定', atMs } },
      { topic: 'duty.review', key: '3', body: { id: 3, roomId: 6, roomName: '试卷保密室', periodFromMs: atMs - 9 * 3_600_000, periodToMs: atMs - 3 * 3_600_000, dueAtMs: atMs - 2 * 3_600_000, state: 'overdue', overdue: true, alarm: 'custody_review_overdue' } },
    ]);
    const alone = byId(page, 'duty-alarm-alone');
    const review = byId(page, 'duty-alarm-review');
    await alone.waitFor({ timeout: 15_000 });
    await review.waitFor({ timeout: 15_000 });
    expect(await alone.textContent()).toContain('不足两人值守');
    expect(await alone.textContent()).toContain('监控室考试时段仅 1 人在岗，违反两人值守规定');
    expect(await review.textContent()).toContain('保密室回看逾期');
    expect(await review.textContent()).toContain('试卷保密室');
    expect(await byId(page, 'alarm-banner').getAttribute('role')).toBe('alert');
    await expect.poll(() => page.evaluate(() => (window as unknown as { __oscillators: number }).__oscillators), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: '/tmp/duty-banner.png' });

    // Two people back at the site, the review signed: the site's items clear, and so does the banner.
    await siteSends([
      { topic: 'duty.alarm', key: '7', body: { roomId: 7, roomName: '监控室', onDuty: 2, names: ['张三', '李四'], alone: false, windows: ['exam'], message: '监控室已恢复两人在岗', atMs: Date.now() } },
      { topic: 'duty.review', key: '3', body: { id: 3, roomId: 6, roomName: '试卷保密室', state: 'signed', overdue: false } },
    ]);
    await expect.poll(async () => (await alone.count()) + (await review.count()), { timeout: 15_000 }).toBe(0);
    expect(await byId(page, 'alarm-banner').count()).toBe(0);
  }, 120_000);
});
