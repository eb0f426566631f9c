// 存为预置位 from the console in Chromium (R-DIS-2, issue 18; docs/design/duty.md "存为预置位 from the
// console"). A real `xuncha serve` (sample org) and, in this process, the camera simulator with its
// ONVIF PTZ service. The administrator adds a PTZ camera (ONVIF address) in a room without exam or
// custody windows, opens it on the wall, and in the tile's 云台 panel stores the current position as
// preset 7 「走廊全景」: the simulator receives SetPreset 7 with that name, the preset is listed as
// approved, and the store is audited.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnvifSim, startSimulator } from '../../src/sim/index.ts';
import type { OnvifSim, Simulator } from '../../src/sim/index.ts';
import { closeAll, pageApi, startWithBrowser } from './helpers/browser.ts';
import type { BrowserSession } from './helpers/browser.ts';
import { ADMIN_PASSWORD, startTestServer } from './helpers/server.ts';
import { ensureWebBuilt } from './helpers/web-build.ts';

const byId = (page: Page, id: string) => page.getByTestId(id);

describe('存为预置位 in the tile PTZ panel (e2e, R-DIS-2)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let b: BrowserSession | undefined;
  let sim: Simulator;
  let onvif: OnvifSim;

  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startSimulator({ cameras: [{ id: 'ptz-1', audio: 'none' }] });
    onvif = await startOnvifSim(sim, { auth: { username: 'onvif', password: 'ptz-secret' } });
    [server, b] = await startWithBrowser(() => startTestServer());
  }, 400_000);
  afterAll(async () => {
    await closeAll(b);
    await server?.stop();
    await onvif?.close();
    await sim?.close();
  });

  it('R-DIS-2: outside windows the administrator stores the current position as a named preset from the tile; SetPreset reaches the camera with the name and the preset is approved (audited)', async () => {
    const { page } = b!;
    await page.goto(server.baseUrl);
    await byId(page, 'login-username').fill('admin');
    await byId(page, 'login-password').fill(ADMIN_PASSWORD);
    await byId(page, 'login-submit').click();
    await byId(page, 'header-user').waitFor();
    const tree = await pageApi<{ nodes: Array<{ id: number; kind: string }> }>(page, 'GET', '/api/org/tree');
    const site = tree.nodes.find((n) => n.kind === 'site')!;
    const room = await pageApi<{ id: number }>(page, 'POST', '/api/rooms', { siteId: site.id, kind: 'other', name: '走廊', seats: 0 });
    const cam = await pageApi<{ id: number }>(page, 'POST', '/api/cameras', { roomId: room.id, name: '走廊云台', position: 'front', sourceKind: 'rtsp', mainStream: '/cam/ptz-1/main', subStream: '/cam/ptz-1/sub', host: '127.0.0.1', port: sim.port, username: 'onvif', password: 'ptz-secret', onvifUrl: onvif.url('ptz-1') });

    await page.goto(`${server.baseUrl}/#/wall`);
    await byId(page, 'wall-grid').waitFor();
    await page.goto(`${server.baseUrl}/#/wall?cameraId=${cam.id}`);
    await byId(page, 'wall-full').getByTestId('tile-ptz-open').click();
    await byId(page, 'ptz-panel').waitFor();
    await byId(page, 'ptz-free').waitFor({ timeout: 15_000 });
    await page.locator('input[data-testid="ptz-store-no"], [data-testid="ptz-store-no"] input').first().fill('7');
    await byId(page, 'ptz-store-label').fill('走廊全景');
    await byId(page, 'ptz-store').click();
    await expect.poll(() => byId(page, 'ptz-result').innerText(), { timeout: 15_000 }).toContain('已将当前位置存为预置位 7「走廊全景」并批准');
    await byId(page, 'ptz-preset-7').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: '/tmp/duty-ptz-store.png' });
    // The camera (the simulator's ONVIF PTZ service) stored it under token 7 with the name.
    expect(onvif.ptz('ptz-1').stored).toEqual({ '7': '走廊全景' });
    const presets = await pageApi<{ presets: Array<{ presetNo: number; label: string; approvedBy: string }> }>(page, 'GET', `/api/cameras/${cam.id}/ptz-presets`);
    expect(presets.presets).toEqual([expect.objectContaining({ presetNo: 7, label: '走廊全景', approvedBy: 'admin' })]);
    const audit = await pageApi<{ records: Array<{ outcome: string; detail: unknown }> }>(page, 'GET', '/api/audit?action=ptz.preset.store&limit=5');
    expect(audit.records[0]).toMatchObject({ outcome: 'ok' });
    expect(JSON.stringify(audit.records[0].detail)).toContain('onvif');
  }, 120_000);
});
