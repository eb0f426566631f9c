// `xuncha serve`: one node of the patrol network. Graceful shutdown on SIGTERM/SIGINT; clear
// messages and exit codes when the port is taken or the data directory is unusable.
import type { App } from '../app.ts';
import { DataDirError, createApp } from '../app.ts';
import { buildServer } from '../api/server.ts';
import { TlsFileError } from '../api/http-front.ts';
import type { Config } from '../config/config.ts';
import { KeyFileError } from '../crypto/keys.ts';
import { AdminPasswordError, seedFirstStart } from '../org/seed.ts';
import { createCascadeModule } from '../cascade/index.ts';
import { startDemoCity } from '../cascade/demo-city.ts';
import type { DemoCity } from '../cascade/demo-city.ts';
import { recoverRecordings } from '../recording/recovery.ts';
import { dutySweepOf } from '../duty/index.ts';
import { createUplinkModule } from '../uplink/index.ts';
import { probeDemoCampaign, startDemoCameras } from './demo.ts';
import { EXIT } from './exit-codes.ts';
import { createLogger } from './logger.ts';

export async function serve(config: Config): Promise<number> {
  const log = createLogger(config.logLevel);
  // Two-level demo (XUNCHA_DEMO_CASCADE=1): a city node on port+1 first, then this site registers to it.
  let city: DemoCity | undefined;
  if (process.env.XUNCHA_DEMO_CASCADE === '1') {
    try {
      city = await startDemoCity(config, log);
      config = { ...config, gb28181: city.siteSettings };
    } catch (err) {
      log.error({ err }, `demo city node not started (port ${config.port + 1}): running the site alone`);
    }
  }
  let app: App;
  try {
    app = await createApp(config, { logger: log });
  } catch (err) {
    await city?.close();
    if (err instanceof DataDirError) {
      log.fatal(err.message);
      return EXIT.dataDir;
    }
    if (err instanceof KeyFileError) {
      log.fatal(err.message);
      return EXIT.config;
    }
    log.fatal({ err }, `cannot open the database: ${(err as Error).message}`);
    return EXIT.database;
  }
  // A changed audit.keyFile without `xuncha audit rekey`: appending would break the chain (issue 13).
  const keyCheck = await app.audit.checkKey();
  if (keyCheck.action === 'mismatch') {
    log.fatal(keyCheck, `审计密钥与审计链不符 the audit chain is chained with key ${keyCheck.headKeyId ?? '(unknown)'}, not with this node's key ${keyCheck.ownKeyId}: run \`xuncha audit rekey --old-key-file <file>\` (or --old-key-derived) with the node stopped, or configure the old audit.keyFile again`);
    await app.close();
    await city?.close();
    return EXIT.config;
  }
  let seeded;
  try {
    seeded = await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: config.adminPassword, sample: config.seedSample });
  } catch (err) {
    if (!(err instanceof AdminPasswordError)) throw err;
    log.fatal(err.message);
    await app.close();
    await city?.close();
    return EXIT.config;
  }
  if (seeded.generatedAdminPassword) {
    // Printed once, on first start only: the administrator must change it after logging in.
    process.stdout.write(`\n  首次启动 First start: administrator "admin", password: ${seeded.generatedAdminPassword}\n  (shown once; change it after logging in)\n\n`);
  }
  // Passwords typed into camera URLs before they were sealed on save (issue 13): seal them now.
  const sealed = await app.devices.sealTypedCredentials();
  if (sealed > 0) log.info({ cameras: sealed }, 'camera credentials moved from stream URLs into the encrypted network configuration');
  // The index must agree with the disk before anything records (docs/design/recording.md).
  await recoverRecordings(app.store, app.files, app.clock, log);
  const demo = await startDemoCameras(app, log);
  const sim = demo?.sim;
  await app.recorder.start();
  app.exams.start();
  app.retention.start();
  app.readiness.start();
  if (demo?.seeded && config.demoProbe) probeDemoCampaign(app, log);
  await app.ledger.start();
  // Duty: idle check-outs and the alone-watch alarm when an exam window starts (docs/design/duty.md).
  const dutySweep = dutySweepOf(app);
  dutySweep.start();
  // GB/T 28181 cascade when configured (gb28181 in xuncha.yaml or XUNCHA_SIP_*): docs/design/cascade.md.
  const cascade = createCascadeModule(app);
  if (cascade.enabled) {
    try {
      await cascade.start();
      log.info(cascade.status(), 'GB/T 28181 cascade started');
    } catch (err) {
      log.error({ err }, 'GB/T 28181 cascade not started: SIP port unavailable (set XUNCHA_SIP_UDP_PORT / XUNCHA_SIP_TCP_PORT)');
    }
  }
  // Node-to-node channel (docs/design/uplink.md): receives from lowers always; sends when gb28181.upper.uplinkUrl is set.
  const uplink = createUplinkModule(app);
  await uplink.start();
  if (uplink.sender) log.info({ url: uplink.sender.status.url }, 'uplink channel to the upper level started');
  for (const m of [app.exams.alarms, app.retention.alarms] as const) m.on('alarm.raised', (a: unknown) => log.warn({ alarm: a }, 'alarm raised'));
  let server;
  try {
    server = await buildServer(app, log);
  } catch (err) {
    if (!(err instanceof TlsFileError)) throw err;
    log.fatal(err.message);
    await uplink.stop();
    await cascade.stop();
    await app.close();
    await sim?.close();
    await city?.close();
    return EXIT.config;
  }
  try {
    await server.listen({ port: config.port, host: config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await uplink.stop();
    await cascade.stop();
    await app.close();
    await sim?.close();
    await city?.close();
    if (code === 'EADDRINUSE') {
      log.fatal(`port ${config.port} is already in use: stop the other program or set XUNCHA_PORT`);
      return EXIT.portInUse;
    }
    log.fatal({ err }, 'cannot listen');
    return EXIT.failure;
  }
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  log.info({ port, dataDir: config.dataDir, database: app.store.dialect }, `xuncha listening on ${config.tls ? 'https' : 'http'}://127.0.0.1:${port}/`);
  const sessionSweep = setInterval(() => void app.auth.purgeExpired().catch((err: unknown) => log.warn({ err }, 'session sweep failed')), 60_000);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      clearInterval(sessionSweep);
      // A step that never finishes (a database that does not answer, a socket that never closes)
      // must not keep the process alive: after 10 s the caller exits with the step named.
      let step = 'http server';
      const force = setTimeout(() => {
        log.error({ step }, `shutdown did not finish in 10 s (stuck at: ${step}); exiting anyway`);
        resolve(EXIT.shutdownTimeout);
      }, 10_000);
      force.unref();
      const next = (name: string, run: () => Promise<unknown> | undefined) => () => {
        step = name;
        return run();
      };
      void server
        .close()
        .then(next('uplink', () => uplink.stop()))
        .then(next('cascade', () => cascade.stop()))
        .then(next('duty sweep', () => dutySweep.stop()))
        .then(next('app (recorders, database)', () => app.close()))
        .then(next('simulator', () => sim?.close()))
        .then(next('city node', () => city?.close()))
        .then(() => {
          clearTimeout(force);
          resolve(EXIT.ok);
        }, (err: unknown) => {
          clearTimeout(force);
          log.error({ err, step }, 'shutdown failed');
          resolve(EXIT.failure);
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
