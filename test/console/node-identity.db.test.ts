// The console tells nodes apart and makes the first administrator change a generated password
// (issue 14 items 13 and 15; R-SEC-5, R-FN-1): /api/auth/login and /api/auth/me carry this
// installation's name and level (the root of its own tree), and mustChangePassword for the user.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { listen, login, request } from '../security/http.ts';

describe.each(DIALECTS)('node identity and mustChangePassword on %s', (dialect) => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp(dialect, { realClock: true });
    ({ server, port } = await listen(t));
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('login and me name the node and its level (省级 for a province root) (issue 14 item 15)', async () => {
    const root = (await t.app.store.db.selectFrom('org_node').select(['name', 'kind']).where('parent_id', 'is', null).executeTakeFirstOrThrow());
    const s = await login(port, 'admin', ADMIN_PASSWORD);
    expect(s.status).toBe(200);
    const expected = { name: root.name, kind: root.kind, levelLabel: { province: '省级', city: '市级', district: '区县', site: '考点' }[root.kind] };
    expect(s.body.node).toEqual(expected);
    const me = await request(port, 'GET', '/api/auth/me', undefined, s);
    expect(me.body.node).toEqual(expected);
    // Renaming the root is seen at the next call (not cached at start).
    await t.app.store.db.updateTable('org_node').set({ name: `${root.name}（测试）` }).where('parent_id', 'is', null).execute();
    expect((await request(port, 'GET', '/api/auth/me', undefined, s)).body.node).toMatchObject({ name: `${root.name}（测试）` });
  });

  it('a user whose password must change is told so by me; after changing it, no longer (issue 14 item 13)', async () => {
    const admin = await t.actor('admin');
    const city = (await t.app.org.tree(admin)).find((n) => n.kind === 'city')!;
    const v = await t.app.users.create(admin, { username: 'first_admin_like', displayName: '测试', role: 'admin', orgNodeId: city.id, password: 'Initial-Passw0rd!' });
    await repos(t.app.store.db).users.update(v.id, { must_change_password: 1 });
    const s = await login(port, 'first_admin_like', 'Initial-Passw0rd!');
    const me = await request(port, 'GET', '/api/auth/me', undefined, s);
    expect(me.body.user?.mustChangePassword).toBe(true);
    const ch = await request(port, 'POST', '/api/auth/password', { oldPassword: 'Initial-Passw0rd!', newPassword: 'Changed-Passw0rd#2' }, s);
    expect(ch.status).toBe(200);
    expect((await request(port, 'GET', '/api/auth/me', undefined, s)).body.user?.mustChangePassword).toBe(false);
  });
});
