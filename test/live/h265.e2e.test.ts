// An H.265 camera on the wall (docs/design/live.md "H.265 → a transcoder hub"): room 1's front
// camera sends the simulator's H.265 stream on main and sub. Viewed through the live socket by a
// client that plays H.264 only, the server runs ONE ffmpeg for it, only while somebody watches (a
// second viewer shares it; it exits ~10 s after the last viewer leaves), delivers avc1 fMP4 that
// ffprobe reads, and a wall tile in Chromium decodes it. A client that declares codecs ['h264',
// 'h265'] gets the camera's hvc1 as is, with no ffmpeg at all (R-FN-1).
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

/** A socket subscribed to the H.265 camera; `codecs` undefined = an old client (H.264 only). */
async function subscribe(ch: number, stream: 'main' | 'sub', codecs?: unknown): Promise<LiveWs> {
  const { token } = await admin.json<{ token: string }>('POST', '/api/live/token', { cameraIds: [h265Cam], stream });
  const c = await connectLive(server.baseUrl, token);
  await c.waitFor((m) => m.text?.ev === 'hello');
  c.send({ op: 'sub', ch, cameraId: h265Cam, stream, ...(codecs === undefined ? {} : { codecs }) });
  return c;
}

async function waitNoFfmpeg(timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (ffmpegChildren() > 0 && Date.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 250));
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
  it('R-FN-1: for H.264-only clients, transcodes with one ffmpeg for two viewers, delivers avc1 that ffprobe reads, stops ~10 s after the last viewer', async () => {
    expect(ffmpegChildren()).toBe(0);
    const a = await subscribe(1, 'main');
    const init = await a.waitFor((m) => m.type === 1 && m.ch === 1, 20_000);
    const meta = a.messages.find((m) => m.text?.ev === 'meta' && m.text.codec);
    expect(String(meta?.text?.codec)).toMatch(/^avc1\./);
    expect(meta?.text).toMatchObject({ videoCodec: 'h264', transcoded: true });
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

  it('R-FN-1: a client that declares h265 gets the camera\'s hvc1 as is (ffprobe reads hevc), with no ffmpeg', async () => {
    await waitNoFfmpeg(15_000); // the previous test's transcoder lingers ~10 s
    expect(ffmpegChildren()).toBe(0);
    const a = await subscribe(1, 'main', ['h264', 'h265']);
    const init = await a.waitFor((m) => m.type === 1 && m.ch === 1, 20_000);
    const meta = a.messages.find((m) => m.text?.ev === 'meta' && m.text.codec);
    expect(String(meta?.text?.codec)).toMatch(/^(hvc1|hev1)\./);
    expect(meta?.text).toMatchObject({ videoCodec: 'h265', transcoded: false, width: 1280, height: 720 });
    await a.waitFor((m) => m.type === 2 && m.ch === 1, 15_000);
    // Watch a while: the server must not start (or have started) a transcoder for this viewer.
    for (let i = 0; i < 12; i++) {
      expect(ffmpegChildren()).toBe(0);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await transcoders()).toBe(0);

    a.send({ op: 'unsub', ch: 1 });
    await a.waitFor((m) => m.text?.ev === 'unsub');
    const media = a.messages.filter((m) => m.type === 2 && m.ch === 1);
    expect(media.length).toBeGreaterThan(40);
    expect(media[0].keyframe).toBe(true);
    const file = path.join(tmp, 'h265-as-is.mp4');
    writeFileSync(file, Buffer.concat([init.payload!, ...media.map((m) => m.payload!)]));
    const probe = ffprobe(file);
    expect(probe).toMatchObject({ codec: 'hevc', width: 1280, height: 720 });
    expect(probe.frames).toBe(media.length);
    a.close();
    await a.closed;
    expect(ffmpegChildren()).toBe(0);
  }, 60_000);

  it('R-FN-1: a malformed codecs list gets error bad_message and leaves the tile as it was', async () => {
    const a = await subscribe(1, 'main', ['h264', 'h265']);
    await a.waitFor((m) => m.type === 2 && m.ch === 1, 20_000);
    const bad: unknown[] = ['h265', [], ['vp9'], ['h264', 7], { h265: true }, null];
    for (const [i, codecs] of bad.entries()) {
      // Channel 1 is live (must keep streaming), channel 2+i is new (must not be created).
      for (const ch of [1, 2 + i]) {
        const refusals = () => a.messages.filter((m) => m.text?.ev === 'error' && m.text.ch === ch && m.text.code === 'bad_message').length;
        const n = refusals();
        a.send({ op: 'sub', ch, cameraId: h265Cam, stream: 'main', codecs });
        await a.waitFor(() => refusals() > n, 5_000);
      }
    }
    const before = a.messages.filter((m) => m.type === 2 && m.ch === 1).length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.messages.filter((m) => m.type === 2 && m.ch === 1).length).toBeGreaterThan(before + 10);
    // Refused channels get nothing but the error: no init, media, meta or status.
    expect(a.messages.some((m) => (m.ch ?? 0) > 1 || (m.text?.ev !== 'error' && Number(m.text?.ch ?? 0) > 1))).toBe(false);
    expect(a.messages.some((m) => m.text?.ev === 'unsub')).toBe(false);
    expect(a.messages.filter((m) => m.type === 1 && m.ch === 1)).toHaveLength(1); // not resubscribed
    expect(ffmpegChildren()).toBe(0);
    a.close();
    await a.closed;
  }, 60_000);

  it('R-FN-1: a wall tile in Chromium (no H.265 in MSE) decodes the transcoded stream', async () => {
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
      // This Chromium has no H.265 in MSE, so the console declares h264 only and the tile is transcoded.
      expect(await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"'))).toBe(false);
      const video = page.getByTestId('wall-tile-0').locator('video');
      expect(await video.getAttribute('data-codec')).toMatch(/^avc1\./);
      expect(await video.getAttribute('data-transcoded')).toBe('true');
      expect(ffmpegChildren()).toBe(1);
    } finally {
      await browser?.close();
    }
  }, 90_000);
});
