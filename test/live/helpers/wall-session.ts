// A live server with simulated rooms and Chromium logged in as the administrator on the 视频墙 page,
// its live socket spied on (socket-spy.ts): the set-up of the wall tests that count what each tile
// receives (overview, degrade).
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../e2e/helpers/browser.ts';
import type { BrowserSession } from '../../e2e/helpers/browser.ts';
import { loginInUi } from '../../e2e/helpers/talk.ts';
import { ensureWebBuilt } from '../../e2e/helpers/web-build.ts';
import { ADMIN_PASSWORD, ApiClient, freePort, startLiveServer } from './live-server.ts';
import type { LiveServer } from './live-server.ts';
import { SOCKET_SPY } from './socket-spy.ts';

export type WallRoom = { id: number; cameras: Array<{ id: number }> };

export interface WallSession {
  server: LiveServer;
  browser: BrowserSession;
  page: Page;
  /** The simulated rooms that have cameras. */
  rooms: WallRoom[];
  close(): Promise<void>;
}

export async function openWallSession(opts: { env?: Record<string, string>; browser?: Parameters<typeof launchBrowser>[0] } = {}): Promise<WallSession> {
  ensureWebBuilt(); // the console as web/src has it
  const server = await startLiveServer({ XUNCHA_SIM_ROOMS: '2', XUNCHA_SIM_PORT: String(await freePort()), ...opts.env });
  const admin = new ApiClient(server.baseUrl);
  await admin.login('admin', ADMIN_PASSWORD);
  const { nodes } = await admin.json<{ nodes: Array<{ rooms?: WallRoom[] }> }>('GET', '/api/org/tree');
  const rooms = nodes.flatMap((n) => n.rooms ?? []).filter((r) => r.cameras.length > 0);
  const browser = await launchBrowser(opts.browser);
  const page = browser.page;
  await page.addInitScript(SOCKET_SPY);
  await loginInUi(page, server.baseUrl, ADMIN_PASSWORD);
  await page.goto(`${server.baseUrl}/#/wall`);
  await page.getByTestId('wall-grid').waitFor();
  return {
    server, browser, page, rooms,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}
