// The video wall kept on the server, on both databases (issue 14 item 1, "a wall that stays"):
// a user's current wall comes back after a reload or a login elsewhere, only with cameras they may
// still see; named wall layouts are private or shared like patrol tours (R-CITY-2 a district account
// lays out its district only; R-SEC-4 scope in the repository; R-ACC-1 every layout change and
// refusal audited).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { repos } from '../../src/store/repos/index.ts';
import { AppError } from '../../src/util/errors.ts';
import { WallService } from '../../src/wall/wall-service.ts';
import type { WallLayoutInput } from '../../src/wall/wall-service.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const PASSWORD = 'Wall-Passw0rd!';

const expectAppError = async (p: Promise<unknown>, code: string) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
};

describe.each(DIALECTS)('wall kept on the server on %s', (dialect) => {
  let t: TestApp;
  let wall: WallService;
  const node: Record<string, number> = {};
  const cam: Record<string, number> = {};
  const as = (u: string): Promise<Actor> => t.actor(u);
  const denied = async () => (await repos(t.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied', action: 'wall.' })).total;
  const body = (over: Partial<WallLayoutInput> = {}): WallLayoutInput => ({ name: '第01考场两路', layoutTiles: 4, cells: [cam.front, null, cam.rear, null], ...over });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    wall = new WallService(t.app.store, t.app.audit, t.app.clock);
    const admin = await as('admin');
    const nodes = await t.app.org.tree(admin);
    for (const n of nodes) node[n.name] = n.id;
    const exam1 = nodes.find((n) => n.name === '南京市第一中学考点')!.rooms!.find((r) => r.name === '第01考场')!.id;
    const addCam = async (roomId: number, name: string) => (await t.app.devices.createCamera(admin, { roomId, name, position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
    cam.front = await addCam(exam1, '前置摄像机');
    cam.rear = await addCam(exam1, '后置摄像机');
    const xwSite = await t.app.org.createNode(admin, { parentId: node['玄武区'], kind: 'site', name: '玄武考点' });
    const xwRoom = (await t.app.devices.createRoom(admin, { siteId: xwSite.id, kind: 'exam', name: '第01考场', seats: 30 })).id;
    cam.xw = await addCam(xwRoom, '前置摄像机');
    const users: Array<[string, 'admin' | 'operator' | 'inspector', string]> = [
      ['nj_admin', 'admin', '南京市'],
      ['nj_op', 'operator', '南京市'],
      ['gl_admin', 'admin', '鼓楼区'],
      ['gl_op', 'operator', '鼓楼区'],
      ['gl_op2', 'operator', '鼓楼区'],
      ['gl_inspector', 'inspector', '鼓楼区'],
      ['xw_op', 'operator', '玄武区'],
    ];
    // Straight into the table with one hash for all (the user service's own rules are tested elsewhere; scrypt per user would cost seconds).
    const hash = await hashPassword(PASSWORD);
    const now = t.app.clock.nowMs();
    for (const [username, role, at] of users) {
      await repos(t.app.store.db).users.insert({ username, display_name: username, password_hash: hash, role, org_node_id: node[at], disabled: 0, failed_logins: 0, locked_until_ms: null, totp_secret_enc: null, totp_enabled: 0, totp_last_step: null, must_change_password: 0, password_changed_at_ms: now, created_at_ms: now });
    }
  });
  afterAll(() => t.close());

  it('the current wall comes back for its user only, without cameras out of their scope', async () => {
    const op = await as('gl_op');
    expect(await wall.state(op)).toBeNull();
    const saved = await wall.saveState(op, { layoutTiles: 9, cells: [cam.front, null, cam.rear, cam.xw], tourId: null, running: false, page: 0 });
    // 玄武's camera is outside 鼓楼区: stored as an empty tile, not as an id the user could later see.
    expect(saved).toMatchObject({ layoutTiles: 9, cells: [cam.front, null, cam.rear, null], tourId: null, running: false, page: 0 });
    expect(await wall.state(op)).toEqual(saved);
    expect(await wall.state(await as('gl_op2'))).toBeNull();
    // Saved again (another PC): the latest wins, with the tour and its page.
    await wall.saveState(op, { layoutTiles: 4, cells: [cam.rear], tourId: 77, running: true, page: 2 });
    expect(await wall.state(op)).toMatchObject({ layoutTiles: 4, cells: [cam.rear], tourId: 77, running: true, page: 2 });
    // The inspector has no live video, hence no wall; the refusal is audited.
    const before = await denied();
    await expectAppError(wall.state(await as('gl_inspector')), 'forbidden');
    expect(await denied()).toBe(before + 1);
  });

  it('a named layout is private to its owner; same name twice is a conflict; saving is audited', async () => {
    const op = await as('gl_op');
    const l = await wall.create(op, body());
    expect(l).toMatchObject({ name: '第01考场两路', layoutTiles: 4, cells: [cam.front, null, cam.rear, null], orgNodeId: node['鼓楼区'], shared: false, canEdit: true, ownerName: 'gl_op' });
    expect((await wall.layouts(op)).map((x) => x.id)).toEqual([l.id]);
    expect(await wall.layouts(await as('gl_op2'))).toEqual([]);
    await expectAppError(wall.create(op, body()), 'conflict');
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'wall.layout.create', outcome: 'ok' });
    expect(records[0]).toMatchObject({ username: 'gl_op', object_type: 'wall_layout', object_id: String(l.id) });
    expect(JSON.parse(records[0].detail!)).toMatchObject({ name: '第01考场两路', cameraIds: [cam.front, cam.rear] });
  });

  it('a layout never names a camera out of scope (404, audited) or outside its node (400), nor no camera at all', async () => {
    const op = await as('gl_op');
    const before = await denied();
    await expectAppError(wall.create(op, body({ name: '越界', cells: [cam.xw] })), 'not_found');
    expect(await denied()).toBe(before + 1);
    await expectAppError(wall.create(await as('nj_admin'), body({ name: '越界', orgNodeId: node['鼓楼区'], cells: [cam.xw] })), 'invalid_input');
    await expectAppError(wall.create(op, body({ name: '空的', cells: [null, null] })), 'invalid_input');
    expect((await wall.layouts(op)).map((x) => x.name)).toEqual(['第01考场两路']);
  });

  it('a city administrator shares a layout: each viewer sees only their cameras; only an administrator changes it (R-CITY-2)', async () => {
    const city = await as('nj_admin');
    const shared = await wall.create(city, body({ name: '全市重点', shared: true, cells: [cam.xw, cam.front] }));
    const seen = async (u: string) => (await wall.layouts(await as(u))).find((x) => x.id === shared.id);
    // Its node is the city: a 鼓楼 user's scope does not hold it.
    expect(await seen('gl_op2')).toBeUndefined();
    expect((await seen('nj_op'))?.cells).toEqual([cam.xw, cam.front]);
    const gl = await wall.create(city, body({ name: '鼓楼重点', shared: true, orgNodeId: node['鼓楼区'], cells: [cam.rear] }));
    expect((await wall.layouts(await as('gl_op2'))).find((x) => x.id === gl.id)).toMatchObject({ cells: [cam.rear, null, null, null].slice(0, 1), canEdit: false, ownerName: 'nj_admin' });
    expect(await seen('xw_op')).toBeUndefined();
    const before = await denied();
    await expectAppError(wall.update(await as('gl_op2'), gl.id, body({ name: '改掉', shared: true, orgNodeId: node['鼓楼区'] })), 'forbidden');
    await expectAppError(wall.create(await as('gl_op2'), body({ name: '想共享', shared: true })), 'forbidden');
    await expectAppError(wall.delete(await as('gl_op'), shared.id), 'not_found');
    expect(await denied()).toBe(before + 3);
    const changed = await wall.update(await as('gl_admin'), gl.id, body({ name: '鼓楼重点（改）', shared: true, layoutTiles: 9, cells: [cam.front, cam.rear] }));
    expect(changed).toMatchObject({ name: '鼓楼重点（改）', layoutTiles: 9, cells: [cam.front, cam.rear], ownerName: 'nj_admin', orgNodeId: node['鼓楼区'] });
    await wall.delete(await as('gl_admin'), gl.id);
    expect((await wall.layouts(await as('gl_op2'))).map((x) => x.id)).not.toContain(gl.id);
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'wall.layout.delete', outcome: 'ok' });
    expect(records[0]).toMatchObject({ username: 'gl_admin', object_id: String(gl.id) });
  });

  it('the API keeps the wall across sessions and refuses malformed bodies with 400', async () => {
    const server = await buildServer(t.app, pino({ level: 'silent' }));
    try {
      const session = async () => {
        const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'gl_op2', password: PASSWORD } });
        return { cookie: login.headers['set-cookie']!.toString().split(';')[0], 'x-csrf-token': (login.json() as { csrfToken: string }).csrfToken };
      };
      const a = await session();
      const good = { layoutTiles: 4, cells: [cam.rear, cam.front], tourId: null, running: false, page: 0 };
      expect((await server.inject({ method: 'PUT', url: '/api/wall/state', headers: a, payload: good })).statusCode).toBe(200);
      for (const bad of [{ ...good, layoutTiles: 7 }, { ...good, layoutTiles: 49 }, { ...good, cells: Array(65).fill(null) }, { ...good, extra: 1 }, { ...good, cells: ['x'] }]) {
        const res = await server.inject({ method: 'PUT', url: '/api/wall/state', headers: a, payload: bad });
        expect(res.statusCode, JSON.stringify(bad)).toBe(400);
        if (bad.layoutTiles !== good.layoutTiles) expect(res.body).toContain('画面数须为 1/4/9/16/25/36/64');
      }
      // The patrol centre's 64-room overview (issue 16): 64 tiles, the 64th kept.
      const overview = { ...good, layoutTiles: 64, cells: [...Array<null>(63).fill(null), cam.front] };
      expect((await server.inject({ method: 'PUT', url: '/api/wall/state', headers: a, payload: overview })).statusCode).toBe(200);
      expect((await server.inject({ method: 'GET', url: '/api/wall/state', headers: a })).json()).toMatchObject({ state: { layoutTiles: 64, cells: overview.cells } });
      expect((await server.inject({ method: 'PUT', url: '/api/wall/state', headers: a, payload: good })).statusCode).toBe(200);
      // A new login (another duty PC, or the browser's storage cleared) gets the same wall.
      const b = await session();
      const got = await server.inject({ method: 'GET', url: '/api/wall/state', headers: b });
      expect(got.json()).toMatchObject({ state: { layoutTiles: 4, cells: [cam.rear, cam.front] } });
    } finally {
      await server.close();
    }
  });
});
