// Credentials typed into camera URL fields are sealed on save — create, PATCH, CSV import — and
// never stored or echoed in plain text: not in the tree, the export, or the audit log (issue 13
// item 4; R-SEC-6, R-SEC-5, R-ACC-1). Through the HTTP stack on both databases.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { openNetwork } from '../../src/org/network-config.ts';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { ADMIN_PASSWORD, createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const SECRET = 'Cam-S3cret-77';

describe.each(DIALECTS)('camera URL credentials on %s', (dialect) => {
  let t: TestApp;
  let server: FastifyInstance;
  let cookie = '';
  let csrf = '';
  let roomId = 0;
  let roomCode = '';

  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const r = await server.inject({ method, url, payload: payload as Record<string, unknown>, headers: { cookie, 'x-csrf-token': csrf } });
    return { status: r.statusCode, text: r.body, json: () => r.json<Record<string, unknown>>() };
  };
  const everywhere = async () => {
    const texts = [(await call('GET', '/api/org/tree')).text, (await call('GET', '/api/org/export?format=csv')).text, (await call('GET', '/api/audit?limit=500')).text, (await call('GET', '/api/audit/export.csv')).text];
    const rows = await repos(t.app.store.db).cameras.list({ kind: 'all' });
    return texts.join('\n') + JSON.stringify(rows.map((c) => [c.main_stream, c.sub_stream]));
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    server = await buildServer(t.app, pino({ level: 'silent' }));
    const r = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    cookie = `xuncha_session=${r.cookies.find((c) => c.name === 'xuncha_session')!.value}`;
    csrf = r.json<{ csrfToken: string }>().csrfToken;
    const site = (await t.app.org.tree(await t.actor('admin'))).find((n) => n.kind === 'site')!;
    const room = site.rooms![0];
    roomId = room.id;
    roomCode = room.gbCode;
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('create: the URL is stored and shown without user:password, which is sealed (R-SEC-6)', async () => {
    const created = await call('POST', '/api/cameras', { roomId, name: '带密码的摄像机', position: 'front', sourceKind: 'rtsp', mainStream: `rtsp://admin:${SECRET}@10.9.8.7:554/Streaming/Channels/101`, subStream: `rtsp://admin:${SECRET}@10.9.8.7:554/Streaming/Channels/102` });
    expect(created.status).toBe(200);
    const cam = created.json() as { id: number; mainStream: string; hasCredentials: boolean };
    expect(cam.mainStream).toBe('rtsp://10.9.8.7:554/Streaming/Channels/101');
    expect(cam.hasCredentials).toBe(true);
    const row = (await repos(t.app.store.db).cameras.get({ kind: 'all' }, cam.id))!;
    expect(openNetwork(t.app.box, row.network_enc)).toMatchObject({ username: 'admin', password: SECRET });
    // The administrator who needs it can still see it, through the audited reveal.
    expect((await call('POST', `/api/cameras/${cam.id}/reveal`)).json()).toMatchObject({ password: SECRET, mainStream: 'rtsp://10.9.8.7:554/Streaming/Channels/101' });
    expect(await everywhere()).not.toContain(SECRET);
  });

  it('PATCH: a new password in the URL replaces the sealed one and stays out of the audit log (R-ACC-1)', async () => {
    const cam = (await call('POST', '/api/cameras', { roomId, name: '改密码的摄像机', position: 'rear', sourceKind: 'rtsp', mainStream: '/main', subStream: '/sub', host: '10.1.1.1' })).json() as { id: number };
    const patched = await call('PATCH', `/api/cameras/${cam.id}`, { mainStream: `rtsp://ops:${SECRET}-2@10.1.1.1/live` });
    expect(patched.status).toBe(200);
    const row = (await repos(t.app.store.db).cameras.get({ kind: 'all' }, cam.id))!;
    expect(row.main_stream).toBe('rtsp://10.1.1.1/live');
    expect(openNetwork(t.app.box, row.network_enc)).toMatchObject({ host: '10.1.1.1', username: 'ops', password: `${SECRET}-2` });
    expect(await everywhere()).not.toContain(SECRET);
  });

  it('CSV import: credentials in the stream columns are sealed too (R-SEC-6)', async () => {
    const csv = `层级,国标编码,上级国标编码,名称,安装位置,接入方式,主码流,子码流\n摄像机,,${roomCode},导入的摄像机,前,rtsp,rtsp://imp:${SECRET}-3@10.2.2.2/ch1,rtsp://10.2.2.2/ch2\n`;
    const imported = await call('POST', '/api/org/import', { format: 'csv', dataBase64: Buffer.from(csv).toString('base64') });
    expect(imported.status, imported.text).toBe(200);
    const row = (await repos(t.app.store.db).cameras.list({ kind: 'all' })).find((c) => c.name === '导入的摄像机')!;
    expect(row.main_stream).toBe('rtsp://10.2.2.2/ch1');
    expect(openNetwork(t.app.box, row.network_enc)).toMatchObject({ username: 'imp', password: `${SECRET}-3` });
    expect(await everywhere()).not.toContain(SECRET);
  });

  it('rows saved in plain text before the fix are sealed at start (R-SEC-6)', async () => {
    const cam = (await call('POST', '/api/cameras', { roomId, name: '旧数据摄像机', position: 'rear', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s' })).json() as { id: number };
    await t.app.store.db.updateTable('camera').set({ main_stream: `rtsp://old:${SECRET}-4@10.3.3.3/a` }).where('id', '=', cam.id).execute();
    // Even before sealing, no view shows it.
    expect((await call('GET', '/api/org/tree')).text).not.toContain(SECRET);
    expect(await t.app.devices.sealTypedCredentials()).toBe(1);
    const row = (await repos(t.app.store.db).cameras.get({ kind: 'all' }, cam.id))!;
    expect(row.main_stream).toBe('rtsp://10.3.3.3/a');
    expect(openNetwork(t.app.box, row.network_enc)).toMatchObject({ username: 'old', password: `${SECRET}-4` });
  });
});
