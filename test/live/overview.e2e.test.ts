// Patrol overview in Chromium (issue 16; R-FN-1 live monitoring of many rooms): in a 25-tile grid
// every tile gets keyframes only over the live socket (and shows each new one); clicking a tile
// switches it to full rate on the same channel — no new MediaSource, the picture never goes
// black — while the other tiles stay on keyframes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsByTile } from './helpers/socket-spy.ts';
import { openWallSession } from './helpers/wall-session.ts';
import type { WallRoom, WallSession } from './helpers/wall-session.ts';

let wall: WallSession;
let page: Page;
let rooms: WallRoom[] = [];

beforeAll(async () => {
  wall = await openWallSession();
  ({ page, rooms } = wall);
}, 240_000);

afterAll(async () => {
  await wall?.close();
});

describe('patrol overview of a 25-tile grid (issue 16, R-FN-1)', () => {
  it('overview tiles receive only keyframes and show each; a click switches a tile to full rate without a black frame', async () => {
    expect(rooms.length).toBeGreaterThanOrEqual(2);
    await page.getByTestId('layout-25').click();
    await page.getByTestId('wall-clear').click();
    await page.getByTestId(`tree-room-${rooms[0].id}`).dragTo(page.getByTestId('wall-tile-0'));
    await page.getByTestId(`tree-room-${rooms[1].id}`).dragTo(page.getByTestId('wall-tile-2'));
    const tiles = [0, 1, 2, 3];
    await page.waitForFunction(() => document.querySelectorAll('[data-state="online"]').length === 4, undefined, { timeout: 30_000 });
    await page.getByTestId('wall-overview-hint').waitFor();
    for (const i of tiles) expect(await page.getByTestId(`wall-tile-${i}`).getAttribute('data-rate')).toBe('key');

    // 5 s of overview: the simulator's GOP is 2 s, so each tile gets 2–3 keyframes and nothing else.
    const t0 = await page.evaluate(() => performance.now());
    const decodedBefore = await page.$$eval('[data-testid^="wall-tile-"] video', (vs) => vs.slice(0, 4).map((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames));
    await page.waitForTimeout(5000);
    const overview = await countsByTile(page, tiles, t0);
    for (const c of overview) expect(c).toEqual({ key: expect.any(Number) as number, other: 0 });
    for (const c of overview) expect(c.key).toBeGreaterThanOrEqual(2);
    // Each new keyframe is shown (decoded), not just received.
    const decodedAfter = await page.$$eval('[data-testid^="wall-tile-"] video', (vs) => vs.slice(0, 4).map((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames));
    decodedAfter.forEach((n, i) => expect(n - decodedBefore[i]).toBeGreaterThanOrEqual(2));

    // Watch tile 0 from before the click: luminance of its picture on every animation frame, its
    // MediaSource URL, readiness, and the pictures presented after the click.
    await page.evaluate(() => {
      const v = document.querySelector('[data-testid="wall-tile-0"] video') as HTMLVideoElement & { requestVideoFrameCallback(cb: (now: number, m: { presentedFrames: number }) => void): number };
      const c = document.createElement('canvas');
      c.width = 32;
      c.height = 18;
      const g = c.getContext('2d', { willReadFrequently: true })!;
      const w = { src: v.src, lumas: [] as number[], notReady: 0, srcChanged: false, clickAt: -1, frames: [] as number[], stop: false };
      (window as unknown as { __watch: typeof w }).__watch = w;
      const luma = () => {
        g.fillStyle = '#000';
        g.fillRect(0, 0, 32, 18); // a frame the video cannot give reads as black, not as the last one
        g.drawImage(v, 0, 0, 32, 18);
        const d = g.getImageData(0, 0, 32, 18).data;
        let s = 0;
        for (let i = 0; i < d.length; i += 4) s += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        return s / (d.length / 4);
      };
      const tick = () => {
        if (w.stop) return;
        // While the player seeks to the live edge (readyState < 2) the canvas cannot read the
        // picture; Chromium keeps showing the previous one. Those moments are counted instead.
        if (v.readyState < 2) w.notReady++;
        else w.lumas.push(luma());
        if (v.src !== w.src) w.srcChanged = true;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const onFrame = (now: number) => {
        if (w.clickAt >= 0) w.frames.push(now - w.clickAt);
        if (!w.stop) v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
      document.querySelector('[data-testid="wall-tile-0"]')!.addEventListener('click', () => (w.clickAt = performance.now()), { capture: true });
    });
    await page.waitForTimeout(500);
    const tClick = await page.evaluate(() => performance.now());
    await page.getByTestId('wall-tile-0').click();
    expect(await page.getByTestId('wall-tile-0').getAttribute('data-rate')).toBe('full');
    // Full rate: 25 new pictures within 5 s of the click (the GOP is sent again, then live frames).
    await expect.poll(() => page.evaluate(() => (window as unknown as { __watch: { frames: number[] } }).__watch.frames.length), { timeout: 10_000, interval: 250 }).toBeGreaterThanOrEqual(25);
    await page.waitForTimeout(1000);
    const w = await page.evaluate(() => {
      const x = (window as unknown as { __watch: { lumas: number[]; notReady: number; srcChanged: boolean; frames: number[]; stop: boolean } }).__watch;
      x.stop = true;
      return x;
    });
    const before = w.lumas.slice(0, 10);
    const base = before.reduce((a, b) => a + b, 0) / before.length;
    expect(base).toBeGreaterThan(20); // the simulated camera's picture is not itself black
    expect(Math.min(...w.lumas)).toBeGreaterThan(base * 0.5); // no black (or blank) frame during the switch
    expect(w.notReady).toBeLessThanOrEqual(15); // at most the one seek to the live edge (≈ 250 ms of animation frames)
    expect(w.srcChanged).toBe(false);
    console.log(`[overview e2e] click → first new picture ${Math.round(w.frames[0])} ms, → 25th ${Math.round(w.frames[24])} ms; luma min ${Math.round(Math.min(...w.lumas))} / before ${Math.round(base)}; animation frames while seeking ${w.notReady}`);

    const after = await countsByTile(page, tiles, tClick);
    expect(after[0].other).toBeGreaterThan(20); // tile 0: every frame now
    for (const c of after.slice(1)) expect(c.other).toBe(0); // the others: still keyframes only
    for (const i of [1, 2, 3]) expect(await page.getByTestId(`wall-tile-${i}`).getAttribute('data-rate')).toBe('key');
  }, 120_000);
});
