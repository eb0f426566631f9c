// Issue 14 item 3b in headless Chromium against the live server and a simulated camera (R-FLT-1):
// when a playing camera stalls (no packets, connection kept), its tile says 信号中断，正在重连 once, on
// an opaque box over a dimmed frozen frame, so the frame's own burned-in text cannot be read through
// it; the box stays clear of the tile's name bar and clock bar. Screenshot in /tmp/shots-pages14.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ensureWebBuilt } from '../e2e/helpers/web-build.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from '../live/helpers/live-server.ts';
import type { LiveServer } from '../live/helpers/live-server.ts';

const SHOTS = '/tmp/shots-pages14';
let server: LiveServer;
let browser: BrowserSession | undefined;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ensureWebBuilt();
  server = await startLiveServer({ XUNCHA_SIM_ROOMS: '1', XUNCHA_SIM_PORT: String(await freePort()) });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Alpha of a CSS colour (rgb() = 1). */
const alphaOf = (css: string): number => {
  const m = /rgba?\(([^)]+)\)/.exec(css);
  if (!m) return 0;
  const parts = m[1].split(',').map((x) => Number(x.trim()));
  return parts.length === 4 ? parts[3] : 1;
};

describe('a stalled tile is readable (issue 14 item 3b)', () => {
  it('R-FLT-1: 信号中断，正在重连 once, on an opaque box clear of the name and clock bars', async () => {
    browser = await launchBrowser();
    const p = browser.page;
    p.setDefaultTimeout(20_000);
    await p.goto(server.baseUrl);
    await p.getByTestId('login-username').fill('admin');
    await p.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await p.getByTestId('login-submit').click();
    await p.getByTestId('header-user').waitFor();
    await p.goto(`${server.baseUrl}/#/wall`);
    await p.getByTestId('wall-grid').waitFor();
    const admin = new ApiClient(server.baseUrl);
    await admin.login('admin', ADMIN_PASSWORD);
    const { nodes } = await admin.json<{ nodes: Array<{ rooms?: Array<{ id: number; cameras: Array<{ id: number; position: string }> }> }> }>('GET', '/api/org/tree');
    const room = nodes.flatMap((n) => n.rooms ?? []).find((r) => r.cameras.length > 0)!;
    await p.getByTestId('layout-4').click();
    await p.getByTestId(`tree-room-${room.id}`).dragTo(p.getByTestId('wall-tile-0'));
    const tile = p.getByTestId('wall-tile-0');
    await p.waitForFunction(() => document.querySelector('[data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 40_000 });

    const camId = Number(await p.getByTestId('wall-tile-0').getAttribute('data-camera-id'));
    const simName = `${server.simSite}-r001-${room.cameras.find((c) => c.id === camId)!.position === 'front' ? 'front' : 'rear'}`;
    await server.fault(simName, { type: 'stall' });
    await p.waitForFunction(() => document.querySelector('[data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'offline', undefined, { timeout: 30_000 });
    await p.screenshot({ path: path.join(SHOTS, 'stalled-tile.png') });

    // One message saying it, on a box that hides what is behind it.
    const msgs = tile.locator('.xc-tile-msg');
    expect(await msgs.count()).toBe(1);
    expect(await msgs.first().innerText()).toBe('信号中断，正在重连');
    const style = await msgs.first().evaluate((el) => {
      const s = getComputedStyle(el);
      const layer = getComputedStyle(el.parentElement!);
      return { box: s.backgroundColor, layer: layer.backgroundColor, color: s.color };
    });
    expect(alphaOf(style.box)).toBeGreaterThanOrEqual(0.85);
    expect(alphaOf(style.layer)).toBeGreaterThanOrEqual(0.4); // the frozen frame is dimmed behind it
    // Clear of the bars at the top (name, state) and the bottom (stream, clock).
    const box = (await msgs.first().boundingBox())!;
    for (const bar of ['.xc-tile-top', '.xc-tile-bottom']) {
      const b = (await tile.locator(bar).boundingBox())!;
      const overlaps = box.x < b.x + b.width && b.x < box.x + box.width && box.y < b.y + b.height && b.y < box.y + box.height;
      expect(overlaps, bar).toBe(false);
    }
    await server.fault(simName, { type: 'clear' });
  }, 180_000);
});
