// Test support for the transfer suites: a real app on a temporary SQLite database, seeded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App } from '../../app.ts';
import { createApp } from '../../app.ts';
import type { Actor } from '../../auth/actor.ts';
import { actorFor } from '../../auth/auth-service.ts';
import { loadConfig } from '../../config/config.ts';
import { repos } from '../../store/repos/index.ts';
import type { OrgNodeView } from '../views.ts';
import { seedFirstStart } from '../seed.ts';

export interface TestApp {
  app: App;
  admin: Actor;
  dispose(): Promise<void>;
}

export async function startApp(sample = true): Promise<TestApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xuncha-transfer-'));
  const app = await createApp(loadConfig({ env: {}, overrides: { dataDir: dir, seedSample: sample } }));
  await seedFirstStart(app.store, app.audit, app.clock, { adminPassword: 'Adm1n-Passw0rd!', sample });
  return {
    app,
    admin: await actorNamed(app, 'admin'),
    dispose: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function actorNamed(app: App, username: string): Promise<Actor> {
  const user = await repos(app.store.db).users.byUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  return actorFor(user, { ip: '127.0.0.1', workstation: 'test' });
}

/** Adds an administrator whose scope is the node named `nodeName`. */
export async function addScopedAdmin(app: App, username: string, nodeName: string): Promise<Actor> {
  const node = (await repos(app.store.db).org.list({ kind: 'all' })).find((n) => n.name === nodeName);
  if (!node) throw new Error(`no node ${nodeName}`);
  const now = app.clock.nowMs();
  await repos(app.store.db).users.insert({
    username,
    display_name: username,
    password_hash: 'x',
    role: 'admin',
    org_node_id: node.id,
    disabled: 0,
    failed_logins: 0,
    locked_until_ms: null,
    totp_secret_enc: null,
    totp_enabled: 0,
    totp_last_step: null,
    must_change_password: 0,
    password_changed_at_ms: now,
    created_at_ms: now,
  });
  return actorNamed(app, username);
}

/** The tree without database ids: what must survive an export/import round trip. */
export async function portableTree(app: App, actor: Actor): Promise<unknown[]> {
  const nodes: OrgNodeView[] = await app.org.tree(actor);
  const codeOf = new Map(nodes.map((n) => [n.id, n.gbCode]));
  return nodes
    .map((n) => ({
      kind: n.kind,
      name: n.name,
      gbCode: n.gbCode,
      regionCode: n.regionCode,
      parent: n.parentId === null ? null : (codeOf.get(n.parentId) ?? null),
      rooms: (n.rooms ?? [])
        .map((r) => ({
          kind: r.kind,
          name: r.name,
          seats: r.seats,
          gbCode: r.gbCode,
          cameras: r.cameras.map((c) => ({ name: c.name, position: c.position, sourceKind: c.sourceKind, gbCode: c.gbCode, mainStream: c.mainStream, subStream: c.subStream })).sort((a, b) => a.gbCode.localeCompare(b.gbCode)),
        }))
        .sort((a, b) => a.gbCode.localeCompare(b.gbCode)),
    }))
    .sort((a, b) => a.gbCode.localeCompare(b.gbCode));
}

export async function auditActions(app: App): Promise<Array<{ action: string; outcome: string; detail: string | null }>> {
  return app.store.db.selectFrom('audit_log').select(['action', 'outcome', 'detail']).orderBy('seq').execute();
}
