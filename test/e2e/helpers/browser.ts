// Headless Chromium for end-to-end tests (Debian's /usr/bin/chromium driven by playwright-core).
// Every session is its own browser context (incognito-like: its own cookies, storage and cache,
// nothing on disk), so nothing leaks between the users a test logs in as. The contexts of one
// test file share one Chromium process while any of them is open: a second "duty PC" costs a
// context (about 0.3 s) instead of a browser start with a new profile (2–3 s, 10 s on a loaded
// 2-core machine). The process ends when its last session closes.
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.XUNCHA_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/**
 * Chromium's fake microphone and camera, granted without a prompt: getUserMedia gets a generated
 * source (the fake microphone beeps). For the 喊话 test; the first session of a file decides.
 */
export const FAKE_MEDIA_ARGS = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

let shared: Promise<Browser> | undefined;
let open = 0;

async function sharedBrowser(fakeMedia = false): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: fakeMedia ? [...CHROMIUM_ARGS, ...FAKE_MEDIA_ARGS] : CHROMIUM_ARGS });
  try {
    return await shared;
  } catch (err) {
    shared = undefined;
    throw err;
  }
}

/** Called when a session ends: the last one closes the Chromium process. */
async function release(): Promise<void> {
  open--;
  if (open > 0 || !shared) return;
  const b = shared;
  shared = undefined;
  await (await b).close().catch(() => undefined);
}

/** One fresh browser context and page; zh-CN locale, Beijing time zone, 1440×900 viewport. */
/** `bypassCSP`: benchmarks inject their own measuring bundle inline, which the console's CSP refuses. */
/** `fakeMedia`: Chromium with FAKE_MEDIA_ARGS (when this session starts the file's browser). */
export async function launchBrowser(opts: { locale?: string; bypassCSP?: boolean; motion?: boolean; fakeMedia?: boolean } = {}): Promise<BrowserSession> {
  open++;
  let context: BrowserContext;
  let page: Page;
  try {
    const browser = await sharedBrowser(opts.fakeMedia);
    context = await browser.newContext({
      locale: opts.locale ?? 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      bypassCSP: opts.bypassCSP ?? false,
      // The console honours "reduce motion" (antd without animations): a click can no longer land
      // on a dialog or dropdown still zooming in — each full run on a loaded machine lost one such
      // click somewhere. Pass `motion: true` to see the animations.
      reducedMotion: opts.motion ? 'no-preference' : 'reduce',
    });
    page = await context.newPage();
  } catch (err) {
    await release();
    throw err;
  }
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      await release();
    },
  };
}

/** Closes every session given, ignoring ones that are already closed or never started. */
export async function closeAll(...sessions: Array<BrowserSession | undefined>): Promise<void> {
  await Promise.all(sessions.map((s) => (s ? s.close() : Promise.resolve())));
}

/**
 * Waits until the page's open/close motions (antd's CSS animations and transitions) have ended, at
 * most 2 s: a screenshot then shows the settled page without a fixed wait. Endless animations
 * (spinners) are ignored.
 */
export async function settled(page: Page): Promise<void> {
  // Two frames first, so that a motion the last action started is running when looked for.
  await page.evaluate(() => new Promise<void>((resolve) => {
    setTimeout(resolve, 100);
    requestAnimationFrame(() => requestAnimationFrame(() => resolve()));
  }));
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity), undefined, { timeout: 2000, polling: 50 })
    .catch(() => undefined);
}

/**
 * Runs `start` (a server start, seconds on a loaded machine) while Chromium starts, and returns both;
 * the browser session is closed again when `start` fails.
 */
export async function startWithBrowser<T>(start: () => Promise<T>, opts?: Parameters<typeof launchBrowser>[0]): Promise<[T, BrowserSession]> {
  const launching = launchBrowser(opts);
  let started: T;
  try {
    started = await start();
  } catch (err) {
    await launching.then((b) => b.close(), () => undefined);
    throw err;
  }
  return [started, await launching];
}

/** Calls the API as the page's logged-in user (its session cookie and CSRF token); throws on an error answer with its body. */
export async function pageApi<T>(page: Page, method: string, url: string, body?: unknown): Promise<T> {
  return page.evaluate(async ({ method, url, body }) => {
    const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
    const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken }, body: body === undefined ? undefined : JSON.stringify(body) });
    const data: unknown = await res.json();
    if (!res.ok) throw new Error(`${method} ${url} -> ${res.status} ${JSON.stringify(data)}`);
    return data;
  }, { method, url, body }) as Promise<T>;
}
