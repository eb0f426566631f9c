// The two-level demo (XUNCHA_DEMO_CASCADE=1): a city node started by startDemoCity, a site with
// recorded cameras registering to it with the settings the city hands out; the city mirrors the
// site's camera channels as its own gb28181 cameras (once, idempotently) and they come online there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { CascadeModule } from '../../src/cascade/index.ts';
import { DEMO_SITE_SIP, mirrorChannels, startDemoCity } from '../../src/cascade/demo-city.ts';
import type { DemoCity } from '../../src/cascade/demo-city.ts';
import { loadConfig } from '../../src/config/config.ts';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { until } from './helpers.ts';

describe('two-level demo: city node + site', () => {
  let sim: Simulator;
  let city: DemoCity;
  let site: TestApp;
  let siteCascade: CascadeModule;
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-demo-city-'));

  beforeAll(async () => {
    sim = await startSimulator({ cameras: [{ id: 'a', audio: 'none' }, { id: 'b', audio: 'none' }] });
    const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir: path.join(dir, 'data'), port: 0, host: '127.0.0.1', logLevel: 'silent', adminPassword: 'Adm1n-Passw0rd!' } });
    city = await startDemoCity(config, pino({ level: 'silent' }));
    site = await createTestApp('sqlite', { realClock: true });
    const admin = await site.actor('admin');
    const rooms = (await site.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
    for (const [i, name] of ['a', 'b'].entries()) {
      await site.app.devices.createCamera(admin, { roomId: rooms[i].id, name: `cam-${name}`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${name}/main`, subStream: '/none', host: '127.0.0.1', port: sim.port });
    }
    await site.app.recorder.start();
    siteCascade = createCascadeModule(site.app, { settings: city.siteSettings });
    await siteCascade.start();
  });

  afterAll(async () => {
    await siteCascade?.stop();
    await site?.app.recorder.stop();
    await site?.close();
    await city?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the site registers; the city lists its channels and mirrors them as cameras it watches", async () => {
    await until('site registered', () => siteCascade.link?.registered === true);
    expect(city.siteSettings.upper?.id).toBeDefined();
    expect(city.port).toBeGreaterThan(0);
    const r = () => repos(city.app.store.db);
    await until('two gb28181 cameras at the city', async () => (await r().cameras.list({ kind: 'all' })).filter((c) => c.source_kind === 'gb28181').length === 2);
    const cams = (await r().cameras.list({ kind: 'all' })).filter((c) => c.source_kind === 'gb28181');
    const siteGb = (await repos(site.app.store.db).cameras.list({ kind: 'all' })).map((c) => c.gb_code).sort();
    expect(cams.map((c) => c.main_stream).sort()).toEqual(siteGb);
    await until('city cameras online', () => cams.every((c) => city.app.recorder.status(c.id)?.state === 'online'), 20_000);
    const lower = (await r().cascade.lowerBySipId(DEMO_SITE_SIP.id))!;
    expect(await mirrorChannels(city.app, lower.org_node_id, lower.id)).toBe(0); // idempotent
  });
});
