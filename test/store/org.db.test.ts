// Organisation tree, rooms, cameras, scope and secrets, on both databases (R-ORG-1, R-SEC-4,
// R-SEC-6, R-CITY-2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateGbCode } from '../../src/org/gb-code.ts';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const expectAppError = async (p: Promise<unknown>, code: string) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
};

describe.each(DIALECTS)('organisation on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('builds a tree with generated, valid, unique GB/T 28181 codes (R-ORG-1)', async () => {
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const gulou = nodes.find((n) => n.name === '鼓楼区')!;
    const site = await t.app.org.createNode(admin, { parentId: gulou.id, kind: 'site', name: '鼓楼实验中学考点' });
    expect(validateGbCode(site.gbCode, ['216'])).toBeUndefined();
    expect(site.gbCode.slice(0, 6)).toBe('320106');
    const room = await t.app.devices.createRoom(admin, { siteId: site.id, kind: 'exam', name: '第01考场', seats: 30 });
    const cam = await t.app.devices.createCamera(admin, { roomId: room.id, name: '前置摄像机', position: 'front', sourceKind: 'rtsp', mainStream: '/Streaming/Channels/101', subStream: '/Streaming/Channels/102', host: '10.1.2.3', port: 554, username: 'admin', password: 'cam-Secret-9' });
    expect(validateGbCode(cam.gbCode, ['131', '132'])).toBeUndefined();
    const all = (await t.app.org.tree(admin)).flatMap((n) => [n.gbCode, ...(n.rooms ?? []).flatMap((r) => [r.gbCode, ...r.cameras.map((c) => c.gbCode)])]);
    expect(new Set(all).size).toBe(all.length);
    const tree = await t.app.org.tree(admin);
    expect(tree.find((n) => n.id === site.id)?.rooms?.[0]?.cameras[0]?.name).toBe('前置摄像机');
  });

  it('rejects bad codes, duplicate names, wrong kinds and moves under a descendant, changing nothing (R-SEC-7)', async () => {
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const city = nodes.find((n) => n.kind === 'city')!;
    const district = nodes.find((n) => n.name === '玄武区')!;
    const before = await t.app.org.tree(admin);
    await expectAppError(t.app.org.createNode(admin, { parentId: city.id, kind: 'district', name: '新区', gbCode: '3201001234' }), 'invalid_input');
    await expectAppError(t.app.org.createNode(admin, { parentId: city.id, kind: 'district', name: '新区', gbCode: '32010000111310000001' }), 'invalid_input');
    await expectAppError(t.app.org.createNode(admin, { parentId: city.id, kind: 'district', name: '玄武区' }), 'conflict');
    await expectAppError(t.app.org.createNode(admin, { parentId: district.id, kind: 'city', name: '错层' }), 'invalid_input');
    await expectAppError(t.app.org.updateNode(admin, city.id, { parentId: district.id }), 'invalid_input');
    await expectAppError(t.app.org.createNode(admin, { parentId: city.id, kind: 'district', name: "x'); drop table org_node;--", gbCode: nodes[0].gbCode }), 'invalid_input');
    expect(await t.app.org.tree(admin)).toEqual(before);
  });

  it('moves a subtree and keeps scope paths right', async () => {
    const admin = await t.actor('admin');
    let nodes = await t.app.org.tree(admin);
    const xuanwu = nodes.find((n) => n.name === '玄武区')!;
    const site = nodes.find((n) => n.name === '鼓楼实验中学考点')!;
    await t.app.org.updateNode(admin, site.id, { parentId: xuanwu.id });
    const rows = await repos(t.app.store.db).org.list({ kind: 'all' });
    const xRow = rows.find((r) => r.id === xuanwu.id)!;
    expect(rows.find((r) => r.id === site.id)!.path).toBe(`${xRow.path}${site.id}/`);
    nodes = await t.app.org.tree(admin);
    expect(nodes.find((n) => n.id === site.id)!.parentId).toBe(xuanwu.id);
  });

  it('a district account sees only its district (R-CITY-2, R-SEC-4)', async () => {
    const admin = await t.actor('admin');
    const nodes = await t.app.org.tree(admin);
    const gulou = nodes.find((n) => n.name === '鼓楼区')!;
    await t.app.users.create(admin, { username: 'gulou_op', displayName: '鼓楼巡查', role: 'operator', orgNodeId: gulou.id, password: 'Gulou-Passw0rd' });
    const op = await t.actor('gulou_op');
    const seen = await t.app.org.tree(op);
    expect(seen.map((n) => n.name).sort()).toEqual(['南京市第一中学考点', '鼓楼区']);
    const outside = nodes.find((n) => n.name === '鼓楼实验中学考点')!; // moved to 玄武区 above
    const cam = outside.rooms![0].cameras[0];
    expect(await repos(t.app.store.db).cameras.get(op.scope, cam.id)).toBeUndefined();
    await expectAppError(t.app.devices.revealNetwork(op, cam.id), 'forbidden');
  });

  it('stores device network config encrypted and audits every reveal (R-SEC-6)', async () => {
    const admin = await t.actor('admin');
    const cams = await repos(t.app.store.db).cameras.list({ kind: 'all' });
    const cam = cams.find((c) => c.name === '前置摄像机')!;
    expect(cam.network_enc).toBeTruthy();
    expect(cam.network_enc).not.toContain('cam-Secret-9');
    expect(cam.network_enc).not.toContain('10.1.2.3');
    const shown = await t.app.devices.revealNetwork(admin, cam.id);
    expect(shown).toMatchObject({ host: '10.1.2.3', port: 554, username: 'admin', password: 'cam-Secret-9' });
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'camera.reveal' });
    expect(records[0]).toMatchObject({ username: 'admin', object_id: String(cam.id), outcome: 'ok' });
    // The creation record names the change but not the secret.
    const created = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'camera.create' });
    expect(JSON.stringify(created.records)).not.toContain('cam-Secret-9');
  });
});
