// A fault ticket's life seen at the province in Chromium (issue 19 item 4, "Done means": from a
// simulated camera failure at a site to "verified" seen at the province; R-FLT-1: ticketed by the
// system, repaired by people, verified only when measured healthy, visible upward within seconds).
// Three real nodes on loopback (site → city → province, test/uplink/levels.ts), the site recording
// one simulated camera. The camera stalls: the site's recorder loses it, the site's ledger opens the
// offline ticket by itself, and the province's 设备台账 · 运行概况 · 逐级下钻 shows it 待确认 through
// the city; the site's administrator acknowledges, repairs and says repaired (each state seen at the
// province); the camera's fault is cleared, the recorder gets it back and the site's system verifies
// the ticket: the province shows 已验证恢复. Then the province drills down to the site's devices and
// writes last month's report (kept, listed, PDF downloaded). Screenshots in /tmp/xuncha-shots/.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { actorFor } from '../../src/auth/auth-service.ts';
import { repos } from '../../src/store/repos/index.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { ADMIN_PASSWORD, CLIENT } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';
import { closeAll, launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ensureWebBuilt } from '../e2e/helpers/web-build.ts';
import { CITY, PROVINCE, SITE, addLower, close, open, settingsOf } from './levels.ts';
import type { Node } from './levels.ts';

const SHOTS = '/tmp/xuncha-shots';

describe('a camera failure at a site, ticketed, repaired and verified, followed at the province in Chromium (R-FLT-1)', () => {
  const dbs: TestDatabase[] = [];
  let province: Node | undefined;
  let city: Node | undefined;
  let site: Node | undefined;
  let sim: Simulator;
  let browser: BrowserSession | undefined;
  let cameraId = 0;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ensureWebBuilt();
    sim = await startSimulator({ cameras: [{ id: 'c1' }] });
    for (let i = 0; i < 3; i++) dbs.push(await createTestDatabase('sqlite'));
    province = await open(dbs[0]!, settingsOf(PROVINCE), 0);
    await addLower(province, CITY.id, '南京市平台', '南京市');
    city = await open(dbs[1]!, settingsOf(CITY, { id: PROVINCE.id, url: province.url }), 0);
    await addLower(city, SITE.id, '第一中学考点', '鼓楼区');
    // The site: offline for 2 s opens a ticket, healthy for 1 s verifies a repaired one; the recorder
    // notices a stalled camera after 2 s and retries quickly.
    site = await open(dbs[2]!, settingsOf(SITE, { id: CITY.id, url: city.url }), undefined, {}, {
      ledger: { offlineAfterMs: 2_000, verifyHealthyMs: 1_000, tickIntervalMs: 200, healthIntervalMs: 3_600_000 },
      recording: { reconcileIntervalMs: 500, supervisor: { backoffMinMs: 50, backoffMaxMs: 300, stallTimeoutMs: 2_000 } },
    });
    // The sample site's cameras point nowhere here: keep one camera in the 考务室, on the simulator.
    const rooms = (await site.app.org.tree(SYSTEM_ACTOR)).find((n) => n.kind === 'site')!.rooms!;
    for (const r of rooms) for (const c of r.cameras ?? []) await site.app.devices.deleteCamera(SYSTEM_ACTOR, c.id);
    const affairs = rooms.find((r) => r.kind === 'affairs')!;
    cameraId = (await site.app.devices.createCamera(SYSTEM_ACTOR, { roomId: affairs.id, name: '考务室全景', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/c1/main', subStream: '/cam/c1/sub', host: '127.0.0.1', port: sim.port })).id;
    await site.app.ledger.start();
    await site.app.recorder.start();
  }, 400_000); // the console build alone takes minutes on a loaded machine

  afterAll(async () => {
    await closeAll(browser);
    await site?.app.recorder.stop().catch(() => undefined);
    for (const n of [site, city, province]) {
      await n?.app.ledger.stop().catch(() => undefined);
      await close(n).catch(() => undefined);
    }
    await sim?.close();
    for (const d of dbs) await d.drop();
  });

  it('待确认 → 已确认 → 维修中 → 已修复待验证 → 已验证恢复, each seen on the province\'s drill-down', async () => {
    const s = site!;
    const admin = actorFor((await repos(s.app.store.db).users.byUsername('admin'))!, CLIENT);
    const device = (await s.app.ledger.ledger.list(admin)).find((d) => d.cameraId === cameraId)!;
    // The camera records at the site before anything fails.
    await expect.poll(() => s.app.recorder.status(cameraId)?.state, { timeout: 30_000, interval: 250 }).toBe('online');

    browser = await launchBrowser();
    const page = browser.page;
    page.setDefaultTimeout(20_000);
    await page.goto(province!.url);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('menu-ledger').click();
    const cell = page.getByTestId(`drill-ticket-${device.code}-offline`);
    // The page loads its lists once: each look reloads it, opens 运行概况 and shows every ticket.
    const look = async (): Promise<string> => {
      await page.reload();
      await page.getByRole('tab', { name: '运行概况' }).click();
      await page.getByTestId('drill-ticket-filter').getByText('全部', { exact: true }).click();
      return (await cell.count()) === 0 ? '' : cell.innerText();
    };

    sim.fault('c1', { type: 'stall' }); // the camera fails at the site
    await expect.poll(look, { timeout: 60_000, interval: 1000 }).toContain('待确认');
    await page.screenshot({ path: `${SHOTS}/ledger-province-open.png`, fullPage: true });
    const [ticket] = await s.app.ledger.faults.list(admin, { deviceId: device.id });
    expect(ticket).toMatchObject({ kind: 'offline', origin: 'auto', state: 'open' });

    // The site's administrator handles it; the province follows every step.
    for (const [action, label] of [['acknowledge', '已确认'], ['start_repair', '维修中'], ['mark_repaired', '已修复待验证']] as const) {
      await s.app.ledger.faults.act(admin, ticket!.id, action);
      await expect.poll(look, { timeout: 30_000, interval: 1000 }).toContain(label);
    }
    // Saying "repaired" while the camera is still down verifies nothing.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await s.app.ledger.faults.get(admin, ticket!.id)).state).toBe('repaired');

    sim.fault('c1', { type: 'clear' }); // repaired for real: the recorder gets the camera back
    await expect.poll(look, { timeout: 60_000, interval: 1000 }).toContain('已验证恢复');
    expect((await s.app.ledger.faults.get(admin, ticket!.id)).events.at(-1)).toMatchObject({ actor: 'system', toState: 'verified' });
    await page.screenshot({ path: `${SHOTS}/ledger-province-verified.png`, fullPage: true });

    // Each lower's health, one row per node: the city and the site were seeded with the same tree,
    // so both servers stand for its root (江苏省) and used to arrive under one key (R-ORG-2).
    await site!.app.ledger.health.sample();
    await city!.app.ledger.health.sample();
    await expect.poll(async () => (await province!.app.ledger.healthView(SYSTEM_ACTOR)).reported.map((r) => r.name).sort(), { timeout: 20_000, interval: 250 }).toEqual(['南京市平台', '第一中学考点'].sort());
    await page.reload();
    await page.getByRole('tab', { name: '运行概况' }).click();
    const lowers = page.getByTestId('lower-health');
    await expect.poll(() => lowers.innerText()).toContain('第一中学考点');
    expect(await lowers.innerText()).toContain('南京市平台');

    // Down to the site, one level at a time: its devices as the site reported them upward (R-SEC-2).
    for (const name of ['江苏省', '南京市', '鼓楼区', '南京市第一中学考点']) await page.getByTestId(`drill-${name}`).click();
    await expect.poll(() => page.getByTestId('drill-devices').innerText()).toContain('考务室全景');
    // 生成上月月报 at the province: kept and listed with its PDF and Excel (R-FN-3).
    const reports = page.getByTestId('health-reports').locator('tbody');
    await page.getByTestId('make-month-report').click();
    await expect.poll(() => reports.innerText(), { timeout: 60_000, interval: 500 }).toContain('月报');
    const href = await reports.getByRole('link', { name: /PDF/ }).first().getAttribute('href');
    const pdf = await page.request.get(`${province!.url}${href}`);
    expect(pdf.status()).toBe(200);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await page.screenshot({ path: `${SHOTS}/ledger-province-site-and-reports.png`, fullPage: true });
  }, 300_000);
});
