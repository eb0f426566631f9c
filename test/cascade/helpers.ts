// Cascade test fixture: province ← city ← site, three real apps in one process on loopback, each
// with its own cascade module on ephemeral SIP ports; the site records simulated cameras.
import type { Gb28181Settings } from '../../src/config/config.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import type { CascadeModule, CascadeOptions } from '../../src/cascade/index.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

export const PROVINCE = { id: '32000000002000000001', domain: '3200000000' };
export const CITY = { id: '32010000002000000001', domain: '3201000000' };
export const SITE = { id: '32010600002000000001', domain: '3201060000' };
export const PASSWORD = 'Lower-Pass-1234';
/** Pulled streams end after this long without RTP here (10 s in production), except while paused. */
export const MEDIA_STALL_MS = 4000;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function settings(me: { id: string; domain: string }, upper?: { id: string; port: number; gbVersion?: '2016' | '2022' }): Gb28181Settings {
  // Lowers send keepalives every second; uppers expect one every 2 s (offline after 3 missed =
  // 6 s), so a test process starved by a loaded CI machine does not drop a level mid-test.
  return {
    ...me, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 2,
    ...(upper ? { upper: { id: upper.id, host: '127.0.0.1', port: upper.port, password: PASSWORD, transport: 'udp' as const, keepaliveS: 1, expiresS: 3600, ...(upper.gbVersion ? { gbVersion: upper.gbVersion } : {}) } } : {}),
  };
}

export interface Level {
  t: TestApp;
  cascade: CascadeModule;
}

/** An upper-capable node; `upper` makes it register there. Lower platforms are added by the caller. */
export async function startLevel(me: { id: string; domain: string }, upper?: Level, opts: { recorder?: boolean; gbVersion?: '2016' | '2022'; sip?: Partial<Gb28181Settings>; cascade?: Omit<CascadeOptions, 'settings'> } = {}): Promise<Level> {
  const t = await createTestApp('sqlite', {
    realClock: true,
    app: opts.recorder ? { recording: { supervisor: { backoffMinMs: 50, backoffMaxMs: 200, stallTimeoutMs: 2000 } } } : undefined,
  });
  const port = upper?.cascade.node?.transport.udpPort;
  const sip = { ...settings(me, upper && port ? { id: upper.cascade.settings!.id, port, gbVersion: opts.gbVersion } : undefined), ...opts.sip };
  const cascade = createCascadeModule(t.app, { settings: sip, lowerBackoff: { backoffMinMs: 100, backoffMaxMs: 1000 }, mediaStallMs: MEDIA_STALL_MS, ...opts.cascade });
  return { t, cascade };
}

/** Registers `lowerId` as a lower platform of `level` (through the audited service, as admin). */
export async function addLower(level: Level, lowerId: string, name: string): Promise<number> {
  const admin = await level.t.actor('admin');
  return (await level.cascade.service.createLower(admin, { sipId: lowerId, name, kind: 'platform', password: PASSWORD })).id;
}

/** Simulator cameras as RTSP cameras of the level's site, camera i in room i; ids and GB codes by name. */
export async function addSimCameras(level: Level, simPort: number, names: string[]): Promise<Record<string, { id: number; gb: string }>> {
  const admin = await level.t.actor('admin');
  const rooms = (await level.t.app.org.tree(admin)).find((n) => n.kind === 'site')!.rooms!;
  const cams: Record<string, { id: number; gb: string }> = {};
  for (const [i, name] of names.entries()) {
    const c = await level.t.app.devices.createCamera(admin, { roomId: rooms[i].id, name: `cam-${name}`, position: 'front', sourceKind: 'rtsp', mainStream: `/cam/${name}/main`, subStream: '/none', host: '127.0.0.1', port: simPort });
    cams[name] = { id: c.id, gb: c.gbCode };
  }
  return cams;
}

/** Stops the levels in the order given (lowest first); any may be undefined when setup failed. */
export async function stopLevels(levels: Array<Level | undefined>): Promise<void> {
  for (const l of levels) {
    await l?.cascade.stop();
    await l?.t.app.recorder.stop();
    await l?.t.close();
  }
}
