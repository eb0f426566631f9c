// Child process of bench/sip.ts: the GB/T 28181 upper platform under load — a real App with its
// cascade module (SQLite in a temporary data dir) and the benchmark's devices as lower platforms.
// bench/sip.ts runs it compiled (build/server, as `npm start` runs the server) unless --from-source.
// Args: --dir DATA_DIR --devices N --keepalive-s S. IPC out: ChildMsg.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createApp } from '../../src/app.ts';
import { createCascadeModule } from '../../src/cascade/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { computeHa1 } from '../../src/gb28181/index.ts';
import { seedFirstStart } from '../../src/org/seed.ts';
import { repos } from '../../src/store/repos/index.ts';

import { BIG_LOWER, deviceId, PASSWORD, UPPER } from './sip-ids.ts';
import type { ChildMsg } from './sip-ids.ts';

async function upperRole(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, devices: { type: 'string' }, 'keepalive-s': { type: 'string' } } });
  const dataDir = values.dir!;
  const n = Number(values.devices);
  const keepaliveS = Number(values['keepalive-s']);
  const config = loadConfig({ env: {}, file: '/dev/null', overrides: { dataDir, logLevel: 'silent', seedSample: false } });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: 'Bench-Root-7391', sample: false });
  const root = (await repos(app.store.db).org.list({ kind: 'all' }))[0];
  const now = Date.now();
  await app.store.db.transaction().execute(async (trx) => {
    for (const [i, id] of [...Array.from({ length: n }, (_, k) => deviceId(k)), BIG_LOWER].entries()) {
      await repos(trx).cascade.insertLower({ sip_id: id, name: `dev ${i}`, kind: id === BIG_LOWER ? 'platform' : 'device', org_node_id: root.id, ha1: computeHa1(id, UPPER.domain, PASSWORD), enabled: 1, online: 0, channel_count: 0, created_at_ms: now, updated_at_ms: now });
    }
  });
  const cascade = createCascadeModule(app, { settings: { ...UPPER, host: '127.0.0.1', udpPort: 0, tcpPort: 0, lowerKeepaliveS: keepaliveS }, queryIdleMs: 30_000 });
  await cascade.start();
  cascade.registry!.on('catalog', (c) => {
    if (c.items > 1) process.send!({ kind: 'catalog', items: c.items, ms: c.ms } satisfies ChildMsg);
  });
  process.send!({ kind: 'ready', port: cascade.node!.transport.udpPort! } satisfies ChildMsg);
  process.on('disconnect', () => void cascade.stop().then(() => app.close()).then(() => process.exit(0)));
}

void upperRole();
