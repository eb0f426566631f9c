// Remote viewing approved by the level above (R-DIS-3, issue 18 item 4; docs/design/duty.md
// "Downward approvals"). Two real nodes on loopback, each with its HTTP API: a site whose
// node-to-node channel (uplink) goes to a city. During an exam window, with the duty rule in force
// at the site (an enrolled workstation), an operator at home asks at the site for a camera; the
// request reaches the city over the channel; the city's administrator approves it over the city's
// API; the decision comes down in the city's answer to the site's next poll, signed with the site's
// channel key, and the site then issues the live token — the enforcement point is the site's. A
// second request refused at the city stays refused at the site. Audited at both ends. A decision
// that is unsigned or signed with another key (an impostor answering the site's poll) is refused,
// audited, and changes nothing; the same decision correctly signed is applied (the harness works).
// The viewer withdraws (撤回) a granted and a pending request: the city sees 已撤回 and cannot decide.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { dutyOf, remoteGrantsOf } from '../../src/duty/index.ts';
import { VIEW_DECISION_TOPIC } from '../../src/duty/grant-remote.ts';
import { computeHa1 } from '../../src/gb28181/index.ts';
import { repos } from '../../src/store/repos/index.ts';
import { UplinkModule, createUplinkModule } from '../../src/uplink/index.ts';
import { channelKey, signDown } from '../../src/uplink/wire.ts';
import { ADMIN_PASSWORD } from '../helpers/app.ts';
import { CITY, PASSWORD as LOWER_PASSWORD, SITE, addLower, settings, startLevel, stopLevels, until } from '../cascade/helpers.ts';
import type { Level } from '../cascade/helpers.ts';

const SENDER = { pollMs: 200, heartbeatMs: 1000, backoffMinMs: 100, backoffMaxMs: 500, timeoutMs: 5000, downPollMs: 300 };
const VIEWER_PASSWORD = 'Remote-Viewer-Passw0rd';
const MIN = 60_000;
type Session = { cookie: string; csrf: string };

async function login(server: FastifyInstance, username: string, password: string): Promise<Session> {
  const res = await server.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: res.headers['set-cookie']!.toString().split(';')[0], csrf: (res.json() as { csrfToken: string }).csrfToken };
}

describe('remote viewing approved at the city, enforced at the site (R-DIS-3)', () => {
  let city: Level;
  let site: Level;
  let cityServer: FastifyInstance;
  let siteServer: FastifyInstance;
  let cityUplink: UplinkModule;
  let siteUplink: UplinkModule;
  const cams: number[] = [];
  let siteCode = '';
  let viewer: Session;
  let cityAdmin: Session;
  const call = (server: FastifyInstance, who: Session, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) =>
    server.inject({ method, url, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf }, payload });
  const liveToken = (cameraId: number) => call(siteServer, viewer, 'POST', '/api/live/token', { cameraIds: [cameraId] });
  const received = async () => (await call(cityServer, cityAdmin, 'GET', '/api/duty/grants/received')).json() as { requests: Array<{ originCode: string; key: string; state: string; reason: string; requester: string; cameras: Array<{ name: string }>; decisionSent: unknown }> };
  const siteRequest = async (id: number) => (await repos(site.t.app.store.db).dutyCases.viewRequests({ kind: 'all' }, { id }))[0];
  const auditOf = async (l: Level, action: string, outcome?: 'ok' | 'denied') => (await repos(l.t.app.store.db).audit.list({ kind: 'all' }, { action, ...(outcome ? { outcome } : {}), limit: 100 })).records;

  beforeAll(async () => {
    city = await startLevel(CITY);
    await addLower(city, SITE.id, '南京市第一中学考点');
    cityUplink = createUplinkModule(city.t.app, { settings: city.cascade.settings, sender: SENDER, watchMs: 200 });
    await cityUplink.start();
    cityServer = await buildServer(city.t.app, pino({ level: 'silent' }));
    await cityServer.listen({ port: 0, host: '127.0.0.1' });
    const cityUrl = `http://127.0.0.1:${(cityServer.server.address() as AddressInfo).port}`;

    // Only the channel is under test: the site's SIP registration is not started (its settings name the city).
    site = await startLevel(SITE);
    const siteSip = settings(SITE, { id: CITY.id, port: 5060 });
    const sip = { ...siteSip, upper: { ...siteSip.upper!, uplinkUrl: cityUrl } };
    siteUplink = createUplinkModule(site.t.app, { settings: sip, sender: SENDER, watchMs: 200 });
    siteServer = await buildServer(site.t.app, pino({ level: 'silent' })); // registers the duty routes and the decision handler
    await siteUplink.start();

    // At the site: an exam whose session starts in 20 min (the exam rooms' windows are open now),
    // two cameras in exam rooms, the duty rule in force (an enrolled workstation), a viewer at home.
    const app = site.t.app;
    const admin = await site.t.actor('admin');
    const siteNode = (await app.org.tree(admin)).find((n) => n.name === '南京市第一中学考点')!;
    siteCode = (await repos(app.store.db).org.get({ kind: 'all' }, siteNode.id))!.gb_code;
    for (const [i, roomName] of ['第01考场', '第02考场'].entries()) {
      const room = siteNode.rooms!.find((r) => r.name === roomName)!;
      cams.push((await app.devices.createCamera(admin, { roomId: room.id, name: `考场${i + 1}前`, position: 'front', sourceKind: 'rtsp', mainStream: '/main', subStream: '/none', host: '127.0.0.1', port: 9 })).id);
    }
    const exam = await app.exams.exams.create(admin, { name: '远程调看审批演练', kind: 'gaokao' });
    await app.exams.exams.setSites(admin, exam.id, [{ siteId: siteNode.id }]);
    const start = Date.now() + 20 * MIN;
    await app.exams.exams.createSessions(admin, exam.id, [{ subject: '数学', startMs: start, endMs: start + 120 * MIN }]);
    await dutyOf(app).enroll(admin, siteNode.rooms!.find((r) => r.name === '监控室')!.id, '监控室1号机');
    await app.users.create(admin, { username: 'remote_viewer', displayName: '区考试院巡查员', role: 'operator', orgNodeId: siteNode.id, password: VIEWER_PASSWORD });
    viewer = await login(siteServer, 'remote_viewer', VIEWER_PASSWORD);
    cityAdmin = await login(cityServer, 'admin', ADMIN_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await cityServer?.close();
    await siteServer?.close();
    await siteUplink?.stop();
    await cityUplink?.stop();
    await stopLevels([site, city]);
  });

  it('R-DIS-3: a request made at the site is approved by the city administrator; the decision comes down and the site issues the live token; audited at both ends', async () => {
    // Without a grant: refused at the site, with the reason in Chinese.
    const before = await liveToken(cams[0]);
    expect(before.statusCode).toBe(403);
    expect(before.json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });

    const now = Date.now();
    const ask = await call(siteServer, viewer, 'POST', '/api/duty/grants', { cameraIds: [cams[0]], reason: '区考试院远程巡查第01考场', fromMs: now - MIN, toMs: now + 60 * MIN });
    expect(ask.statusCode, ask.body).toBe(200);
    const id = (ask.json() as { id: number }).id;

    // At the city, over its API (the console's 审批 tab): the site's request, pending.
    await until('request at the city', async () => (await received()).requests.some((r) => r.key === String(id)), 30_000);
    const seen = (await received()).requests.find((r) => r.key === String(id))!;
    expect(seen).toMatchObject({ originCode: siteCode, state: 'pending', reason: '区考试院远程巡查第01考场', requester: '区考试院巡查员', cameras: [{ name: '考场1前' }], decisionSent: null });

    const t0 = Date.now();
    const dec = await call(cityServer, cityAdmin, 'POST', `/api/duty/grants/received/${siteCode}/${id}/decision`, { approve: true, note: '同意，限本场次' });
    expect(dec.statusCode, dec.body).toBe(200);
    expect(dec.json()).toMatchObject({ state: 'pending', decisionSent: { approve: true, decidedBy: 'admin' } });
    // Decided once: a second decision at the city is refused.
    expect((await call(cityServer, cityAdmin, 'POST', `/api/duty/grants/received/${siteCode}/${id}/decision`, { approve: false })).statusCode).toBe(409);

    await until('approved at the site', async () => (await siteRequest(id)).state === 'approved', 30_000);
    console.log(`city approval applied at the site after ${Date.now() - t0} ms`);
    const row = await siteRequest(id);
    expect(row.decided_by).toBe(`admin@${CITY.id}`);
    expect(row.decision_note).toBe('同意，限本场次');
    // The site enforces it: the token for the approved camera is issued, the other camera still refused.
    expect((await liveToken(cams[0])).statusCode).toBe(200);
    expect((await liveToken(cams[1])).json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
    // The site's console shows who decided.
    const mine = (await call(siteServer, viewer, 'GET', '/api/duty/grants')).json() as { grants: Array<{ id: number; state: string; decidedBy: string; activeNow: boolean }> };
    expect(mine.grants.find((g) => g.id === id)).toMatchObject({ state: 'approved', decidedBy: `admin@${CITY.id}`, activeNow: true });
    // The new state goes back up: the city sees it took effect.
    await until('approved state at the city', async () => (await received()).requests.find((r) => r.key === String(id))?.state === 'approved', 30_000);

    // Audited at both ends.
    expect((await auditOf(city, 'duty.grant.approve', 'ok')).find((a) => a.object_id === `${siteCode}:${id}`)).toBeTruthy();
    const siteAudit = (await auditOf(site, 'duty.grant.approve', 'ok')).find((a) => a.object_id === String(id));
    expect(siteAudit?.username).toBe(`upper:${CITY.id}:admin`);
    expect((await auditOf(site, 'duty.view', 'ok')).some((a) => (a.detail ?? '').includes(`"grantIds":[${id}]`))).toBe(true);
  }, 120_000);

  it('R-DIS-3: a request refused at the city is refused at the site; viewing stays refused', async () => {
    const now = Date.now();
    const ask = await call(siteServer, viewer, 'POST', '/api/duty/grants', { cameraIds: [cams[1]], reason: '查看第02考场', fromMs: now - MIN, toMs: now + 30 * MIN });
    const id = (ask.json() as { id: number }).id;
    await until('request at the city', async () => (await received()).requests.some((r) => r.key === String(id)), 30_000);
    const dec = await call(cityServer, cityAdmin, 'POST', `/api/duty/grants/received/${siteCode}/${id}/decision`, { approve: false, note: '无必要，不予批准' });
    expect(dec.statusCode, dec.body).toBe(200);
    await until('refused at the site', async () => (await siteRequest(id)).state === 'refused', 30_000);
    expect((await liveToken(cams[1])).json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
    expect((await auditOf(site, 'duty.grant.refuse', 'ok')).find((a) => a.object_id === String(id))?.username).toBe(`upper:${CITY.id}:admin`);
    expect((await auditOf(city, 'duty.grant.refuse', 'ok')).find((a) => a.object_id === `${siteCode}:${id}`)).toBeTruthy();
    await until('refused state at the city', async () => (await received()).requests.find((r) => r.key === String(id))?.state === 'refused', 30_000);
  }, 90_000);

  it('R-DIS-3: the viewer withdraws (撤回) a granted and a pending request at the site; the city sees 已撤回 and can no longer decide; audited at the site', async () => {
    const mine = async () => ((await call(siteServer, viewer, 'GET', '/api/duty/grants')).json() as { grants: Array<{ id: number; state: string }> }).grants;
    const granted = (await mine()).find((g) => g.state === 'approved')!;
    expect((await liveToken(cams[0])).statusCode).toBe(200);
    const cancel = await call(siteServer, viewer, 'POST', `/api/duty/grants/${granted.id}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    // Ends at once at the site, the enforcement point.
    expect((await liveToken(cams[0])).json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
    await until('granted request shown cancelled at the city', async () => (await received()).requests.find((r) => r.key === String(granted.id))?.state === 'cancelled', 30_000);

    const now = Date.now();
    const ask = await call(siteServer, viewer, 'POST', '/api/duty/grants', { cameraIds: [cams[0]], reason: '临时调看，稍后撤回', fromMs: now - MIN, toMs: now + 30 * MIN });
    const id = (ask.json() as { id: number }).id;
    await until('pending request at the city', async () => (await received()).requests.find((r) => r.key === String(id))?.state === 'pending', 30_000);
    expect((await call(siteServer, viewer, 'POST', `/api/duty/grants/${id}/cancel`)).statusCode).toBe(200);
    await until('pending request shown cancelled at the city', async () => (await received()).requests.find((r) => r.key === String(id))?.state === 'cancelled', 30_000);
    const seen = (await received()).requests.find((r) => r.key === String(id)) as unknown as { cancelledAtMs: number; decisionSent: unknown };
    expect(seen.cancelledAtMs).toBeGreaterThanOrEqual(now);
    expect(seen.decisionSent).toBeNull();
    // The city's approve/refuse is refused: the requester withdrew it.
    const late = await call(cityServer, cityAdmin, 'POST', `/api/duty/grants/received/${siteCode}/${id}/decision`, { approve: true });
    expect(late.statusCode).toBe(409);
    expect((late.json() as { message: string }).message).toContain('申请人已撤回');
    expect((await siteRequest(id)).state).toBe('cancelled');
    const audited = (await auditOf(site, 'duty.grant.cancel', 'ok')).map((a) => a.object_id);
    expect(audited).toEqual(expect.arrayContaining([String(granted.id), String(id)]));
  }, 90_000);

  it('R-DIS-3: a decision unsigned or signed with another key (an impostor answering the site) is refused and audited; the same decision signed with the site\'s key applies', async () => {
    // The site's channel now points at an impostor that answers every batch with decisions.
    await siteUplink.stop();
    const app = site.t.app;
    const now = Date.now();
    const ask = await call(siteServer, viewer, 'POST', '/api/duty/grants', { cameraIds: [cams[1]], reason: '再次申请第02考场', fromMs: now - MIN, toMs: now + 30 * MIN });
    const id = (ask.json() as { id: number }).id;
    const req = await siteRequest(id);
    const body = JSON.stringify({ approve: true, note: null, decidedBy: 'admin', decidedByName: '伪造', decidedAtMs: now, fromMs: req.from_ms, toMs: req.to_ms, createdAtMs: req.created_at_ms });
    const epoch = 'abcdef0123456789';
    const msg = (seq: number) => ({ seq, originCode: siteCode, topic: VIEW_DECISION_TOPIC, key: String(id), body });
    const realKey = channelKey(computeHa1(SITE.id, CITY.id.slice(0, 10), LOWER_PASSWORD, 'MD5'));
    const wrongKey = channelKey(computeHa1(SITE.id, CITY.id.slice(0, 10), 'guessed-password', 'MD5'));
    let answers: Array<Record<string, unknown>> = [
      { ...msg(1), signature: '' },
      { ...msg(2), signature: 'f'.repeat(64) },
      { ...msg(3), signature: signDown(wrongKey, epoch, msg(3)) },
    ];
    const impostor = createServer((rq, rs) => {
      const chunks: Buffer[] = [];
      rq.on('data', (c: Buffer) => chunks.push(c));
      rq.on('end', () => {
        const batch = JSON.parse(Buffer.concat(chunks).toString()) as { items: Array<{ seq: number }> };
        const ackSeq = batch.items.at(-1)?.seq ?? 0;
        rs.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ackSeq, stored: 0, downEpoch: epoch, down: answers }));
      });
    });
    await new Promise<void>((r) => impostor.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(impostor.address() as AddressInfo).port}`;
    const siteSip = settings(SITE, { id: CITY.id, port: 5060 });
    const sip = { ...siteSip, upper: { ...siteSip.upper!, uplinkUrl: url } };
    const fake = new UplinkModule(app, sip, { sender: SENDER, watchMs: 200 });
    fake.service.onDown(VIEW_DECISION_TOPIC, { handle: (m) => remoteGrantsOf(app).applyFromUpper(m), waiting: () => remoteGrantsOf(app).waiting() });
    try {
      await fake.start();
      await until('three forged decisions refused', async () => (await auditOf(site, 'uplink.down', 'denied')).length >= 3, 30_000);
      expect((await siteRequest(id)).state).toBe('pending');
      expect((await liveToken(cams[1])).json()).toMatchObject({ details: { rule: 'duty_remote_grant' } });
      const denied = await auditOf(site, 'uplink.down', 'denied');
      expect(denied[0].username).toBe(`upper:${CITY.id}`);
      expect(JSON.parse(denied[0].detail!)).toMatchObject({ reason: 'bad-signature', key: String(id), topic: VIEW_DECISION_TOPIC });
      // Control: the same decision signed with the site's channel key is applied.
      answers = [{ ...msg(4), signature: signDown(realKey, epoch, msg(4)) }];
      await until('correctly signed decision applied', async () => (await siteRequest(id)).state === 'approved', 30_000);
      expect((await liveToken(cams[1])).statusCode).toBe(200);
    } finally {
      await fake.stop();
      await new Promise((r) => impostor.close(r));
    }
  }, 90_000);
});
