// A patroller without 导出录像 requests an export; a leader approves it (not their own); the export is
// made for the requester, who alone downloads it; request, decision and download audited
// (issue 14 item 6; R-SEC-4, R-ACC-1, R-REC-4). Real HTTP, SQLite and PostgreSQL.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repos } from '../../src/store/repos/index.ts';
import { DIALECTS } from '../helpers/databases.ts';
import { createTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { listen, login, request } from '../security/http.ts';
import type { Caller } from '../security/http.ts';

const PW = 'Export-Req-Passw0rd!';

describe.each(DIALECTS)('export requests on %s', (dialect) => {
  let t: TestApp;
  let server: FastifyInstance;
  let port: number;
  let op: Caller;
  let leader: Caller;
  let otherOp: Caller;
  let cameraId: number;

  beforeAll(async () => {
    t = await createTestApp(dialect, { realClock: true });
    ({ server, port } = await listen(t));
    const admin = await t.actor('admin');
    const tree = await t.app.org.tree(admin);
    const city = tree.find((n) => n.parentId === null)!;
    const site = tree.find((n) => n.kind === 'site')!;
    const room = await t.app.devices.createRoom(admin, { siteId: site.id, kind: 'exam', name: '第09考场', seats: 30 });
    cameraId = (await t.app.devices.createCamera(admin, { roomId: room.id, name: '第09考场前', position: 'front', sourceKind: 'rtsp', mainStream: '/m', subStream: '/s', host: '10.0.0.9', username: 'u', password: 'p' })).id;
    for (const [u, role] of [['req_op', 'operator'], ['req_leader', 'leader'], ['req_op2', 'operator']] as const) await t.app.users.create(admin, { username: u, displayName: u, role, orgNodeId: city.id, password: PW });
    op = await login(port, 'req_op', PW);
    leader = await login(port, 'req_leader', PW);
    otherOp = await login(port, 'req_op2', PW);
  });
  afterAll(async () => {
    await server.close();
    await t.close();
  });

  it('the patroller cannot export directly (403) but can request; the leader approves; the requester downloads', async () => {
    const now = Date.now();
    const body = { cameraIds: [cameraId], fromMs: now - 600_000, toMs: now - 60_000 };
    expect((await request(port, 'POST', '/api/exports', { ...body, purpose: '考生违纪取证' }, op)).status).toBe(403);
    expect((await request(port, 'POST', '/api/export-requests', { ...body, purpose: '短' }, op)).status).toBe(400);
    const made = await request(port, 'POST', '/api/export-requests', { ...body, purpose: '考生违纪取证' }, op);
    expect(made.status).toBe(201);
    const id = made.body.id as number;
    expect(made.body).toMatchObject({ state: 'pending', requester: 'req_op', cameraNames: ['第09考场前'], mine: true });

    // Another patroller neither sees nor decides it; the requester cannot approve their own.
    expect(((await request(port, 'GET', '/api/export-requests', undefined, otherOp)).body.requests as unknown[]).length).toBe(0);
    expect((await request(port, 'POST', `/api/export-requests/${id}/decide`, { approve: true }, otherOp)).status).toBe(403);
    expect((await request(port, 'POST', `/api/export-requests/${id}/decide`, { approve: true }, op)).status).toBe(403);
    // Not approved yet: no download.
    expect((await request(port, 'POST', `/api/export-requests/${id}/token`, undefined, op)).status).toBe(403);

    const pending = (await request(port, 'GET', '/api/export-requests?state=pending', undefined, leader)).body.requests as Array<{ id: number }>;
    expect(pending.map((r) => r.id)).toContain(id);
    const decided = await request(port, 'POST', `/api/export-requests/${id}/decide`, { approve: true, note: '同意，限本次取证' }, leader);
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ state: 'approved', decidedBy: 'req_leader', decisionNote: '同意，限本次取证' });
    expect(decided.body.exportId).toMatch(/^[0-9a-f-]{36}$/);
    // Deciding twice is refused.
    expect((await request(port, 'POST', `/api/export-requests/${id}/decide`, { approve: false }, leader)).status).toBe(409);

    // The export runs (no recordings here: it ends, done or failed); once done only the requester gets a token.
    await expect.poll(async () => (await request(port, 'GET', `/api/export-requests/${id}`, undefined, op)).body.exportStatus, { timeout: 15_000 }).toMatch(/done|failed/);
    const st = (await request(port, 'GET', `/api/export-requests/${id}`, undefined, op)).body.exportStatus;
    expect((await request(port, 'POST', `/api/export-requests/${id}/token`, undefined, leader)).status).toBe(403);
    const tok = await request(port, 'POST', `/api/export-requests/${id}/token`, undefined, op);
    if (st === 'done') {
      expect(tok.status).toBe(200);
      const dl = await request(port, 'GET', tok.body.url as string, undefined, op);
      expect(dl.status).toBe(200);
    } else {
      expect(tok.status).toBe(409);
    }

    const audit = await repos(t.app.store.db).audit.list({ kind: 'all' }, { limit: 1000, offset: 0 });
    const acts = audit.records.filter((r) => r.object_type === 'export_request' && r.object_id === String(id));
    expect(acts.filter((r) => r.outcome === 'ok').map((r) => r.action).sort()).toEqual(['export.request', 'export.request.approve']);
    expect(acts.some((r) => r.outcome === 'denied' && r.username === 'req_op' && (r.detail ?? '').includes('may not decide'))).toBe(true);
    expect(audit.records.some((r) => r.action === 'export.create' && r.username === 'req_op' && (r.detail ?? '').includes('经 req_leader 批准'))).toBe(true);
  });

  it('a rejected request stays rejected and gives no export', async () => {
    const now = Date.now();
    const made = await request(port, 'POST', '/api/export-requests', { cameraIds: [cameraId], fromMs: now - 600_000, toMs: now - 60_000, purpose: '上级调阅录像' }, op);
    const r = await request(port, 'POST', `/api/export-requests/${made.body.id as number}/decide`, { approve: false, note: '用途不充分' }, leader);
    expect(r.body).toMatchObject({ state: 'rejected', exportId: null, decisionNote: '用途不充分' });
    expect((await request(port, 'POST', `/api/export-requests/${made.body.id as number}/token`, undefined, op)).status).toBe(403);
  });
});
