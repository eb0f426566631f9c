// Patrol tours (轮巡) kept on the server, on both databases (issue 4): who sees which tour, who may
// change it, items never outside the tour's node, play-time resolution limited to what the viewer
// may see (R-CITY-2 a district account runs tours over its district only; R-SEC-4 scope in the
// repository; R-ACC-1 every change and refusal audited).
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import type { Actor } from '../../src/auth/actor.ts';
import { repos } from '../../src/store/repos/index.ts';
import { TourService } from '../../src/tours/tour-service.ts';
import type { TourInput } from '../../src/tours/tour-service.ts';
import { AppError } from '../../src/util/errors.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const PASSWORD = 'Tour-Passw0rd!';

const expectAppError = async (p: Promise<unknown>, code: string) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
};

describe.each(DIALECTS)('patrol tours on %s', (dialect) => {
  let t: TestApp;
  let tours: TourService;
  const node: Record<string, number> = {};
  // Cameras: gulou exam room 1 (front, rear), gulou lab room, gulou affairs room, xuanwu exam room.
  const cam: Record<string, number> = {};
  const room: Record<string, number> = {};
  const as = (u: string): Promise<Actor> => t.actor(u);
  const denied = async () => (await repos(t.app.store.db).audit.list({ kind: 'all' }, { outcome: 'denied', action: 'tour.' })).total;
  const body = (over: Partial<TourInput> = {}): TourInput => ({ name: '早班轮巡', intervalS: 10, layoutTiles: 4, items: [{ kind: 'all-exam-rooms' }], ...over });

  beforeAll(async () => {
    t = await createTestApp(dialect);
    tours = new TourService(t.app.store, t.app.audit, t.app.clock);
    const admin = await as('admin');
    const nodes = await t.app.org.tree(admin);
    for (const n of nodes) node[n.name] = n.id;
    const site = nodes.find((n) => n.name === '南京市第一中学考点')!;
    const rooms = site.rooms!;
    room.exam1 = rooms.find((r) => r.name === '第01考场')!.id;
    room.lab = rooms.find((r) => r.kind === 'lab')!.id;
    room.affairs = rooms.find((r) => r.kind === 'affairs')!.id;
    const addCam = async (roomId: number, name: string) => (await t.app.devices.createCamera(admin, { roomId, name, position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).id;
    cam.front = await addCam(room.exam1, '前置摄像机');
    cam.rear = await addCam(room.exam1, '后置摄像机');
    cam.lab = await addCam(room.lab, '机房摄像机');
    cam.affairs = await addCam(room.affairs, '考务室摄像机');
    const xwSite = await t.app.org.createNode(admin, { parentId: node['玄武区'], kind: 'site', name: '玄武考点' });
    node['玄武考点'] = xwSite.id;
    room.xw = (await t.app.devices.createRoom(admin, { siteId: xwSite.id, kind: 'exam', name: '第01考场', seats: 30 })).id;
    cam.xw = await addCam(room.xw, '前置摄像机');
    const users: Array<[string, 'admin' | 'operator' | 'leader' | 'inspector', string]> = [
      ['nj_admin', 'admin', '南京市'],
      ['nj_op', 'operator', '南京市'],
      ['gl_admin', 'admin', '鼓楼区'],
      ['gl_op', 'operator', '鼓楼区'],
      ['gl_op2', 'operator', '鼓楼区'],
      ['gl_leader', 'leader', '鼓楼区'],
      ['gl_inspector', 'inspector', '鼓楼区'],
      ['site_op', 'operator', '南京市第一中学考点'],
      ['xw_op', 'operator', '玄武区'],
    ];
    for (const [username, role, at] of users) await t.app.users.create(admin, { username, displayName: username, role, orgNodeId: node[at], password: PASSWORD });
  });
  afterAll(() => t.close());

  it('an operator keeps a private tour at their node; another operator of the same district does not see it', async () => {
    const op = await as('gl_op');
    const tour = await tours.create(op, body({ items: [{ kind: 'camera', refId: cam.rear }, { kind: 'room', refId: room.exam1 }] }));
    expect(tour).toMatchObject({ name: '早班轮巡', orgNodeId: node['鼓楼区'], shared: false, canEdit: true, intervalS: 10, layoutTiles: 4 });
    expect(tour.items).toEqual([
      { kind: 'camera', refId: cam.rear, label: '南京市第一中学考点 / 第01考场 · 后置摄像机' },
      { kind: 'room', refId: room.exam1, label: '南京市第一中学考点 / 第01考场' },
    ]);
    expect((await tours.list(op)).map((x) => x.id)).toEqual([tour.id]);
    expect(await tours.list(await as('gl_op2'))).toEqual([]);
    // Someone else's private tour looks like no tour at all, and asking is audited.
    const before = await denied();
    await expectAppError(tours.cameras(await as('gl_op2'), tour.id), 'not_found');
    await expectAppError(tours.cameras(await as('gl_admin'), tour.id), 'not_found');
    expect(await denied()).toBe(before + 2);
    // Play order: the camera first, then the room's other camera once (no duplicate).
    expect((await tours.cameras(op, tour.id)).cameras.map((c) => c.id)).toEqual([cam.rear, cam.front]);
    // Same name twice for one owner is a conflict.
    await expectAppError(tours.create(op, body()), 'conflict');
  });

  it('a city administrator prepares a shared tour for a district; the district sees it, other districts and sites below do not (R-CITY-2)', async () => {
    const city = await as('nj_admin');
    const tour = await tours.create(city, body({ name: '鼓楼区全部考场', orgNodeId: node['鼓楼区'], shared: true, layoutTiles: 9 }));
    const names = async (u: string) => (await tours.list(await as(u))).map((x) => x.name);
    expect(await names('gl_op2')).toEqual(['鼓楼区全部考场']);
    expect(await names('gl_leader')).toEqual(['鼓楼区全部考场']);
    expect(await names('nj_op')).toEqual(['鼓楼区全部考场']);
    expect(await names('xw_op')).toEqual([]);
    expect(await names('site_op')).toEqual([]);
    await expectAppError(tours.cameras(await as('xw_op'), tour.id), 'not_found');
    // Every exam room of the district (exam and lab rooms, not the affairs office), in tree order;
    // the city admin sees 玄武 too, but the tour stays inside its node.
    const expected = [cam.front, cam.rear, cam.lab];
    for (const u of ['gl_op2', 'nj_admin', 'nj_op']) expect((await tours.cameras(await as(u), tour.id)).cameras.map((c) => c.id), u).toEqual(expected);
    const shown = (await tours.cameras(await as('gl_op2'), tour.id)).cameras[0];
    expect(shown).toMatchObject({ id: cam.front, name: '前置摄像机', roomName: '第01考场', roomKind: 'exam', siteName: '南京市第一中学考点' });
  });

  it('only the owner, or an administrator of the node for a shared tour, changes it; refusals are audited and change nothing', async () => {
    const city = await as('nj_admin');
    const shared = (await tours.list(city)).find((x) => x.name === '鼓楼区全部考场')!;
    const op = await as('gl_op2');
    expect(shared.canEdit).toBe(true);
    expect((await tours.list(op)).find((x) => x.id === shared.id)!.canEdit).toBe(false);
    const before = await denied();
    await expectAppError(tours.update(op, shared.id, body({ name: '改掉', shared: true })), 'forbidden');
    await expectAppError(tours.delete(await as('gl_leader'), shared.id), 'forbidden');
    // Only holders of tour.share share a tour.
    await expectAppError(tours.create(op, body({ name: '想共享', shared: true })), 'forbidden');
    await expectAppError(tours.list(await as('gl_inspector')), 'forbidden');
    expect(await denied()).toBe(before + 4);
    expect((await tours.list(city)).find((x) => x.id === shared.id)!.name).toBe('鼓楼区全部考场');
    expect((await tours.list(op)).map((x) => x.name)).not.toContain('想共享');
    // The district's administrator may change the city's shared tour.
    const changed = await tours.update(await as('gl_admin'), shared.id, body({ name: '鼓楼区考场轮巡', shared: true, intervalS: 20, layoutTiles: 16, items: [{ kind: 'room', refId: room.lab }] }));
    expect(changed).toMatchObject({ name: '鼓楼区考场轮巡', intervalS: 20, layoutTiles: 16, shared: true, ownerName: 'nj_admin', orgNodeId: node['鼓楼区'] });
    expect((await tours.cameras(op, shared.id)).cameras.map((c) => c.id)).toEqual([cam.lab]);
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'tour.update', outcome: 'ok' });
    expect(records[0]).toMatchObject({ username: 'gl_admin', object_type: 'tour', object_id: String(shared.id) });
    expect(records[0].scope_path.endsWith(`/${node['鼓楼区']}/`)).toBe(true);
    expect(JSON.parse(records[0].detail!)).toMatchObject({ before: { name: '鼓楼区全部考场', intervalS: 10 }, after: { name: '鼓楼区考场轮巡', intervalS: 20 } });
  });

  it('items never name a camera or room outside the tour node (400) or the caller scope (404, audited)', async () => {
    const op = await as('gl_op');
    const city = await as('nj_admin');
    const count = async () => Number((await t.app.store.db.selectFrom('patrol_tour').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const n0 = await count();
    const before = await denied();
    await expectAppError(tours.create(op, body({ name: '越界', items: [{ kind: 'camera', refId: cam.xw }] })), 'not_found');
    await expectAppError(tours.create(op, body({ name: '越界', items: [{ kind: 'room', refId: room.xw }] })), 'not_found');
    await expectAppError(tours.create(op, body({ name: '越界', orgNodeId: node['玄武区'] })), 'not_found');
    expect(await denied()).toBe(before + 3);
    // The city sees 玄武's camera but may not put it in a tour of 鼓楼区.
    await expectAppError(tours.create(city, body({ name: '越界', orgNodeId: node['鼓楼区'], items: [{ kind: 'camera', refId: cam.xw }] })), 'invalid_input');
    await expectAppError(tours.create(city, body({ name: '越界', orgNodeId: node['南京市第一中学考点'], items: [{ kind: 'room', refId: room.xw }] })), 'invalid_input');
    expect(await count()).toBe(n0);
    // A tour at the city may name both districts; a 鼓楼 user never sees it (its node is above their scope).
    const both = await tours.create(city, body({ name: '全市', shared: true, items: [{ kind: 'camera', refId: cam.xw }, { kind: 'camera', refId: cam.front }] }));
    expect((await tours.cameras(city, both.id)).cameras.map((c) => c.id)).toEqual([cam.xw, cam.front]);
    expect((await tours.list(op)).map((x) => x.name)).not.toContain('全市');
  });

  it('a camera moved out of the tour node drops out of the tour at play time and loses its label', async () => {
    const admin = await as('admin');
    const op = await as('gl_op');
    const mine = (await tours.list(op)).find((x) => x.name === '早班轮巡')!;
    // Move the whole 鼓楼 site under 玄武区: its cameras leave 鼓楼区 (the tour's node).
    await t.app.org.updateNode(admin, node['南京市第一中学考点'], { parentId: node['玄武区'] });
    try {
      // The operator's own scope no longer holds them either; the city still does, the tour's node does not.
      expect((await tours.cameras(op, mine.id)).cameras).toEqual([]);
      expect((await tours.list(op)).find((x) => x.id === mine.id)!.items.map((i) => i.label)).toEqual([null, null]);
      const city = await as('nj_admin');
      const shared = (await tours.list(city)).find((x) => x.name === '鼓楼区考场轮巡')!;
      expect((await tours.cameras(city, shared.id)).cameras).toEqual([]);
      expect(shared.items[0].label).toBeNull();
    } finally {
      await t.app.org.updateNode(admin, node['南京市第一中学考点'], { parentId: node['鼓楼区'] });
    }
    expect((await tours.cameras(op, mine.id)).cameras.map((c) => c.id)).toEqual([cam.rear, cam.front]);
  });

  it('deletes (audited), and a deleted org node takes its tours with it', async () => {
    const op = await as('gl_op');
    const tmp = await tours.create(op, body({ name: '临时' }));
    await tours.delete(op, tmp.id);
    expect((await tours.list(op)).map((x) => x.id)).not.toContain(tmp.id);
    const { records } = await repos(t.app.store.db).audit.list({ kind: 'all' }, { action: 'tour.delete' });
    expect(records[0]).toMatchObject({ username: 'gl_op', object_id: String(tmp.id), outcome: 'ok' });
    expect(await t.app.store.db.selectFrom('patrol_tour_item').select('id').where('tour_id', '=', tmp.id).execute()).toEqual([]);

    const admin = await as('admin');
    const empty = await t.app.org.createNode(admin, { parentId: node['南京市'], kind: 'district', name: '空区' });
    const doomed = await tours.create(await as('nj_admin'), body({ name: '空区轮巡', orgNodeId: empty.id, shared: true }));
    await t.app.org.deleteNode(admin, empty.id);
    expect(await t.app.store.db.selectFrom('patrol_tour').select('id').where('id', '=', doomed.id).execute()).toEqual([]);
    expect(await t.app.store.db.selectFrom('patrol_tour_item').select('id').where('tour_id', '=', doomed.id).execute()).toEqual([]);
  });
  it('the API refuses malformed tours with 400 and stores nothing', async () => {
    const server = await buildServer(t.app, pino({ level: 'silent' }));
    try {
      const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'gl_op', password: PASSWORD } });
      const headers = { cookie: login.headers['set-cookie']!.toString().split(';')[0], 'x-csrf-token': (login.json() as { csrfToken: string }).csrfToken };
      const post = (payload: Record<string, unknown>) => server.inject({ method: 'POST', url: '/api/tours', headers, payload });
      const good = { name: '接口轮巡', intervalS: 10, layoutTiles: 9, items: [{ kind: 'camera', refId: cam.front }] };
      const before = (await tours.list(await as('gl_op'))).length;
      for (const bad of [
        { ...good, layoutTiles: 7 },
        { ...good, intervalS: 2 },
        { ...good, name: '  ' },
        { ...good, items: [] },
        { ...good, items: [{ kind: 'camera' }] },
        { ...good, items: [{ kind: 'all-exam-rooms', refId: 5 }] },
        { ...good, owner: 1 },
      ]) expect((await post(bad)).statusCode, JSON.stringify(bad)).toBe(400);
      expect((await tours.list(await as('gl_op'))).length).toBe(before);
      const ok = await post(good);
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ name: '接口轮巡', layoutTiles: 9, shared: false, orgNodeId: node['鼓楼区'] });
      const played = await server.inject({ method: 'GET', url: `/api/tours/${(ok.json() as { id: number }).id}/cameras`, headers });
      expect((played.json() as { cameras: Array<{ id: number }> }).cameras.map((c) => c.id)).toEqual([cam.front]);
    } finally {
      await server.close();
    }
  });
});
