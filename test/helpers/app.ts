// Builds a real App (real database, real services) for tests, with a manual clock.
import { createApp } from '../../src/app.ts';
import type { App, AppOptions } from '../../src/app.ts';
import { actorFor } from '../../src/auth/auth-service.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Config } from '../../src/config/config.ts';
import { seedFirstStart } from '../../src/org/seed.ts';
import type { Dialect } from '../../src/store/dialect.ts';
import { repos } from '../../src/store/repos/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createTestDatabase } from './databases.ts';
import type { TestDatabase } from './databases.ts';

export const ADMIN_PASSWORD = 'Adm1n-Passw0rd!';
export const CLIENT = { ip: '127.0.0.1', workstation: 'test-ws' };

export interface TestApp {
  app: App;
  db: TestDatabase;
  /** The manual clock, unless the app was made with `realClock`. */
  clock: ManualClock;
  actor(username: string): Promise<Actor>;
  close(): Promise<void>;
}

export async function createTestApp(dialect: Dialect, opts: { sample?: boolean; realClock?: boolean; app?: Omit<AppOptions, 'clock'>; config?: Partial<Config> } = {}): Promise<TestApp> {
  const db = await createTestDatabase(dialect);
  const clock = new ManualClock(Date.UTC(2026, 5, 7, 0, 0, 0));
  const config = loadConfig({ env: {}, file: '/dev/null', overrides: { ...opts.config, dataDir: db.dataDir, databaseUrl: db.databaseUrl, logLevel: 'silent' } });
  const app = await createApp(config, { ...opts.app, clock: opts.realClock ? { nowMs: () => Date.now() } : clock });
  await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: ADMIN_PASSWORD, sample: opts.sample ?? true });
  return {
    app,
    db,
    clock,
    async actor(username: string) {
      const u = await repos(app.store.db).users.byUsername(username);
      if (!u) throw new Error(`no user ${username}`);
      return actorFor(u, CLIENT);
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
