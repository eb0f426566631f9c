// A wall tile the browser cannot keep up with degrades itself (issue 16; R-FN-1 live monitoring:
// a patroller sees every room, and sees when a tile shows fewer pictures than the camera sends).
// In Chromium against the real server: a 4-tile wall whose browser is starved of CPU (busy Web
// Workers in the page, as a heavy page beside the wall would) loses pictures; a tile then asks for
// keyframes only, says 画面降帧
// (with why in its tooltip), still shows each keyframe, the server logs the change, and the tile
// the patroller clicked is not the first to give way. Once the page has headroom again the tile
// comes back to full rate by itself.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsByTile } from './helpers/socket-spy.ts';
import { openWallSession } from './helpers/wall-session.ts';
import type { WallRoom, WallSession } from './helpers/wall-session.ts';

let wall: WallSession;
let page: Page;
let rooms: WallRoom[] = [];

/** totalVideoFrames of tile i's <video>. */
function decodedOf(p: Page, i: number): Promise<number> {
  return p.$eval(`[data-testid="wall-tile-${i}"] video`, (v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
}

/** Busy Web Workers in the page: the browser's decoders get a small share of the 2 cores. */
const STARVE_WORKERS = 6;
function starve(p: Page, on: boolean): Promise<void> {
  return p.evaluate(({ on, n }) => {
    const w = window as unknown as { __hogs?: Worker[] };
    if (!on) {
      for (const x of w.__hogs ?? []) x.terminate();
      w.__hogs = [];
      return;
    }
    const url = URL.createObjectURL(new Blob(['for (;;) {}'], { type: 'text/javascript' }));
    w.__hogs = Array.from({ length: n }, () => new Worker(url));
  }, { on, n: STARVE_WORKERS });
}

/** Indexes of the tiles that show 画面降帧. */
function degradedTiles(p: Page): Promise<number[]> {
  return p.$$eval('[data-testid^="wall-tile-"][data-degraded="true"]', (els) => els.map((e) => Number(e.getAttribute('data-testid')!.slice('wall-tile-'.length))));
}

beforeAll(async () => {
  // The test's own busy Web Workers are blob: scripts; info logs carry the server's degrade lines.
  wall = await openWallSession({ env: { XUNCHA_LOG_LEVEL: 'info' }, browser: { bypassCSP: true } });
  ({ page, rooms } = wall);
}, 240_000);

afterAll(async () => {
  await wall?.close();
});

describe('a wall tile that cannot keep up (issue 16, R-FN-1)', () => {
  it('degrades to keyframes with 画面降帧, shows each keyframe, spares the clicked tile, and returns to full rate', async () => {
    expect(rooms.length).toBeGreaterThanOrEqual(2);
    await page.getByTestId('layout-4').click();
    await page.getByTestId('wall-clear').click();
    await page.getByTestId(`tree-room-${rooms[0].id}`).dragTo(page.getByTestId('wall-tile-0'));
    await page.getByTestId(`tree-room-${rooms[1].id}`).dragTo(page.getByTestId('wall-tile-2'));
    await page.waitForFunction(() => document.querySelectorAll('[data-state="online"]').length === 4, undefined, { timeout: 30_000 });
    for (const i of [0, 1, 2, 3]) expect(await page.getByTestId(`wall-tile-${i}`).getAttribute('data-rate')).toBe('full');
    // Every change of a tile's 画面降帧, with the page time: [tile, degraded, ms].
    await page.evaluate(() => {
      const log: Array<[number, boolean, number]> = [];
      (window as unknown as { __degrades: typeof log }).__degrades = log;
      new MutationObserver((ms) => {
        for (const m of ms) {
          const el = m.target as HTMLElement;
          log.push([Number(el.dataset.testid!.slice('wall-tile-'.length)), el.dataset.degraded === 'true', performance.now()]);
        }
      }).observe(document.querySelector('[data-testid="wall-grid"]')!, { subtree: true, attributes: true, attributeFilter: ['data-degraded'] });
    });
    await page.waitForTimeout(3000); // the tiles settle at the live edge
    // Not asserted: on this shared 2-core machine an unrelated load may starve even 4 tiles.
    console.log(`[degrade e2e] degraded before the page was starved: ${JSON.stringify(await degradedTiles(page))}`);
    await page.getByTestId('wall-tile-1').click(); // the patroller's tile: the last to give way
    const tStarve = await page.evaluate(() => performance.now());
    const degradesSince = (t: number) => page.evaluate((t) => (window as unknown as { __degrades: Array<[number, boolean, number]> }).__degrades.filter(([, on, at]) => on && at >= t).map(([i]) => i), t);

    // Starve the browser until a tile gives way (then at once stop: the rest is the tile's own doing).
    await starve(page, true);
    try {
      await expect.poll(() => degradesSince(tStarve), { timeout: 40_000, interval: 500 }).not.toEqual([]);
    } finally {
      await starve(page, false);
    }
    const firstSeen = await degradesSince(tStarve);
    const first = firstSeen[0];
    const tDegraded = await page.evaluate(() => performance.now());
    // Three other tiles play at full rate: the clicked one gives way only after all of them (≥ 6 s).
    expect(first).not.toBe(1);
    const tile = page.getByTestId(`wall-tile-${first}`);
    expect(await tile.getAttribute('data-rate')).toBe('key');
    const label = tile.getByTestId('tile-degraded');
    expect(await label.textContent()).toBe('画面降帧');
    expect(await label.getAttribute('title')).toMatch(/浏览器解码跟不上：最近 \d+ 秒有 \d+% 的画面未能显示/);
    expect(await tile.getAttribute('data-state')).toBe('online');

    // Degraded: keyframes only over the socket, and each one is shown (decoded) by the tile.
    const decodedBefore = await decodedOf(page, first);
    await page.waitForTimeout(1000); // frames already on their way when it asked
    const t1 = await page.evaluate(() => performance.now());
    await page.waitForTimeout(4500);
    const stillDegraded = await tile.getAttribute('data-degraded');
    const [c] = await countsByTile(page, [first], t1);
    const decodedAfter = await decodedOf(page, first);
    console.log(`[degrade e2e] tile ${first} degraded ${Math.round(tDegraded)} ms; in 4.5 s after: ${c.key} keyframes, ${c.other} other frames, ${decodedAfter - decodedBefore} pictures decoded; still degraded: ${stillDegraded}`);
    expect(stillDegraded).toBe('true'); // at least GOVERNOR.quietMs (10 s) degraded
    expect(c.other).toBe(0);
    expect(c.key).toBeGreaterThanOrEqual(2);
    expect(decodedAfter - decodedBefore).toBeGreaterThanOrEqual(c.key);
    // The server logged the browser's request with its reason.
    expect(wall.server.logs.some((l) => l.includes('live tile degraded to keyframes by the browser') && l.includes('"reason":"degraded"'))).toBe(true);

    // Headroom again: the tile comes back to full rate by itself (quiet period 10 s) and drops the label.
    await expect.poll(() => tile.getAttribute('data-degraded'), { timeout: 40_000, interval: 500 }).toBeNull();
    expect(await tile.getAttribute('data-rate')).toBe('full');
    const t2 = await page.evaluate(() => performance.now());
    await page.waitForTimeout(3000);
    const [back] = await countsByTile(page, [first], t2);
    expect(back.other).toBeGreaterThan(20);
    expect(wall.server.logs.some((l) => l.includes('"reason":"restored"'))).toBe(true);
  }, 180_000);
});
