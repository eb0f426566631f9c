// Names at the API (issue 13, Low list; R-SEC-7, R-ACC-1): creating or renaming an organisation
// node, a room or a camera with NUL, BEL, a newline, U+202E (right-to-left override, which makes
// "abc\u202Efdp.exe" read as "abcexe.pdf" in the audit log and exports) or a lone surrogate is
// answered 400 with a message saying why, and nothing is stored — no row, no rename, no audit record.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const BAD: Array<[string, string]> = [
  ['NUL', '第09\u0000考场'],
  ['BEL', '第09\u0007考场'],
  ['newline', '第09\n考场'],
  ['U+202E', '考场abc\u202Efdp.exe'],
  ['lone surrogate', '第09\ud800考场'],
];

describe('names with control, bidi or broken characters over the API (R-SEC-7, R-ACC-1)', () => {
  let t: TestApp;
  let server: FastifyInstance;
  let headers: Record<string, string>;
  const ids = { city: 0, site: 0, node: 0, room: 0, camera: 0 };

  beforeAll(async () => {
    t = await createTestApp('sqlite', { realClock: true });
    server = await buildServer(t.app, pino({ level: 'silent' }));
    const login = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    headers = { cookie: login.headers['set-cookie']!.toString().split(';')[0], 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken };
    const admin = await t.actor('admin');
    const tree = await t.app.org.tree(admin);
    ids.city = tree.find((n) => n.kind === 'city')!.id;
    const site = tree.find((n) => n.kind === 'site')!;
    ids.site = site.id;
    ids.node = tree.find((n) => n.kind === 'district')!.id;
    ids.room = site.rooms![0].id;
    ids.camera = (await t.app.devices.createCamera(admin, { roomId: ids.room, name: '前门', position: 'front', sourceKind: 'rtsp', mainStream: '/main', subStream: '/sub', host: '127.0.0.1', port: 554 })).id;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  /** Everything a refused request could have left behind: rows, names, audit records. */
  const snapshot = async () => {
    const db = t.app.store.db;
    return {
      nodes: await db.selectFrom('org_node').select(['id', 'name']).orderBy('id').execute(),
      rooms: await db.selectFrom('room').select(['id', 'name']).orderBy('id').execute(),
      cameras: await db.selectFrom('camera').select(['id', 'name']).orderBy('id').execute(),
      audit: (await db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
    };
  };

  const send = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
    // JSON.stringify writes a lone surrogate as the escape "\ud800", which JSON.parse on the server turns back into one.
    server.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  const calls = (name: string): Array<[string, 'POST' | 'PATCH', string, unknown]> => [
    ['create node', 'POST', '/api/org/nodes', { parentId: ids.city, kind: 'district', name }],
    ['rename node', 'PATCH', `/api/org/nodes/${ids.node}`, { name }],
    ['create room', 'POST', '/api/rooms', { siteId: ids.site, kind: 'exam', name, seats: 30 }],
    ['rename room', 'PATCH', `/api/rooms/${ids.room}`, { name }],
    ['create camera', 'POST', '/api/cameras', { roomId: ids.room, name, position: 'rear', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '127.0.0.1', port: 554 }],
    ['rename camera', 'PATCH', `/api/cameras/${ids.camera}`, { name }],
  ];

  it.each(BAD)('%s: 400 with the reason, nothing created or renamed', async (_what, name) => {
    const before = await snapshot();
    for (const [label, method, url, body] of calls(name)) {
      const res = await send(method, url, body);
      expect(res.statusCode, label).toBe(400);
      const answer = res.json<{ error: string; message: string }>();
      expect(answer.error, label).toBe('invalid_input');
      expect(answer.message, label).toMatch(/name: 名称(不能包含控制字符|包含无效字符)/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('the same calls with a clean name succeed (so the refusals above are about the name)', async () => {
    // One name per call: siblings must have distinct names.
    for (const [i, [label, method, url, body]] of calls('').entries()) {
      expect((await send(method, url, { ...(body as object), name: `第09考场 ${i}` })).statusCode, label).toBe(200);
    }
    const after = await snapshot();
    expect(after.nodes.map((n) => n.name)).toEqual(expect.arrayContaining(['第09考场 0', '第09考场 1']));
    expect(after.rooms.map((n) => n.name)).toEqual(expect.arrayContaining(['第09考场 2', '第09考场 3']));
    expect(after.cameras.map((n) => n.name)).toEqual(expect.arrayContaining(['第09考场 4', '第09考场 5']));
  });
});
