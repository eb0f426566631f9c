// An H.265 camera on the wall (docs/design/live.md "H.265 → a transcoder hub"): room 1's front
// camera sends the simulator's H.265 stream on main and sub. Viewed through the live socket, the
// server runs ONE ffmpeg for it, only while somebody watches (a second viewer shares it; it exits
// ~10 s after the last viewer leaves), delivers avc1 fMP4 that ffprobe reads, and a wall tile in
// Chromium decodes it.
import { readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.ts';
import type { BrowserSession } from '../e2e/helpers/browser.ts';
import { ffprobe } from '../helpers/ffprobe.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from './helpers/live-server.ts';
import type { LiveServer } from './helpers/live-server.ts';
import { connectLive } from './helpers/ws-client.ts';
import type { LiveWs } from './helpers/ws-client.ts';

let server: LiveServer;
let admin: ApiClient;
let rooms: Array<{ id: number; cameras: Array<{ id: number; name: string }> }> = [];
let h265Cam = 0;
const tmp = mkdtempSync(path.join(tmpdir(), 'xuncha-live-h265-'));

/** ffmpeg processes whose parent is the server process (read from /proc, not the module's word). */
function ffmpegChildren(): number {
  let n = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === server.pid && comm === 'ffmpeg') n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

async function transcoders(): Promise<number> {
  return (await admin.json<{ transcoders: number }>('GET', '/api/live/stats')).transcoders;
}

async function subscribe(ch: number, stream: 'main' | 'sub'): Promise<LiveWs> {
  const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: [h265Cam], stream });
  const c = await connectLive(server.baseUrl, token);
  await c.waitFor((m) => m.text?.ev === 'hello');
  c.send({ op: 'sub', ch, cameraId: h265Cam, stream });
  return c;
}

beforeAll(async () => {
  server = await startLiveServer({ XUNCHA_SIM_ROOMS: '2', XUNCHA_LIVE_H265_ROOM: '1', XUNCHA_SIM_PORT: String(await freePort()) });
  admin = new ApiClient(server.baseUrl);
  expect((await admin.login('admin', ADMIN_PASSWORD)).ok).toBe(true);
  const { nodes } = await admin.json<{ nodes: Array<{ rooms?: typeof rooms }> }>('GET', '/api/org/tree');
  rooms = nodes.flatMap((n) => n.rooms ?? []).filter((r) => r.cameras.length > 0);
  h265Cam = rooms[0].cameras[0].id; // room 1, front (created first)
}, 90_000);

afterAll(async () => {
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('H.265 camera on the wall (one shared transcoder while watched)', () => {
  it('transcodes with one ffmpeg for two viewers, delivers avc1 that ffprobe reads, stops ~10 s after the last viewer', async () => {
    expect(ffmpegChildren()).toBe(0);
    const a = await subscribe(1, 'main');
    const init = await a.waitFor((m) => m.type === 1 && m.ch === 1, 20_000);
    const meta = a.messages.find((m) => m.text?.ev === 'meta' && m.text.codec);
    expect(String(meta?.text?.codec)).toMatch(/^avc1\./);
    expect(ffmpegChildren()).toBe(1);
    const b = await subscribe(2, 'main');
    await b.waitFor((m) => m.type === 2 && m.ch === 2, 15_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(ffmpegChildren()).toBe(1);
    expect(await transcoders()).toBe(1);

    a.send({ op: 'unsub', ch: 1 });
    await a.waitFor((m) => m.text?.ev === 'unsub');
    const media = a.messages.filter((m) => m.type === 2 && m.ch === 1);
    expect(media.length).toBeGreaterThan(50);
    expect(media[0].keyframe).toBe(true);
    const file = path.join(tmp, 'h265-as-h264.mp4');
    writeFileSync(file, Buffer.concat([init.payload!, ...media.map((m) => m.payload!)]));
    const probe = ffprobe(file);
    expect(probe).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(probe.frames).toBe(media.length);

    a.close();
    b.close(); // last viewer leaves (socket closed, no unsub)
    await Promise.all([a.closed, b.closed]);
    expect(ffmpegChildren()).toBe(1); // lingers: a tour coming back within 10 s reuses it
    const t0 = Date.now();
    while (ffmpegChildren() > 0 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 250));
    const gone = Date.now() - t0;
    expect(ffmpegChildren()).toBe(0);
    expect(gone).toBeLessThan(12_000);
    expect(await transcoders()).toBe(0);
  }, 90_000);

  it('a wall tile in Chromium decodes the transcoded stream', async () => {
    let browser: BrowserSession | undefined;
    try {
      browser = await launchBrowser();
      const page = browser.page;
      await page.goto(server.baseUrl);
      await page.getByTestId('login-username').fill('admin');
      await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('header-user').waitFor();
      await page.goto(`${server.baseUrl}/#/wall`);
      await page.getByTestId('wall-grid').waitFor();
      await page.getByTestId('layout-4').click();
      await page.getByTestId(`tree-room-${rooms[0].id}`).dragTo(page.getByTestId('wall-tile-0'));
      expect(Number(await page.getByTestId('wall-tile-0').getAttribute('data-camera-id'))).toBe(h265Cam);
      await page.waitForFunction(() => document.querySelector('[data-testid="wall-tile-0"]')?.getAttribute('data-state') === 'online', undefined, { timeout: 30_000 });
      const frames = () => page.$eval('[data-testid="wall-tile-0"] video', (v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
      await expect.poll(frames, { timeout: 20_000 }).toBeGreaterThan(0);
      const f0 = await frames();
      await page.waitForTimeout(3000);
      expect(await frames()).toBeGreaterThan(f0 + 30);
      expect(ffmpegChildren()).toBe(1);
    } finally {
      await browser?.close();
    }
  }, 90_000);
});
