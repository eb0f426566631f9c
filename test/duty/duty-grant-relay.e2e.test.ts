// A downward approval relayed through a middle level (R-DIS-3; docs/design/duty.md "Downward
// approvals", item 5 "Middle levels"). Three real nodes on loopback, each with its HTTP API and
// node-to-node channel: site → city → province. A remote-viewing request made at the site reaches
// the province through the city; the province's administrator approves it; the decision goes down to
// the city in the answer to the city's poll, the city relays it (re-signed with the site's key) in the
// answer to the site's poll, and the site applies it and issues the live token. Audited at each end.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { dutyOf } from '../../src/duty/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { createUplinkModule } from '../../src/uplink/index.ts';
import type { UplinkModule } from '../../src/uplink/index.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { CITY, PROVINCE, SITE, addLower, settings, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

const SENDER = { pollMs: 200, heartbeatMs: 1000, backoffMinMs: 100, backoffMaxMs: 500, timeoutMs: 5000, downPollMs: 300 };
const MIN = 60_000;
type Session = { cookie: string; csrf: string };

async function login(server: FastifyInstance, username: string, password: string): Promise<Session> {
  const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
}
const url = (s: FastifyInstance) => `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;

describe('a downward approval relayed province → city → site (R-DIS-3)', () => {
  let province: Level;
  let city: Level;
  let site: Level;
  const servers: FastifyInstance[] = [];
  const uplinks: UplinkModule[] = [];
  let cam = 0;
  let siteCode = '';

  beforeAll(async () => {
    province = await startLevel(PROVINCE);
    await addLower(province, CITY.id, '南京市平台');
    const provinceUplink = createUplinkModule(province.t.app, { settings: province.cascade.settings, sender: SENDER, watchMs: 200 });
    await provinceUplink.start();
    const provinceServer = await buildServer(province.t.app, pino({ level: 'silent' }));
    await provinceServer.listen({ port: 0, host: '127.0.0.1' });

    city = await startLevel(CITY);
    await addLower(city, SITE.id, '南京市第一中学考点');
    const citySip = settings(CITY, { id: PROVINCE.id, port: 5060 });
    const cityUplink = createUplinkModule(city.t.app, { settings: { ...citySip, upper: { ...citySip.upper!, uplinkUrl: url(provinceServer) } }, sender: SENDER, watchMs: 200 });
    const cityServer = await buildServer(city.t.app, pino({ level: 'silent' }));
    await cityServer.listen({ port: 0, host: '127.0.0.1' });
    await cityUplink.start();

    site = await startLevel(SITE);
    const siteSip = settings(SITE, { id: CITY.id, port: 5060 });
    const siteUplink = createUplinkModule(site.t.app, { settings: { ...siteSip, upper: { ...siteSip.upper!, uplinkUrl: url(cityServer) } }, sender: SENDER, watchMs: 200 });
    const siteServer = await buildServer(site.t.app, pino({ level: 'silent' })); // registers the decision handler
    await siteUplink.start();
    servers.push(provinceServer, cityServer, siteServer);
    uplinks.push(siteUplink, cityUplink, provinceUplink);

    const app = site.t.app;
    const admin = await site.t.actor('admin');
    const siteNode = (await app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    siteCode = (await repos(app.store.db).org.get({ kind: 'all' }, siteNode.id))!.gb_code;
    cam = (await app.devices.createCamera(admin, { roomId: siteNode.rooms!.find((r) => r.name === '第01考场')!.id, name: '考场1前', position: 'front', sourceKind: 'rtsp', mainStream: '/main', subStream: '/none', host: '127.0.0.1', port: 9 })).id;
    const exam = await app.exams.exams.create(admin, { name: '三级审批演练', kind: 'gaokao' });
    await app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    const start = Date.now() + 20 * MIN;
    await app.exams.exams.createSessions(admin, exam.id, [{ subject: '数学', startMs: start, endMs: start + 120 * MIN }]);
    await dutyOf(app).enroll(admin, siteNode.rooms!.find((r) => r.name === '监控室')!.id, '监控室1号机');
    await app.users.create(admin, { username: 'remote_viewer', displayName: '省巡查员', role: 'operator', orgNodeId: siteNode.id, password: 'Remote-Viewer-Passw0rd' });
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const u of uplinks) await u.stop();
    await stopLevels([site, city, province]);
  });

  it('R-DIS-3: the province approves a site request received through the city; the city relays the decision down and the site applies it', async () => {
    const [provinceServer, , siteServer] = servers;
    const viewer = await login(siteServer, 'remote_viewer', 'Remote-Viewer-Passw0rd');
    const provinceAdmin = await login(provinceServer, 'admin', ADMIN_PASSWORD);
    const call = (s: FastifyInstance, who: Session, method: 'GET' | 'POST', u: string, payload?: Record<string, unknown>) => s.inject({ method, url: u, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf }, payload });
    expect((await call(siteServer, viewer, 'POST', '/api/live/token', { cameraIds: [cam] })).statusCode).toBe(403);
    const now = Date.now();
    const ask = await call(siteServer, viewer, 'POST', '/api/duty/grants', { cameraIds: [cam], reason: '省考试院远程抽查', fromMs: now - MIN, toMs: now + 60 * MIN });
    expect(ask.statusCode, ask.body).toBe(200);
    const id = (ask.json() as { id: number }).id;
    const received = async () => ((await call(provinceServer, provinceAdmin, 'GET', '/api/duty/grants/received')).json() as { requests: Array<{ originCode: string; key: string; state: string }> }).requests.find((r) => r.originCode === siteCode && r.key === String(id));
    await until('request at the province through the city', async () => (await received())?.state === 'pending', 30_000);
    const dec = await call(provinceServer, provinceAdmin, 'POST', `/api/duty/grants/received/${siteCode}/${id}/decision`, { approve: true, note: '同意' });
    expect(dec.statusCode, dec.body).toBe(200);
    await until('approved at the site', async () => (await repos(site.t.app.store.db).dutyCases.viewRequests({ kind: 'all' }, { id }))[0].state === 'approved', 30_000);
    // Named after the province that decided, not the city that relayed it.
    expect((await repos(site.t.app.store.db).dutyCases.viewRequests({ kind: 'all' }, { id }))[0].decided_by).toBe(`admin@${PROVINCE.id}`);
    const applied = (await repos(site.t.app.store.db).audit.list({ kind: 'all' }, { action: 'duty.grant.approve', limit: 10 })).records.map((r) => JSON.parse(r.detail ?? '{}') as { deciderNodeId?: string; upperId?: string });
    expect(applied).toContainEqual(expect.objectContaining({ deciderNodeId: PROVINCE.id, upperId: CITY.id }));
    expect((await call(siteServer, viewer, 'POST', '/api/live/token', { cameraIds: [cam] })).statusCode).toBe(200);
    // The city relayed it (audited there), and the province sees the site's applied state.
    expect((await repos(city.t.app.store.db).audit.list({ kind: 'all' }, { action: 'uplink.down.relay', limit: 10 })).total).toBeGreaterThan(0);
    await until('approved state at the province', async () => (await received())?.state === 'approved', 30_000);
  }, 90_000);
});
