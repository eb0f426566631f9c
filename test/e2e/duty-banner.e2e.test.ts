// The console's top alarm banner shows the duty alarms of this level and below, with sound, and
// clears when they clear at their origin (R-DIS-3, issue 18; docs/design/duty.md). A real `xuncha
// serve` as a city (GB/T 28181 id and domain configured) with a lower platform registered; the
// site's node-to-node channel is played by this test, which POSTs batches signed with the site's
// registration password exactly as a site's sender does: a `duty.alarm` (one person left in the
// monitoring room during an exam window) and an overdue `duty.review` (保密室回看逾期). The banner in
// Chromium shows 不足两人值守 and 保密室回看逾期 with the site's message and beeps (WebAudio counted
// in the page); the site's clearing items (two back, review signed) remove both rows. Then a
// remote-viewing request from the site is refused in 值班 → 审批 and the decision is checked in the
// answer to the site's next batch (signed with its key), as docs/design/duty.md "Downward approvals" says.
// A request the site's viewer withdrew shows 已撤回 without approve/refuse buttons.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_DECISION_TOPIC } from '../../src/duty/grant-remote.ts';
import { computeHa1 } from '../../src/gb28181/index.ts';
import { BATCH_PATH, channelKey, downSignatureMatches } from '../../src/uplink/wire.ts';
import type { DownItem } from '../../src/uplink/wire.ts';
import { batchBody, item, signed } from '../uplink/signing.ts';
import { closeAll, pageApi, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { startTestServer } from './helpers/server.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const CITY = { id: '32010000002000000001', domain: '3201000000' };
const SITE = { sipId: '32010600002000000001', realm: CITY.domain, password: 'Lower-Pass-1234' };
const SITE_ORIGIN = '32010600002160000099';
const byId = (page: Page, id: string) => page.getByTestId(id);

const api = pageApi;

describe('duty alarms in the console alarm banner (e2e, R-DIS-3)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;
  let seq = 0;
  /** What the site's sender would POST: its items, signed with the channel key from its registration password. */
  const siteSends = async (items: Array<{ topic: string; key: string; body: unknown }>, origin = SITE_ORIGIN) => {
    const body = batchBody(items.map((i) => item(++seq, origin, i.key, i.body, { topic: i.topic, originSeq: seq })), { epoch: 'abcdefabcdef0123' });
    const req = signed(body, SITE);
    const res = await fetch(new URL(BATCH_PATH, server.baseUrl), { method: 'POST', headers: req.headers, body: new Uint8Array(req.body) });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    return JSON.parse(text) as { downEpoch?: string; down?: DownItem[] };
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
    // The lower stands for a site of this node's tree, so this node's administrator is above it.
    const tree = await api<{ nodes: Array<{ id: number; kind: string; name: string }> }>(page, 'GET', '/api/org/tree');
    const site = tree.nodes.find((n) => n.kind === 'site')!;
    await api(page, 'POST', '/api/cascade/lowers', { sipId: SITE.sipId, name: '南京市第一中学考点', kind: 'platform', password: SITE.password, orgNodeId: site.id });
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

  it('R-DIS-3: a viewing request from the site is refused here in 值班 → 审批 with a note; the decision goes down signed with the site\'s key in the answer to its next batch, and the row says 已拒绝 once the site applied it', async () => {
    const { page } = b!;
    const nowMs = Date.now();
    const request = { id: 5, requester: '王五', requesterUsername: 'wangwu', cameras: [], rooms: [{ id: 11, name: '第01考场' }], reason: '市纪检抽查第01考场', fromMs: nowMs, toMs: nowMs + 3_600_000, createdAtMs: nowMs - 1000, decidedBy: null, decidedAtMs: null, note: null };
    // The request comes from the site node this lower stands for (its GB code): the row names it.
    const tree = await api<{ nodes: Array<{ kind: string; name: string; gbCode: string }> }>(page, 'GET', '/api/org/tree');
    const site = tree.nodes.find((n) => n.kind === 'site')!;
    const sends = (state: Record<string, unknown>) => siteSends([{ topic: 'duty.view_request', key: '5', body: { ...request, ...state } }], site.gbCode);
    await sends({ state: 'pending' });
    await byId(page, 'menu-duty').click();
    await page.getByRole('tab', { name: '审批' }).click();
    const table = byId(page, 'duty-grants-received');
    await expect.poll(() => table.innerText(), { timeout: 15_000 }).toContain('市纪检抽查第01考场');
    const row = table.locator('tr', { hasText: '王五' });
    expect(await row.innerText()).toContain('第01考场');
    expect(await row.innerText()).toContain('待审批');
    await expect.poll(() => row.innerText()).toContain(site.name);

    await byId(page, `duty-received-decide-${site.gbCode}-5`).click();
    // check() verifies the radio took the click (one was lost during the dialog's opening zoom under
    // load, and the default 批准 went out instead).
    await page.waitForFunction(() => !document.querySelector('[class*="zoom-appear"], [class*="zoom-enter"]'), undefined, { timeout: 10_000 }).catch(() => undefined);
    await byId(page, 'duty-received-decide').getByRole('radio', { name: '拒绝' }).check();
    await byId(page, 'duty-received-decide-note').fill('本场次不涉及，不予调看');
    await byId(page, 'duty-received-decide-ok').click();
    await byId(page, 'duty-received-decide').waitFor({ state: 'detached', timeout: 10_000 }).catch(async () => {
      throw new Error(`the decision was not accepted: ${await byId(page, 'duty-received-decide').innerText()}`);
    });
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('待下级生效');
    await page.screenshot({ path: '/tmp/duty-received-refused.png' });

    // The site's next batch gets the decision, signed with its own channel key (a forgery would not verify).
    expect(await row.innerText()).toContain('已拒绝（admin），待下级生效');
    const answer = await sends({ state: 'pending' });
    const decision = answer.down?.find((d) => d.topic === VIEW_DECISION_TOPIC && d.key === '5');
    expect(decision, JSON.stringify(answer)).toBeDefined();
    const key = channelKey(computeHa1(SITE.sipId, SITE.realm, SITE.password, 'MD5'));
    expect(downSignatureMatches(key, answer.downEpoch!, decision!)).toBe(true);
    expect(downSignatureMatches(channelKey(computeHa1(SITE.sipId, SITE.realm, 'guessed-password', 'MD5')), answer.downEpoch!, decision!)).toBe(false);
    expect(JSON.parse(decision!.body)).toMatchObject({ approve: false, note: '本场次不涉及，不予调看', fromMs: request.fromMs, toMs: request.toMs, createdAtMs: request.createdAtMs });

    // The site applied it and publishes the new state: the row shows the site's own state.
    await sends({ state: 'refused', decidedBy: 'upper:admin', decidedAtMs: Date.now(), note: '本场次不涉及，不予调看' });
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).not.toContain('待下级生效'); // the page re-reads every 5 s
    expect(await row.innerText()).toContain('已拒绝');
    expect(await row.innerText()).toContain('本场次不涉及，不予调看');
    expect(await byId(page, `duty-received-decide-${site.gbCode}-5`).count()).toBe(0);
  }, 90_000);

  it('R-DIS-3: a request the site\'s viewer withdrew (撤回) shows 已撤回 in 值班 → 审批 with the time, and its approve/refuse button disappears', async () => {
    const { page } = b!;
    const nowMs = Date.now();
    const request = { id: 6, requester: '赵六', requesterUsername: 'zhaoliu', cameras: [], rooms: [{ id: 12, name: '第02考场' }], reason: '远程查看第02考场', fromMs: nowMs, toMs: nowMs + 3_600_000, createdAtMs: nowMs - 1000, decidedBy: null, decidedAtMs: null, note: null };
    const tree = await api<{ nodes: Array<{ kind: string; gbCode: string }> }>(page, 'GET', '/api/org/tree');
    const site = tree.nodes.find((n) => n.kind === 'site')!;
    const sends = (state: Record<string, unknown>) => siteSends([{ topic: 'duty.view_request', key: '6', body: { ...request, ...state } }], site.gbCode);
    await sends({ state: 'pending' });
    const table = byId(page, 'duty-grants-received');
    const row = table.locator('tr', { hasText: '赵六' });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.innerText()).toContain('待审批');
    expect(await byId(page, `duty-received-decide-${site.gbCode}-6`).count()).toBe(1);
    // The viewer withdrew it at the site: the site publishes the cancelled state up.
    const cancelledAtMs = Date.now();
    await sends({ state: 'cancelled', cancelledAtMs });
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toContain('已撤回'); // the page re-reads every 5 s
    expect(await row.innerText()).toContain('申请人于');
    expect(await byId(page, `duty-received-decide-${site.gbCode}-6`).count()).toBe(0);
    await page.screenshot({ path: '/tmp/duty-received-cancelled.png' });
    // And the city's API refuses a decision on it.
    const late = await page.evaluate(async (url) => {
      const csrf = (await (await fetch('/api/auth/me')).json() as { csrfToken?: string }).csrfToken ?? '';
      return (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ approve: true }) })).status;
    }, `/api/duty/grants/received/${site.gbCode}/6/decision`);
    expect(late).toBe(409);
  }, 90_000);
});
