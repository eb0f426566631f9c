// The two-level demo (`XUNCHA_DEMO_CASCADE=1 npm start`): a city node in the same process as the
// demo site, with its own data folder (`<dataDir>-city`), embedded database and web console on
// port+1. The site registers to it over GB/T 28181 on loopback; each site camera the city learns
// from the catalog becomes a city camera row with source_kind 'gb28181', so the city's console
// lists, watches and records it like its own cameras (docs/design/cascade.md).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildServer } from '../api/server.ts';
import { createApp } from '../app.ts';
import type { App } from '../app.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Config, Gb28181Settings } from '../config/config.ts';
import { seedFirstStart } from '../org/seed.ts';
import { recoverRecordings } from '../recording/recovery.ts';
import { repos } from '../store/repos/index.ts';
import { createUplinkModule } from '../uplink/index.ts';
import { createCascadeModule } from './index.ts';

export const DEMO_CITY_SIP = { id: '32010000002000000001', domain: '3201000000' };
export const DEMO_SITE_SIP = { id: '32010600002000000001', domain: '3201060000' };
const SITE_NAME = '南京市第一中学考点';
/** Channels mirrored as city cameras, at most (a demo, not a bulk import). */
const MAX_MIRRORED = 64;

export interface DemoCity {
  app: App;
  port: number;
  /** What the site node's gb28181 configuration must be to register to this city. */
  siteSettings: Gb28181Settings;
  close(): Promise<void>;
}

const actor = { ...SYSTEM_ACTOR, workstation: 'demo-cascade' };

export async function startDemoCity(config: Config, log: Logger): Promise<DemoCity> {
  const cityLog = log.child({ node: 'city' });
  const cityConfig: Config = {
    ...config,
    port: config.port === 0 ? 0 : config.port + 1,
    dataDir: `${config.dataDir}-city`,
    databaseUrl: undefined,
    simRooms: 0,
    seedSample: false,
    gb28181: { ...DEMO_CITY_SIP, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 10 },
  };
  const app = await createApp(cityConfig, { logger: cityLog });
  let server: FastifyInstance | undefined;
  const cascade = createCascadeModule(app);
  try {
    const seeded = await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: config.adminPassword, sample: false });
    if (seeded.generatedAdminPassword) process.stdout.write(`\n  市级平台 City node (port ${cityConfig.port}): administrator "admin", password: ${seeded.generatedAdminPassword}\n  (shown once)\n\n`);
    await recoverRecordings(app.store, app.files, app.clock, cityLog);
    // The city's organisation node, the site as its lower platform (a fresh password each start:
    // only its HA1 is stored, and the site learns it from us below).
    const password = randomBytes(12).toString('base64url');
    const cityNode = await ensureCityNode(app);
    const lower = await repos(app.store.db).cascade.lowerBySipId(DEMO_SITE_SIP.id);
    const lowerId = lower
      ? (await cascade.service.updateLower(actor, lower.id, { password, enabled: true })).id
      : (await cascade.service.createLower(actor, { sipId: DEMO_SITE_SIP.id, name: SITE_NAME, kind: 'platform', password, orgNodeId: cityNode })).id;
    await cascade.start();
    const uplink = createUplinkModule(app);
    await uplink.start();
    let mirroring = Promise.resolve();
    const mirror = () => {
      mirroring = mirroring.then(async () => void (await mirrorChannels(app, cityNode, lowerId))).catch((err: unknown) => cityLog.warn({ err }, 'demo: mirroring site channels failed'));
    };
    cascade.registry!.on('catalog', (c) => {
      if (c.lowerId === lowerId) mirror();
    });
    // Cameras added at the site arrive as catalog events (subscription), not as a new full catalog.
    cascade.upperSubs!.on('catalog-events', (c) => {
      if (c.lowerId === lowerId) mirror();
    });
    mirror();
    await app.recorder.start();
    app.retention.start();
    server = await buildServer(app, cityLog);
    await server.listen({ port: cityConfig.port, host: config.host });
    const a = server.server.address();
    const port = typeof a === 'object' && a ? a.port : cityConfig.port;
    cityLog.info({ port, dataDir: cityConfig.dataDir, sip: cascade.status() }, `demo city node listening on http://127.0.0.1:${port}/`);
    const siteSettings: Gb28181Settings = {
      ...DEMO_SITE_SIP, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60,
      upper: {
        id: DEMO_CITY_SIP.id, host: '127.0.0.1', port: cascade.node!.transport.udpPort!, password, transport: 'udp', keepaliveS: 10, expiresS: 3600,
        // The node-to-node channel (docs/design/uplink.md) to the city's API, signed with the same password.
        uplinkUrl: `http://127.0.0.1:${port}`,
      },
    };
    return {
      app,
      port,
      siteSettings,
      close: async () => {
        await server?.close();
        await uplink.stop();
        await cascade.stop();
        await mirroring;
        await app.close();
      },
    };
  } catch (err) {
    await server?.close().catch(() => undefined);
    await cascade.stop().catch(() => undefined);
    await app.close().catch(() => undefined);
    throw err;
  }
}

/** The city org node (南京市) under the root, created once. */
async function ensureCityNode(app: App): Promise<number> {
  const tree = await app.org.tree(actor);
  const city = tree.find((n) => n.kind === 'city');
  if (city) return city.id;
  const root = tree.find((n) => n.parentId === null) ?? tree[0];
  return (await app.org.createNode(actor, { parentId: root.id, kind: 'city', name: '南京市', regionCode: '320100' })).id;
}

/**
 * Each remote camera channel of the lower becomes a city camera (source_kind 'gb28181'), in a
 * city-side site named after the lower and a room named after the channel's parent; existing
 * ones are kept. Idempotent.
 */
export async function mirrorChannels(app: App, cityNodeId: number, lowerId: number): Promise<number> {
  const cascade = createCascadeModule(app);
  const { lower, channels } = await cascade.service.channels(actor, lowerId);
  const have = new Set((await repos(app.store.db).cameras.list({ kind: 'all' })).filter((c) => c.source_kind === 'gb28181').map((c) => c.main_stream));
  const todo = channels.filter((c) => c.kind === 'channel' && !have.has(c.deviceId)).slice(0, Math.max(0, MAX_MIRRORED - have.size));
  if (todo.length === 0) return 0;
  const byId = new Map(channels.map((c) => [c.deviceId, c]));
  let tree = await app.org.tree(actor);
  let site = tree.find((n) => n.kind === 'site' && n.name === lower.name);
  if (!site) {
    await app.org.createNode(actor, { parentId: cityNodeId, kind: 'site', name: lower.name });
    tree = await app.org.tree(actor);
    site = tree.find((n) => n.kind === 'site' && n.name === lower.name)!;
  }
  const rooms = new Map((site.rooms ?? []).map((r) => [r.name, r.id]));
  for (const ch of todo) {
    const roomName = (ch.parentId && byId.get(ch.parentId)?.name) || '级联通道';
    let roomId = rooms.get(roomName);
    if (roomId === undefined) {
      roomId = (await app.devices.createRoom(actor, { siteId: site.id, kind: 'exam', name: roomName, seats: 30 })).id;
      rooms.set(roomName, roomId);
    }
    const name = ch.name || ch.deviceId;
    const input = { roomId, position: name.includes('后') ? ('rear' as const) : ('front' as const), sourceKind: 'gb28181' as const, mainStream: ch.deviceId, subStream: '' };
    await app.devices.createCamera(actor, { ...input, name }).catch(() => app.devices.createCamera(actor, { ...input, name: `${name} ${ch.deviceId.slice(-4)}` }));
  }
  return todo.length; // the recorder picks them up at its next reconcile (every few seconds)
}
