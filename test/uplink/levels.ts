// Three real nodes on loopback for node-to-node tests (site → city → province): each a real app
// with its own database and, where asked, its own API server; the uplink with short timings.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildServer } from '../../src/api/server.ts';
import { createApp } from '../../src/app.ts';
import type { App, AppOptions } from '../../src/app.ts';
import { SYSTEM_ACTOR } from '../../src/auth/actor.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Config, Gb28181Settings } from '../../src/config/config.ts';
import { seedFirstStart } from '../../src/org/seed.ts';
import { createUplinkModule } from '../../src/uplink/index.ts';
import type { UplinkModule, UplinkOptions } from '../../src/uplink/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/databases.ts';

export const PROVINCE = { id: '32000000002000000001', domain: '3200000000' };
// The city's SIP domain is not the first 10 digits of its id: the site's first guess of the realm
// is wrong and must be corrected from the city's 401 answer.
export const CITY = { id: '32010000002000000001', domain: '3201009999' };
export const SITE = { id: '32010600002000000001', domain: '3201060000' };
export const PASSWORD = 'Lower-Pass-1234';

export interface Node {
  db: TestDatabase;
  settings: Gb28181Settings;
  app: App;
  uplink: UplinkModule;
  server?: FastifyInstance;
  url: string;
  port: number;
}

/** Opens a node on `db`; with `port` (0 = any) also its API server. `overrides` add to its configuration, `appOptions` to the app's, `uplinkOptions` replace the uplink timings. */
export async function open(db: TestDatabase, settings: Gb28181Settings, port?: number, overrides: Partial<Config> = {}, appOptions: AppOptions = {}, uplinkOptions: Omit<UplinkOptions, 'settings'> = {}): Promise<Node> {
  const config = loadConfig({ env: {}, file: '/dev/null', overrides: { ...overrides, dataDir: db.dataDir, databaseUrl: db.databaseUrl, logLevel: 'silent', gb28181: settings } });
  const app = await createApp(config, { logger: pino({ level: 'silent' }), ...appOptions });
  await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: ADMIN_PASSWORD, sample: true });
  createCascadeModule(app, { settings }); // not started: only its lower-platform rows are used here
  const uplink = createUplinkModule(app, { settings, sender: { pollMs: 100, heartbeatMs: 1000, backoffMinMs: 100, backoffMaxMs: 400, timeoutMs: 5000 }, staleAfterMs: 30_000, watchMs: 100, ...uplinkOptions });
  await uplink.start();
  const node: Node = { db, settings, app, uplink, url: '', port: 0 };
  if (port !== undefined) {
    node.server = await buildServer(app, pino({ level: 'silent' }));
    await node.server.listen({ port, host: '127.0.0.1' });
    const a = node.server.server.address();
    node.port = typeof a === 'object' && a ? a.port : port;
    node.url = `http://127.0.0.1:${node.port}`;
  }
  return node;
}

export async function close(n: Node | undefined): Promise<void> {
  await n?.server?.close();
  await n?.uplink.stop();
  await n?.app.close();
}

export const settingsOf = (me: { id: string; domain: string }, upper?: { id: string; url: string }): Gb28181Settings => ({
  ...me, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: 60,
  ...(upper ? { upper: { id: upper.id, host: '127.0.0.1', port: 5060, password: PASSWORD, transport: 'udp' as const, keepaliveS: 60, expiresS: 3600, uplinkUrl: upper.url } } : {}),
});

export async function nodeId(app: App, name: string): Promise<{ id: number; gbCode: string; path: string }> {
  const row = await app.store.db.selectFrom('org_node').select(['id', 'gb_code', 'path']).where('name', '=', name).executeTakeFirstOrThrow();
  return { id: row.id, gbCode: row.gb_code, path: row.path };
}

export async function addLower(n: Node, sipId: string, name: string, underNode: string): Promise<void> {
  const node = await nodeId(n.app, underNode);
  await createCascadeModule(n.app).service.createLower(SYSTEM_ACTOR, { sipId, name, kind: 'platform', password: PASSWORD, orgNodeId: node.id });
}
