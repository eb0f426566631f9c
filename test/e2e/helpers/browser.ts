// Headless Chromium for end-to-end tests (Debian's /usr/bin/chromium driven by playwright-core).
// Every session is its own browser process with a fresh temporary user-data dir, so cookies,
// storage and caches never leak between the users a test logs in as.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';

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

/** One Chromium with a fresh profile; zh-CN locale, Beijing time zone, 1440×900 viewport. */
/** `bypassCSP`: benchmarks inject their own measuring bundle inline, which the console's CSP refuses. */
export async function launchBrowser(opts: { locale?: string; bypassCSP?: boolean } = {}): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'xuncha-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      locale: opts.locale ?? 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      bypassCSP: opts.bypassCSP ?? false,
    });
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Closes every session given, ignoring ones that are already closed or never started. */
export async function closeAll(...sessions: Array<BrowserSession | undefined>): Promise<void> {
  await Promise.all(sessions.map((s) => (s ? s.close() : Promise.resolve())));
}
